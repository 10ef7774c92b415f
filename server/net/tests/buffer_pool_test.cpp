// The per-thread I/O buffer pool: LIFO reuse (the buffer given back last is lent next, still hot in
// the cache), the cap on idle buffers, sizes other than the common one, and handle moves.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <utility>

#include "server/net/buffer_pool.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define BUFFER_POOL_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUFFER_POOL_TEST_ASAN 1
#endif
#endif
#if BUFFER_POOL_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace balancerd::net {
namespace {

// Each test starts from an empty pool with the default caps on this thread.
class BufferPoolTest : public ::testing::Test {
protected:
  void SetUp() override {
    pool().trim();
    pool().set_caps(BufferPool::kDefaultCommonCap, BufferPool::kDefaultOtherCap);
  }
  void TearDown() override { pool().trim(); }
  static BufferPool& pool() { return BufferPool::local(); }
};

TEST_F(BufferPoolTest, BorrowedBufferHasTheAskedSizeAndIsWritable) {
  IoBuffer b = borrow_io_buffer(BufferPool::kCommonSize);
  ASSERT_TRUE(b);
  EXPECT_EQ(b.size(), BufferPool::kCommonSize);
  std::memset(b.data(), 'x', b.size());
  EXPECT_EQ(b.span().size(), BufferPool::kCommonSize);
  EXPECT_EQ(b.data()[b.size() - 1], 'x');
}

TEST_F(BufferPoolTest, TheLastReturnedIsTheNextBorrowed) {
  IoBuffer a = borrow_io_buffer(BufferPool::kCommonSize);
  IoBuffer b = borrow_io_buffer(BufferPool::kCommonSize);
  IoBuffer c = borrow_io_buffer(BufferPool::kCommonSize);
  char* pa = a.data();
  char* pb = b.data();
  char* pc = c.data();
  EXPECT_NE(pa, pb);
  EXPECT_NE(pb, pc);
  a.reset();
  c.reset();
  b.reset();
  EXPECT_EQ(pool().idle_common(), 3u);
  EXPECT_EQ(borrow_io_buffer(BufferPool::kCommonSize).data(), pb); // given back and borrowed again
  IoBuffer x = borrow_io_buffer(BufferPool::kCommonSize);
  EXPECT_EQ(x.data(), pb); // the temporary above went back first
  IoBuffer y = borrow_io_buffer(BufferPool::kCommonSize);
  EXPECT_EQ(y.data(), pc);
  IoBuffer z = borrow_io_buffer(BufferPool::kCommonSize);
  EXPECT_EQ(z.data(), pa);
  EXPECT_EQ(pool().idle_common(), 0u);
}

TEST_F(BufferPoolTest, IdleBuffersBeyondTheCapAreFreed) {
  pool().set_caps(2, 1);
  {
    IoBuffer a = borrow_io_buffer(BufferPool::kCommonSize);
    IoBuffer b = borrow_io_buffer(BufferPool::kCommonSize);
    IoBuffer c = borrow_io_buffer(BufferPool::kCommonSize);
    IoBuffer d = borrow_io_buffer(BufferPool::kCommonSize);
  }
  EXPECT_EQ(pool().idle_common(), 2u);
  {
    IoBuffer a = borrow_io_buffer(1000);
    IoBuffer b = borrow_io_buffer(1000);
  }
  EXPECT_EQ(pool().idle_other(), 1u);
  pool().set_caps(1, 0); // lowering a cap frees the excess at once
  EXPECT_EQ(pool().idle_common(), 1u);
  EXPECT_EQ(pool().idle_other(), 0u);
  pool().set_caps(0, 0);
  borrow_io_buffer(BufferPool::kCommonSize).reset();
  EXPECT_EQ(pool().idle_common(), 0u);
}

TEST_F(BufferPoolTest, OtherSizesAreReusedOnlyForTheSameSize) {
  IoBuffer small = borrow_io_buffer(512);
  IoBuffer big = borrow_io_buffer(65536);
  char* ps = small.data();
  char* pbig = big.data();
  small.reset();
  big.reset();
  EXPECT_EQ(pool().idle_other(), 2u);
  EXPECT_EQ(pool().idle_common(), 0u);
  IoBuffer c = borrow_io_buffer(BufferPool::kCommonSize); // not one of the other sizes
  EXPECT_NE(c.data(), ps);
  EXPECT_NE(c.data(), pbig);
  IoBuffer s2 = borrow_io_buffer(512);
  EXPECT_EQ(s2.data(), ps);
  EXPECT_EQ(s2.size(), 512u);
  IoBuffer b2 = borrow_io_buffer(65536);
  EXPECT_EQ(b2.data(), pbig);
  std::memset(b2.data(), 0, b2.size());
  EXPECT_EQ(pool().idle_other(), 0u);
}

TEST_F(BufferPoolTest, TheOldestOtherSizeMakesRoomWhenFull) {
  pool().set_caps(BufferPool::kDefaultCommonCap, 2);
  IoBuffer a = borrow_io_buffer(100);
  IoBuffer b = borrow_io_buffer(200);
  IoBuffer c = borrow_io_buffer(300);
  char* pb = b.data();
  char* pc = c.data();
  a.reset();
  b.reset();
  c.reset(); // pushes out the 100-byte one
  EXPECT_EQ(pool().idle_other(), 2u);
  IoBuffer a2 = borrow_io_buffer(100); // new
  IoBuffer b2 = borrow_io_buffer(200);
  IoBuffer c2 = borrow_io_buffer(300);
  EXPECT_EQ(b2.data(), pb);
  EXPECT_EQ(c2.data(), pc);
  EXPECT_EQ(pool().idle_other(), 0u);
}

TEST_F(BufferPoolTest, MovingAHandleMovesTheLoan) {
  IoBuffer a = borrow_io_buffer(BufferPool::kCommonSize);
  char* p = a.data();
  IoBuffer b(std::move(a));
  EXPECT_FALSE(a); // NOLINT(bugprone-use-after-move): a moved-from handle is empty by contract
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.data(), p);
  EXPECT_EQ(pool().idle_common(), 0u);

