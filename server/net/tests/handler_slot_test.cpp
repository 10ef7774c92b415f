// HandlerSlot: an asynchronous operation started with bind_slot() takes its memory from the slot (not
// the heap) while the slot is free, gives it back before its handler runs, and one started while the
// slot is busy takes the heap instead, so two pending operations never share the memory.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>

#include "server/net/handler_slot.hpp"

namespace balancerd::net {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

TEST(HandlerSlot, AllocatesFromTheSlotOnceThenFromTheHeap) {
  HandlerSlot slot;
  SlotAllocator<int> a(&slot);
  int* first = a.allocate(4);
  EXPECT_TRUE(slot.busy());
  int* second = a.allocate(4); // the slot is taken: the heap serves this one
  EXPECT_NE(first, second);
  first[0] = 1;
  second[0] = 2;
  a.deallocate(second, 4);
  EXPECT_TRUE(slot.busy());
  a.deallocate(first, 4);
  EXPECT_FALSE(slot.busy());
  EXPECT_EQ(a.allocate(4), first); // free again: the slot's memory once more
  a.deallocate(first, 4);
}

TEST(HandlerSlot, TooLargeARequestTakesTheHeap) {
  HandlerSlot slot;
  SlotAllocator<char> a(&slot);
  char* big = a.allocate(HandlerSlot::kSize + 1);
  EXPECT_FALSE(slot.busy());
  big[HandlerSlot::kSize] = 'x';
  a.deallocate(big, HandlerSlot::kSize + 1);
}

TEST(HandlerSlot, AsioReadHoldsTheSlotUntilItsHandlerRuns) {
  asio::io_context io;
  asio::local::stream_protocol::socket a(io), b(io);
  asio::local::connect_pair(a, b);
  HandlerSlot slot;
  char buf[8];
  bool ran = false;
  bool busy_in_handler = true;
  a.async_read_some(asio::buffer(buf), bind_slot(slot, [&](const error_code& ec, std::size_t n) {
                      ran = true;
                      EXPECT_FALSE(ec);
                      EXPECT_EQ(n, 2u);
                      busy_in_handler = slot.busy(); // given back before the handler is called
                    }));
  EXPECT_TRUE(slot.busy()); // the pending read's operation lives in the slot
  asio::write(b, asio::buffer("hi", 2));
  io.run();
  EXPECT_TRUE(ran);
  EXPECT_FALSE(busy_in_handler);
  EXPECT_FALSE(slot.busy());
}

TEST(HandlerSlot, SecondPendingOperationUsesTheHeapAndBothComplete) {
  asio::io_context io;
  HandlerSlot slot;
  asio::steady_timer t1(io), t2(io);
  t1.expires_after(std::chrono::milliseconds(1));
  t2.expires_after(std::chrono::milliseconds(2));
  int done = 0;
  t1.async_wait(bind_slot(slot, [&](const error_code& ec) {
    EXPECT_FALSE(ec);
    ++done;
  }));
  EXPECT_TRUE(slot.busy());
  t2.async_wait(bind_slot(slot, [&](const error_code& ec) {
    EXPECT_FALSE(ec);
    ++done;
  }));
  io.run();
  EXPECT_EQ(done, 2);
  EXPECT_FALSE(slot.busy());
}

TEST(HandlerSlot, OperationAbandonedWithItsIoContextGivesTheSlotBack) {
  HandlerSlot slot;
  auto owner = std::make_shared<int>(7);
  std::weak_ptr<int> watch = owner;
  {
    asio::io_context io;
    asio::steady_timer t(io);
    t.expires_after(std::chrono::hours(1));
    t.async_wait(bind_slot(slot, [keep = std::move(owner)](const error_code&) {}));
    EXPECT_TRUE(slot.busy());
  } // destroyed with the wait pending: the operation is destroyed, its memory given back
  EXPECT_FALSE(slot.busy());
  EXPECT_TRUE(watch.expired());
}

} // namespace
} // namespace balancerd::net
