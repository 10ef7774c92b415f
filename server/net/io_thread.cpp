#include "server/net/io_thread.hpp"

namespace balancerd::net {

namespace {
thread_local boost::asio::io_context* current_io = nullptr;
}

boost::asio::io_context* this_thread_io_context() noexcept {
  return current_io;
}

void set_this_thread_io_context(boost::asio::io_context* io) noexcept {
  current_io = io;
}

} // namespace balancerd::net