  IoBuffer c = borrow_io_buffer(BufferPool::kCommonSize);
  char* pc = c.data();
  c = std::move(b); // c's own buffer goes back first
  EXPECT_EQ(c.data(), p);
  EXPECT_EQ(pool().idle_common(), 1u);
  IoBuffer& alias = c;
  c = std::move(alias); // self-move keeps it
  EXPECT_EQ(c.data(), p);
  c.reset();
  c.reset(); // twice is harmless
  EXPECT_EQ(pool().idle_common(), 2u);
  EXPECT_EQ(borrow_io_buffer(BufferPool::kCommonSize).data(), p);
  EXPECT_EQ(pool().idle_common(), 2u);
  IoBuffer d = borrow_io_buffer(BufferPool::kCommonSize);
  IoBuffer e = borrow_io_buffer(BufferPool::kCommonSize);
  EXPECT_EQ(e.data(), pc);
}

TEST_F(BufferPoolTest, EachThreadHasItsOwnPool) {
  borrow_io_buffer(BufferPool::kCommonSize).reset();
  EXPECT_EQ(pool().idle_common(), 1u);
  std::size_t other_thread_idle = 99;
  IoBuffer moved_in;
  std::thread t([&] {
    other_thread_idle = BufferPool::local().idle_common();
    IoBuffer kept = borrow_io_buffer(BufferPool::kCommonSize);
    moved_in = std::move(kept);
    borrow_io_buffer(4096).reset(); // left idle in that thread's pool, freed when the thread ends
  });
  t.join();
  EXPECT_EQ(other_thread_idle, 0u);
  EXPECT_EQ(pool().idle_common(), 1u);
  moved_in.reset(); // given back to this thread's pool
  EXPECT_EQ(pool().idle_common(), 2u);
}

#if BUFFER_POOL_TEST_ASAN
// A view kept into a buffer after it went back is reported by AddressSanitizer, not silently read.
TEST_F(BufferPoolTest, IdleBuffersArePoisonedUnderAddressSanitizer) {
  IoBuffer b = borrow_io_buffer(BufferPool::kCommonSize);
  char* p = b.data();
  EXPECT_FALSE(__asan_address_is_poisoned(p + 100));
  b.reset();
  EXPECT_TRUE(__asan_address_is_poisoned(p + 100));
  IoBuffer again = borrow_io_buffer(BufferPool::kCommonSize);
  ASSERT_EQ(again.data(), p);
  EXPECT_FALSE(__asan_address_is_poisoned(p + BufferPool::kCommonSize - 1));
}
#endif

} // namespace
} // namespace balancerd::net
