#include "server/lifecycle/signal_watch.hpp"

#include <sys/signalfd.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cerrno>
#include <system_error>

namespace balancerd::lifecycle {

namespace asio = boost::asio;

struct SignalWatch::Impl : std::enable_shared_from_this<Impl> {
  explicit Impl(asio::io_context& io) : fd(io) {}
  asio::posix::stream_descriptor fd;
  std::function<void(int)> on_signal;

  void wait() {
    // the handler holds the state: a completion queued before the watch closed still finds it
    fd.async_wait(asio::posix::descriptor_base::wait_read,
                  [this, self = shared_from_this()](const boost::system::error_code& ec) {
                    // Cancelled: the watch is going away.
                    if (ec == asio::error::operation_aborted || !fd.is_open()) return;
                    signalfd_siginfo info{};
                    const ssize_t n = ::read(fd.native_handle(), &info, sizeof info);
                    if (n != static_cast<ssize_t>(sizeof info)) {
                      // Nothing after all (another reader took it) or interrupted: wait again. Any other
                      // error would repeat forever, so the watch stops there.
                      if (!ec && (n < 0 && (errno == EAGAIN || errno == EINTR))) wait();
                      return;
                    }
                    // the handler may call async_wait() again, which replaces on_signal
                    auto handler = std::move(on_signal);
                    on_signal = nullptr;
                    handler(static_cast<int>(info.ssi_signo));
                  });
  }
};

SignalWatch::SignalWatch(asio::io_context& io, const sigset_t& signals) : impl_(std::make_shared<Impl>(io)) {
  const int fd = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
  impl_->fd.assign(fd);
}

SignalWatch::~SignalWatch() {
  boost::system::error_code ec;
  impl_->fd.close(ec);
  impl_->on_signal = nullptr; // what it captured may go with the caller
}

void SignalWatch::async_wait(std::function<void(int)> on_signal) {
  impl_->on_signal = std::move(on_signal);
  impl_->wait();
}

} // namespace balancerd::lifecycle
