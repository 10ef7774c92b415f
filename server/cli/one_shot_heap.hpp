#pragma once
// Heap settings for a run that reads the configuration once and exits (-t, the -D DUMP_* modes).

namespace balancerd::cli {

// Large buffers (a config file's text, the read tree's vectors) come from the main heap instead of
// their own mappings, and freed memory is kept for reuse instead of being returned to the system:
// the model built next fills it, so those pages are faulted in once instead of twice.
void tune_heap_for_one_shot_run();

} // namespace balancerd::cli
