#pragma once
// Taking the connections already waiting in a listen socket's queue in one go (internal to
// server/net: it includes Asio).
//
// Why: async_accept takes one connection per completion, and that completion runs only after every
// handler already queued on the io thread. Under load (hundreds of busy connections per loop pass)
// that is one accept per pass, so a burst of new clients waits in the kernel's accept queue for
// seconds with their first requests already sent (proxy bench, 512 connections opened at once: the
// last ones were accepted 3 s later; p99 0.9-1.3 s against 0.1 s once accepted). HAProxy takes up to
// 64 per wake-up (tune.maxaccept); so does this.
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>

namespace balancerd::net {

// Up to `max` connections that are already waiting on `acceptor`, without blocking; each goes to
// on_accepted(tcp::socket&&). Stops at the first error (EAGAIN: the queue is empty; anything else,
// such as EMFILE, is left for the pending async_accept to report). Returns how many were taken.
template <class OnAccepted>
std::size_t accept_waiting(boost::asio::ip::tcp::acceptor& acceptor, std::size_t max,
                           OnAccepted&& on_accepted) {
  boost::system::error_code ec;
  if (!acceptor.non_blocking()) acceptor.non_blocking(true, ec); // async_accept is unaffected
  if (ec) return 0;
  std::size_t taken = 0;
  while (taken < max) {
    boost::asio::ip::tcp::socket socket(acceptor.get_executor());
    acceptor.accept(socket, ec);
    if (ec) break;
    ++taken;
    on_accepted(std::move(socket));
  }
  return taken;
}

} // namespace balancerd::net
