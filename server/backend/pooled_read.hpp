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

#if BALANCERD_DRAINED_READ
namespace pooled_detail {

namespace ad = boost::asio::detail;

template <class Source, class Handler, class IoExecutor> class PooledRecvOp : public ad::reactor_op {
public:
  BOOST_ASIO_DEFINE_HANDLER_PTR(PooledRecvOp);

  PooledRecvOp(ad::socket_type s, Source* source, Handler& handler, const IoExecutor& io_ex)
      : ad::reactor_op(boost::system::error_code(), &PooledRecvOp::do_perform, &PooledRecvOp::do_complete),
        socket_(s), source_(source), handler_(std::move(handler)), work_(handler_, io_ex) {}

  static status do_perform(ad::reactor_op* base) {
    auto* o = static_cast<PooledRecvOp*>(base);
    const boost::asio::mutable_buffer buf = o->source_->acquire_read_buffer();
    iovec iov{buf.data(), buf.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    for (;;) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      const ssize_t n = ::recvmsg(o->socket_, &msg, 0);
      if (n > 0) {
        o->ec_ = boost::system::error_code();
        o->bytes_transferred_ = static_cast<std::size_t>(n);
        int inq = -1; // no hint (TCP_INQ off): as Asio, try the next read at once
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
          if (c->cmsg_level == SOL_TCP && c->cmsg_type == TCP_CM_INQ)
            std::memcpy(&inq, CMSG_DATA(c), sizeof inq);
        return inq == 0 ? done_and_exhausted : done;
      }
      o->bytes_transferred_ = 0;
      if (n == 0) {
        o->source_->read_buffer_unused();
        o->ec_ = boost::asio::error::eof;
        return done_and_exhausted;
      }
      if (errno == EINTR) continue;
      o->source_->read_buffer_unused();
      if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done; // queued for the next event
      o->ec_ = boost::system::error_code(errno, boost::asio::error::get_system_category());
      return done;
    }
  }

  static void do_complete(void* owner, ad::operation* base, const boost::system::error_code&, std::size_t) {
    auto* o = static_cast<PooledRecvOp*>(base);
    ptr p = {std::addressof(o->handler_), o, o};
    ad::handler_work<Handler, IoExecutor> w(std::move(o->work_));
    // The handler is moved out before the operation's memory is freed (it may own that memory).
    ad::binder2<Handler, boost::system::error_code, std::size_t> handler(o->handler_, o->ec_,
                                                                         o->bytes_transferred_);
    p.h = std::addressof(handler.handler_);
    p.reset();
    if (owner) {
      ad::fenced_block b(ad::fenced_block::half);
      w.complete(handler, handler.handler_);
    }
  }

private:
  ad::socket_type socket_;
  Source* source_;
  Handler handler_;
  ad::handler_work<Handler, IoExecutor> work_;
};

} // namespace pooled_detail
#endif

// Reads at least one byte into the buffer source.acquire_read_buffer() gives when the read happens,
// like socket.async_read_some(that buffer, handler).
template <class Protocol, class Executor, class Source, class Handler>
void async_read_pooled(boost::asio::basic_stream_socket<Protocol, Executor>& socket, Source& source,
                       Handler&& handler) {
#if BALANCERD_DRAINED_READ
  using namespace net::drained_detail;
  using H = std::decay_t<Handler>;
  auto& io = socket.*(SocketAccess<Protocol, Executor>::impl());
  auto& impl = io.get_implementation();
  boost::asio::detail::reactive_socket_service_base& service = io.get_service();
  H h(std::forward<Handler>(handler));
  // As async_read_drained: the io_context's own executor when the socket's is the type-erased one.
  if constexpr (std::is_same_v<Executor, boost::asio::any_io_executor>) {
    if (const auto* ex = socket.get_executor().template target<boost::asio::io_context::executor_type>()) {
      using DirectOp = pooled_detail::PooledRecvOp<Source, H, boost::asio::io_context::executor_type>;
      typename DirectOp::ptr p = {std::addressof(h), DirectOp::ptr::allocate(h), nullptr};
      p.p = new (p.v) DirectOp(impl.socket_, &source, h, *ex);
      (service.*(ServiceAccess::start()))(impl, boost::asio::detail::reactor::read_op, p.p, false, true,
                                          false);
      p.v = p.p = nullptr;
      return;
    }
  }
  using Op = pooled_detail::PooledRecvOp<Source, H, Executor>;
  typename Op::ptr p = {std::addressof(h), Op::ptr::allocate(h), nullptr};
  p.p = new (p.v) Op(impl.socket_, &source, h, socket.get_executor());
  (service.*(ServiceAccess::start()))(impl, boost::asio::detail::reactor::read_op, p.p, false, true, false);
  p.v = p.p = nullptr;
#else
  socket.async_read_some(source.acquire_read_buffer(), std::forward<Handler>(handler));
#endif
}

} // namespace balancerd::backend
