#include "server/cli/one_shot_heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <thread>

namespace balancerd::cli {

namespace {

#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23; // Linux 5.14; older headers lack the name
#endif

// Once the heap has grown by this much (a large configuration), it grows in steps of kGrowthStep
// past each request, and the prefaulter fills each step ahead of use. Below it (the heap of Debian's
// stock tree is about 300 KiB) nothing changes: a step filled ahead would be most of a small run's memory.
constexpr std::size_t kLargeHeap = 4 * 1024 * 1024;
constexpr std::size_t kGrowthStep = 4 * 1024 * 1024;
// The helper gives up after this long whatever happens (a config test takes well under a second).
constexpr auto kHelperLimit = std::chrono::seconds(120);
constexpr auto kPoll = std::chrono::microseconds(50);

std::uintptr_t page_floor(std::uintptr_t p) {
  static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  return p & ~(page - 1);
}

std::uintptr_t current_break() {
  return reinterpret_cast<std::uintptr_t>(::sbrk(0));
}

} // namespace

void tune_heap_for_one_shot_run() {
  // glibc's largest accepted threshold (32 MiB on 64-bit); above it a block is still mapped apart.
  ::mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  // Never shrink the heap: the process exits right after the model is built.
  ::mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}

struct HeapPrefaulter::State {
  std::atomic<bool> stop{false};
  std::atomic<bool> filling{false};
  std::thread helper;
};

HeapPrefaulter::HeapPrefaulter() : state_(std::make_unique<State>()) {
  State& s = *state_;
  const std::uintptr_t start = page_floor(current_break());
  s.helper = std::thread([&s, start] {
    const auto deadline = std::chrono::steady_clock::now() + kHelperLimit;
    std::uintptr_t filled = 0; // 0: the heap is not large yet
    while (!s.stop.load(std::memory_order_relaxed) && std::chrono::steady_clock::now() < deadline) {
      const std::uintptr_t end = page_floor(current_break());
      if (filled == 0 && end - start >= kLargeHeap) {
        // A large configuration: from now on the heap grows in steps this thread fills ahead of
        // the main thread. It starts at the break it was created with: what grew since is mostly
        // a block just handed out and not written yet (the config file's text, read next), and
        // for pages written already the fill costs only a page-table walk.
        ::mallopt(M_TOP_PAD, static_cast<int>(kGrowthStep));
        filled = start;
        s.filling.store(true, std::memory_order_release);
      }
      if (filled == 0 || end <= filled) {
        std::this_thread::sleep_for(kPoll);
        continue;
      }
      if (::madvise(reinterpret_cast<void*>(filled), end - filled, MADV_POPULATE_WRITE) != 0 &&
          errno == EINVAL)
        return; // the kernel has no MADV_POPULATE_WRITE: pages fault in as usual
      filled = end;
    }
  });
}

bool HeapPrefaulter::filling() const {
  return state_->filling.load(std::memory_order_acquire);
}

HeapPrefaulter::~HeapPrefaulter() {
  state_->stop.store(true, std::memory_order_relaxed);
  if (state_->helper.joinable()) state_->helper.join();
}

} // namespace balancerd::cli
