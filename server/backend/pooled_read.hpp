#pragma once
// async_read_pooled(): net::async_read_drained() whose buffer is asked for only when the read is
// performed, that is when bytes (or an end of stream) are there to be read. A backend connection
// waiting for its response, or idle in a pool with a read pending to notice a close, then holds no
// buffer: at 512 connections that is hundreds of 8 KB buffers fewer in the cache, and the buffer a
// read gets is the one most recently given back to the thread's pool, still hot.
//
// Source (the caller's, alive until the handler runs):
//   boost::asio::mutable_buffer acquire_read_buffer();  // the buffer for this attempt
//   void read_buffer_unused() noexcept;                 // the attempt read no byte (would block,
//                                                       // end of stream, error): it may go back
// Built on the same Asio internals as drained_read.hpp (Boost 1.81, epoll); elsewhere the buffer is
// acquired at once and the read is Asio's. Includes Asio: only for .cpp files.
#include "server/net/drained_read.hpp"

namespace balancerd::backend {

// Reads at least one byte into the buffer source.acquire_read_buffer() gives when the read happens,
// like socket.async_read_some(that buffer, handler).
template <class Protocol, class Executor, class Source, class Handler>
void async_read_pooled(boost::asio::basic_stream_socket<Protocol, Executor>& socket, Source& source,
                       Handler&& handler) {
#if BALANCERD_DRAINED_READ
  using net::drained_detail::SourceRef;
  net::drained_detail::start_recv(socket, SourceRef<Source>{&source}, std::forward<Handler>(handler));
#else
  socket.async_read_some(source.acquire_read_buffer(), std::forward<Handler>(handler));
#endif
}

} // namespace balancerd::backend
