// ThreadRecycler: a released block of the type's size is handed out again (the last one first); other
// sizes go to and from the heap.
#include <gtest/gtest.h>

#include "server/pipeline/thread_recycler.hpp"

using balancerd::pipeline::ThreadRecycler;

namespace {
struct Thing {
  char bytes[2000];
};
struct Other {
  char bytes[64];
};
using Recycler = ThreadRecycler<Thing, 2>;
} // namespace

TEST(ThreadRecycler, ReusesTheLastReleasedBlock) {
  void* a = Recycler::allocate(sizeof(Thing));
  void* b = Recycler::allocate(sizeof(Thing));
  Recycler::release(a, sizeof(Thing));
  Recycler::release(b, sizeof(Thing));
  EXPECT_EQ(Recycler::allocate(sizeof(Thing)), b);
  EXPECT_EQ(Recycler::allocate(sizeof(Thing)), a);
  Recycler::release(a, sizeof(Thing));
  Recycler::release(b, sizeof(Thing));
}

TEST(ThreadRecycler, KeepsAtMostTheBound) {
  void* a = Recycler::allocate(sizeof(Thing));
  void* b = Recycler::allocate(sizeof(Thing));
  void* c = Recycler::allocate(sizeof(Thing));
  Recycler::release(a, sizeof(Thing));
  Recycler::release(b, sizeof(Thing));
  Recycler::release(c, sizeof(Thing)); // beyond Keep = 2: back to the heap
  EXPECT_EQ(Recycler::allocate(sizeof(Thing)), b);
  EXPECT_EQ(Recycler::allocate(sizeof(Thing)), a);
  void* d = Recycler::allocate(sizeof(Thing)); // list empty: from the heap
  EXPECT_NE(d, a);
  EXPECT_NE(d, b);
  Recycler::release(a, sizeof(Thing));
  Recycler::release(b, sizeof(Thing));
  Recycler::release(d, sizeof(Thing));
}

TEST(ThreadRecycler, OtherSizesBypassTheList) {
  void* a = Recycler::allocate(sizeof(Thing));
  Recycler::release(a, sizeof(Thing));
  void* small = Recycler::allocate(sizeof(Other)); // a derived class's size: not from the list
  EXPECT_NE(small, a);
  Recycler::release(small, sizeof(Other));
  EXPECT_EQ(Recycler::allocate(sizeof(Thing)), a);
  Recycler::release(a, sizeof(Thing));
}
