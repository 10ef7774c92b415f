#pragma once
// async_read_drained(): a socket's async_read_some() that knows when a read emptied the socket. Asio
// tries every read at once before waiting for the socket to become readable, and only an end of stream
// stops it doing so; right after a reply drained the socket (a client's next request, a backend's next
// response) that first recv almost always fails with EAGAIN: ~1.3 wasted system calls per proxied
// request at 64 connections. Here a read that leaves the socket empty tells the reactor so (under the
// descriptor's lock, so an event arriving meanwhile is not lost), and the next read is queued for the
// socket's next readiness event without a system call. This is HAProxy's model (a drained socket waits
// for the poller).
//
// When is a socket empty after a plain recv()? A short read (fewer bytes than the buffer holds) means
// recv found no more bytes queued (TCP also stops short at an urgent mark); bytes arriving during or
// after the call wake epoll when they are queued, and epoll being edge-triggered, they raise a new
// event for the socket (the kernel queues them while recv holds the socket and wakes epoll on its way
// out). A FIN is different: queued behind the last bytes before epoll delivered the event we are
// serving, it was covered by that one event, reading the bytes raises none, and a read queued now
// would wait forever (a client's `printf ... | nc -N` would get its answer and then sit until the
// keep-alive timeout). So enable_drained_reads() registers EPOLLRDHUP, and a short read counts as
// draining only when the events epoll delivered last for the socket (Asio keeps them in the
// descriptor's state) lack EPOLLRDHUP, EPOLLHUP, EPOLLERR and EPOLLPRI. Why that suffices:
//  - The kernel computes a delivered event's mask by polling the socket at delivery time, after the
//    socket left epoll's ready list; a FIN (or urgent data, or an error) that arrives after that poll
//    wakes epoll again and the socket is delivered once more; one that arrived before it shows in the
//    mask. So "the last delivered events lack EPOLLRDHUP" means "no FIN, or a FIN whose event is still
//    to come", and the queued read then performs at that event and sees the end of stream.
//  - Before enable_drained_reads(), deliveries were masked without EPOLLRDHUP; the EPOLL_CTL_MOD that
//    adds it polls the socket and queues a new event when anything is readable, so what was said of a
//    delivery holds from the MOD on. The same covers a descriptor state Asio recycled from a closed
//    socket, whose last events are the old socket's: no EPOLLRDHUP there is safe for the same reason,
//    and a stale EPOLLRDHUP only costs the read Asio would have made anyway.
//  - Reads Asio performs at once (start_op, before any event) see the events of the last delivery,
//    however old; the argument above never needed them to be recent. A delivery not yet performed
//    (queued behind the running handler) has already written its events, which is only more recent.
// The events are written by the reactor's thread: sound because each io_context here is run by one
// thread, the one that performs every operation on its sockets.
//
// Built on Asio's reactor internals (Boost 1.81, Asio 1.26, epoll; epoll_access.hpp): with another Asio
// version or reactor it is the plain async_read_some. Sockets without enable_drained_reads(), such as
// Unix sockets, get Asio's reads too. Includes Asio: keep it out of widely included headers.
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
#include <sys/epoll.h>
#include <sys/socket.h>

#include "server/net/epoll_access.hpp"
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

// The recv operation: Asio's, except that a read leaving the socket empty (see above) reports it so.
template <class Source, class Handler, class IoExecutor> class RecvOp : public ad::reactor_op {
public:
  BOOST_ASIO_DEFINE_HANDLER_PTR(RecvOp);

  RecvOp(ad::socket_type s, epoll_access::DescriptorState* descriptor, Source source, Handler& handler,
         const IoExecutor& io_ex)
      : ad::reactor_op(boost::system::error_code(), &RecvOp::do_perform, &RecvOp::do_complete), socket_(s),
        descriptor_(descriptor), source_(source), handler_(std::move(handler)), work_(handler_, io_ex) {}

  // Called by the reactor under the descriptor's lock (start_op, perform_io), with the descriptor
  // registered.
  static status do_perform(ad::reactor_op* base) {
    auto* o = static_cast<RecvOp*>(base);
    const boost::asio::mutable_buffer buf = o->source_.acquire_read_buffer();
    for (;;) {
      const ssize_t n = ::recv(o->socket_, buf.data(), buf.size(), 0);
      if (n > 0) {
        o->ec_ = boost::system::error_code();
        o->bytes_transferred_ = static_cast<std::size_t>(n);
        return static_cast<std::size_t>(n) < buf.size() && short_read_drains(*o->descriptor_)
                   ? done_and_exhausted
                   : done;
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
  // A short read empties the socket only on a socket registered for EPOLLRDHUP whose last delivered
  // events show no FIN, urgent data, hang-up or error (see the top of this file).
  static bool short_read_drains(epoll_access::DescriptorState& d) noexcept {
    constexpr std::uint32_t pending = EPOLLRDHUP | EPOLLHUP | EPOLLERR | EPOLLPRI;
    return (epoll_access::registered_events(d) & EPOLLRDHUP) &&
           !(epoll_access::last_ready_events(d) & pending);
  }

  ad::socket_type socket_;
  epoll_access::DescriptorState* descriptor_;
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
      p.p = new (p.v) DirectOp(impl.socket_, impl.reactor_data_, source, h, *ex);
      (service.*(ServiceAccess::start()))(impl, ad::reactor::read_op, p.p, false, true, false);
      p.v = p.p = nullptr;
      return;
    }
  }
  using Op = RecvOp<Source, H, Executor>;
  typename Op::ptr p = {std::addressof(h), Op::ptr::allocate(h), nullptr};
  p.p = new (p.v) Op(impl.socket_, impl.reactor_data_, source, h, socket.get_executor());
  (service.*(ServiceAccess::start()))(impl, ad::reactor::read_op, p.p, false, true, false);
  p.v = p.p = nullptr;
}

} // namespace drained_detail
#endif

// Lets async_read_drained() and backend::async_read_pooled() tell when a read emptied this socket:
// registers EPOLLRDHUP for it (once per socket, an epoll_ctl; needs an open socket). Harmless to
// skip: reads then behave as Asio's.
template <class Protocol, class Executor>
void enable_drained_reads(boost::asio::basic_stream_socket<Protocol, Executor>& socket) noexcept {
#if BALANCERD_DRAINED_READ
  using namespace drained_detail;
  auto& impl = (socket.*(SocketAccess<Protocol, Executor>::impl())).get_implementation();
  epoll_access::DescriptorState* d = impl.reactor_data_;
  if (!d) return;
  ad::conditionally_enabled_mutex::scoped_lock lock(epoll_access::mutex(*d));
  std::uint32_t& registered = epoll_access::registered_events(*d);
  if (registered == 0 || (registered & EPOLLRDHUP)) return; // not pollable, or done already
  epoll_event ev{};
  ev.events = registered | EPOLLRDHUP;
  ev.data.ptr = d;
  // Asio's own later EPOLL_CTL_MOD (for EPOLLOUT) starts from the registered set: it keeps EPOLLRDHUP.
  if (::epoll_ctl(epoll_access::epoll_fd(*d), EPOLL_CTL_MOD, impl.socket_, &ev) == 0) registered = ev.events;
#else
  (void)socket;
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
