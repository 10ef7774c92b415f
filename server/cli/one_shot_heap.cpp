#include "server/cli/one_shot_heap.hpp"

#include <malloc.h>

namespace balancerd::cli {

void tune_heap_for_one_shot_run() {
  // glibc's largest accepted threshold (32 MiB on 64-bit); above it a block is still mapped apart.
  ::mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  // Never shrink the heap: the process exits right after the model is built.
  ::mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}

} // namespace balancerd::cli
