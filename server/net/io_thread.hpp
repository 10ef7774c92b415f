#pragma once
// The io_context of the calling io thread, for handlers that open their own sockets (the proxy's
// backend connections, health checks) on the same thread as the client connection, so a request
// never crosses threads. Includes Asio: keep it out of widely included headers.
#include <boost/asio/io_context.hpp>

namespace balancerd::net {

// Null when called from a thread that is not one of the server's io threads.
boost::asio::io_context* this_thread_io_context() noexcept;
// Set by the thread that runs `io` (HttpServer's threads; tests that run their own io_context).
void set_this_thread_io_context(boost::asio::io_context* io) noexcept;

} // namespace balancerd::net
