#pragma once
// Per-thread free list for objects that are created and destroyed once per request (give a class a
// member operator new/delete that forward here).
//
// Why: the proxy's per-request object is about 2 KB. glibc serves a block that size from its large
// bins, and before doing so consolidates every fast-bin chunk the request's small allocations left
// behind (perf, proxy bench at 512 connections: malloc_consolidate + _int_malloc + unlink_chunk were
// ~2.5 us of ~47 us per request). A block taken back from this list costs a pop, and the one freed
// last is the one still in cache.
#include <cstddef>
#include <new>
#include <vector>

namespace balancerd::pipeline {

// Keep: the bound of the list, above the objects one thread has in flight under steady load (512
// connections in lock step churned 256 blocks a round through malloc at 256). The list never holds
// more than were live at once.
template <class T, std::size_t Keep = 1024> class ThreadRecycler {
public:
  static void* allocate(std::size_t n) {
    auto& free = list().blocks;
    if (n != sizeof(T) || free.empty()) return ::operator new(n);
    void* p = free.back();
    free.pop_back();
    return p;
  }

  static void release(void* p, std::size_t n) noexcept {
    if (!p) return;
    auto& free = list().blocks;
    // A block of another size (a derived class) or beyond the bound goes back to the heap. A block
    // released on another thread simply joins that thread's list: all of them come from operator new.
    if (n != sizeof(T) || free.size() >= Keep || !reserve(free)) return ::operator delete(p);
    free.push_back(p);
  }

private:
  struct List {
    std::vector<void*> blocks;
    ~List() {
      for (void* p : blocks) ::operator delete(p);
    }
  };
  static List& list() noexcept {
    thread_local List l;
    return l;
  }
  // The list's own storage is taken once, up front, so release() never allocates (it is noexcept).
  static bool reserve(std::vector<void*>& v) noexcept {
    if (v.capacity() >= Keep) return true;
    try {
      v.reserve(Keep);
      return true;
    } catch (...) {
      return false;
    }
  }
};

} // namespace balancerd::pipeline
