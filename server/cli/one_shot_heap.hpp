#pragma once
// Heap settings for a run that reads the configuration once and exits (-t, the -D DUMP_* modes).
#include <memory>

namespace balancerd::cli {

// Large buffers (a config file's text, the read tree's vectors) come from the main heap instead of
// their own mappings, and freed memory is kept for reuse instead of being returned to the system:
// the model built next fills it, so those pages are faulted in once instead of twice.
void tune_heap_for_one_shot_run();

// While it lives, a helper thread faults in (MADV_POPULATE_WRITE) the pages the main heap has just
// grown by, before the thread building the model touches them: a large configuration's model is
// tens of thousands of pages, and taking each as a page fault on the main thread was a third of a
// config test's time. It starts filling once the heap is large (4 MiB; a small configuration's
// run is left as it is), then makes the heap grow in 4 MiB steps and fills each. The pages are the
// heap's own (below the current break), so memory use is what the heap holds plus at most one
// step. Does nothing on a kernel without MADV_POPULATE_WRITE (before Linux 5.14). Stops and joins
// on destruction.
class HeapPrefaulter {
public:
  HeapPrefaulter();
  ~HeapPrefaulter();
  HeapPrefaulter(const HeapPrefaulter&) = delete;
  HeapPrefaulter& operator=(const HeapPrefaulter&) = delete;

  // Whether the heap has grown large enough for the helper to fill it (for tests).
  bool filling() const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace balancerd::cli
