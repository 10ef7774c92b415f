#pragma once
// async_read_drained(): a socket's async_read_some() that knows when a read emptied the socket. Asio
// tries every read at once before waiting for the socket to become readable, and only an end of stream
// stops it doing so; right after a reply drained the socket (a client's next request, a backend's next
// response) that first recv almost always fails with EAGAIN: ~1.3 wasted system calls per proxied
// request at 64 connections. Here each read asks the kernel, in the same recvmsg, what it still holds
// (TCP_INQ: the bytes left, or 1 when a FIN waits behind them); when nothing is left the reactor is told
// the socket is drained (under its own lock, so an event arriving meanwhile is not lost), and the next
// read is queued for the socket's next readiness event without a system call (epoll is edge-triggered:
// bytes or a FIN arriving later raise a new event). A short read alone is not proof: a FIN queued with
// the last bytes raises no further event. This is HAProxy's model (a drained socket waits for the
// poller).
//
// Built on Asio's reactor internals (Boost 1.81, Asio 1.26, epoll): with another Asio version or
// reactor it is the plain async_read_some. Sockets without enable_drained_reads() (TCP_INQ), such as
// Unix sockets, get a plain read too. Includes Asio: keep it out of widely included headers.
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/version.hpp>
#include <memory>
#include <type_traits>
#include <utility>

#if BOOST_ASIO_VERSION == 102600 && defined(BOOST_ASIO_HAS_EPOLL) &&                                         \
    !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#define BALANCERD_DRAINED_READ 1
#include <boost/asio/detail/bind_handler.hpp>
#include <boost/asio/detail/fenced_block.hpp>
#include <boost/asio/detail/handler_alloc_helpers.hpp>
#include <boost/asio/detail/handler_work.hpp>
#include <boost/asio/detail/reactive_socket_service_base.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/detail/socket_ops.hpp>
#include <boost/asio/error.hpp>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

namespace balancerd::net {

#if BALANCERD_DRAINED_READ
namespace drained_detail {

namespace ad = boost::asio::detail;

// Where a read's bytes go, asked for when the recv is performed (the socket is readable then):
//   boost::asio::mutable_buffer acquire_read_buffer();  // the buffer for this attempt
//   void read_buffer_unused() noexcept;                 // the attempt read no byte: it may go back
// FixedBuffer is a caller's buffer given up front; a pooled source (backend/pooled_read.hpp) takes one
// from the thread's pool only when bytes are there.
struct FixedBuffer {
  boost::asio::mutable_buffer buf;
  boost::asio::mutable_buffer acquire_read_buffer() const noexcept { return buf; }
  void read_buffer_unused() const noexcept {}
};
template <class Source> struct SourceRef { // a source the caller keeps alive until the handler runs
  Source* source;
  boost::asio::mutable_buffer acquire_read_buffer() { return source->acquire_read_buffer(); }
  void read_buffer_unused() noexcept { source->read_buffer_unused(); }
};

// The recv operation: Asio's, except that a read leaving nothing behind (TCP_INQ hint 0: no byte and
// no FIN) reports the socket drained.
template <class Source, class Handler, class IoExecutor> class RecvOp : public ad::reactor_op {
public:
  BOOST_ASIO_DEFINE_HANDLER_PTR(RecvOp);

  RecvOp(ad::socket_type s, Source source, Handler& handler, const IoExecutor& io_ex)
      : ad::reactor_op(boost::system::error_code(), &RecvOp::do_perform, &RecvOp::do_complete), socket_(s),
        source_(source), handler_(std::move(handler)), work_(handler_, io_ex) {}

  static status do_perform(ad::reactor_op* base) {
    auto* o = static_cast<RecvOp*>(base);
    const boost::asio::mutable_buffer buf = o->source_.acquire_read_buffer();
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
        o->source_.read_buffer_unused();
        o->ec_ = boost::asio::error::eof;
        return done_and_exhausted;
      }
      if (errno == EINTR) continue;
      o->source_.read_buffer_unused();
      if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done; // queued for the next event
      o->ec_ = boost::system::error_code(errno, boost::asio::error::get_system_category());
      return done;
    }
  }

  static void do_complete(void* owner, ad::operation* base, const boost::system::error_code&, std::size_t) {
    auto* o = static_cast<RecvOp*>(base);
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
  Source source_;
  Handler handler_;
  ad::handler_work<Handler, IoExecutor> work_;
};

// Protected members reached through pointers to members named in a derived class (never instantiated).
template <class Protocol, class Executor>
struct SocketAccess : boost::asio::basic_socket<Protocol, Executor> {
  static constexpr auto impl() { return &SocketAccess::impl_; }
};
struct ServiceAccess : ad::reactive_socket_service_base {
  static constexpr auto start() { return &ServiceAccess::start_op; }
};

// Queues a RecvOp reading into `source` on the socket's reactor, as async_read_some queues its own.
template <class Source, class Protocol, class Executor, class Handler>
void start_recv(boost::asio::basic_stream_socket<Protocol, Executor>& socket, Source source,
                Handler&& handler) {
  using H = std::decay_t<Handler>;
  auto& io = socket.*(SocketAccess<Protocol, Executor>::impl());
  auto& impl = io.get_implementation();
  ad::reactive_socket_service_base& service = io.get_service();
  H h(std::forward<Handler>(handler));
  // A socket on an io_context behind the type-erased any_io_executor: the operation keeps the
  // io_context's own executor, so its completion neither copies nor calls through the type erasure
  // (Asio tracks no extra work for the io_context's executor either way).
  if constexpr (std::is_same_v<Executor, boost::asio::any_io_executor>) {
    if (const auto* ex = socket.get_executor().template target<boost::asio::io_context::executor_type>()) {
      using DirectOp = RecvOp<Source, H, boost::asio::io_context::executor_type>;
      typename DirectOp::ptr p = {std::addressof(h), DirectOp::ptr::allocate(h), nullptr};
      p.p = new (p.v) DirectOp(impl.socket_, source, h, *ex);
      (service.*(ServiceAccess::start()))(impl, ad::reactor::read_op, p.p, false, true, false);
      p.v = p.p = nullptr;
      return;
    }
  }
  using Op = RecvOp<Source, H, Executor>;
  typename Op::ptr p = {std::addressof(h), Op::ptr::allocate(h), nullptr};
  p.p = new (p.v) Op(impl.socket_, source, h, socket.get_executor());
  (service.*(ServiceAccess::start()))(impl, ad::reactor::read_op, p.p, false, true, false);
  p.v = p.p = nullptr;
}

} // namespace drained_detail
#endif

// Asks the kernel for the TCP_INQ hint on this TCP socket's reads (once per socket; async_read_drained
// needs it to tell a drained socket). Harmless to skip: reads then behave as Asio's.
inline void enable_drained_reads(int native_socket) noexcept {
#if BALANCERD_DRAINED_READ
  const int one = 1;
  (void)::setsockopt(native_socket, SOL_TCP, TCP_INQ, &one, sizeof one);
#else
  (void)native_socket;
#endif
}

// Reads at least one byte into buf (not empty), like socket.async_read_some(buf, handler).
template <class Protocol, class Executor, class Handler>
void async_read_drained(boost::asio::basic_stream_socket<Protocol, Executor>& socket,
                        boost::asio::mutable_buffer buf, Handler&& handler) {
#if BALANCERD_DRAINED_READ
  drained_detail::start_recv(socket, drained_detail::FixedBuffer{buf}, std::forward<Handler>(handler));
#else
  socket.async_read_some(buf, std::forward<Handler>(handler));
#endif
}

} // namespace balancerd::net
