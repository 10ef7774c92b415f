#pragma once
// The server's lifecycle signals (stop, graceful stop, reload) as events of an io loop: a signalfd
// read on the loop that the main thread runs, so no thread has to wait in sigwait(). The signals
// stay blocked in every thread, as sigwait() needs them: pending ones wait in the kernel until read,
// and repeats of a pending signal coalesce, as they do for sigwait().
#include <signal.h>

#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace balancerd::lifecycle {

class SignalWatch {
public:
  // Watches `signals` (which the caller has blocked in every thread) on `io`. Throws
  // std::system_error when no signalfd can be made.
  SignalWatch(boost::asio::io_context& io, const sigset_t& signals);
  // Closes the descriptor: a pending async_wait() is cancelled and its handler never called.
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  // Calls on_signal(signal number) once, on io's thread, for the next signal (the lowest numbered
  // first when several are pending, as sigwait() takes them). Call again for the one after: until
  // then signals stay pending.
  void async_wait(std::function<void(int)> on_signal);

private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

} // namespace balancerd::lifecycle
