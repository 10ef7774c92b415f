// HeapPrefaulter: a small heap is left alone; once the heap is large, pages it grows by are made
// resident by the helper before anything touches them (mincore() tells, without touching).
#include "server/cli/one_shot_heap.hpp"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <thread>
#include <vector>

// g++ defines __SANITIZE_ADDRESS__; clang (the sanitizer build) answers __has_feature instead.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BD_TEST_HAS_ASAN 1
#endif
#endif

namespace {

using namespace std::chrono_literals;

// Resident pages among the whole pages strictly inside [p, p + size).
std::size_t resident_pages(const void* p, std::size_t size) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + page) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + size) & ~(page - 1);
  if (end <= begin) return 0;
  std::vector<unsigned char> vec((end - begin) / page);
  if (::mincore(reinterpret_cast<void*>(begin), end - begin, vec.data()) != 0) return 0;
  std::size_t n = 0;
  for (unsigned char v : vec) n += v & 1;
  return n;
}

template <typename Pred> bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(HeapPrefaulter, LeavesASmallHeapAloneAndFillsALargeOneAheadOfUse) {
#if defined(__SANITIZE_ADDRESS__) || defined(BD_TEST_HAS_ASAN)
  // ASan's allocator takes its memory from its own mappings, never from the brk heap that the
  // prefaulter watches, so there is nothing for it to fill (balancerd -t then runs without it).
  GTEST_SKIP() << "the sanitizer's allocator does not use the brk heap";
#endif
  balancerd::cli::tune_heap_for_one_shot_run();
  balancerd::cli::HeapPrefaulter prefaulter;

  // 1 MiB of growth: below the threshold, nothing is filled.
  constexpr std::size_t kSmall = 1 << 20;
  void* small = std::malloc(kSmall);
  ASSERT_NE(small, nullptr);
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(prefaulter.filling());
  EXPECT_EQ(resident_pages(small, kSmall), 0u);

  // 6 MiB more (from the heap: tune_heap_for_one_shot_run raised the mmap threshold): large now.
  void* large = std::malloc(6 << 20);
  ASSERT_NE(large, nullptr);
  ASSERT_TRUE(eventually([&] { return prefaulter.filling(); }));

  // The next growth is filled by the helper. The first block below may start in the top chunk
  // left by the last growth (before filling began); the second lies wholly in the new growth, and
  // its pages become resident without being touched.
  constexpr std::size_t kNext = 2 << 20;
  void* bridge = std::malloc(kNext);
  ASSERT_NE(bridge, nullptr);
  void* next = std::malloc(kNext);
  ASSERT_NE(next, nullptr);
  const std::size_t pages = kNext / static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) - 1;
  EXPECT_TRUE(eventually([&] { return resident_pages(next, kNext) >= pages; }))
      << resident_pages(next, kNext) << " of " << pages;
  std::free(next);
  std::free(bridge);
  std::free(large);
  std::free(small);
}

} // namespace
