#pragma once
// A loopback HTTP backend for the backend tests: a thread with poll(), serving canned responses on
// 127.0.0.1 (ephemeral port) or a unix socket, counting connections and requests. Plain POSIX so it
// shares nothing with the code under test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "server/backend/tests/loopback_socket.hpp"

namespace balancerd::backend::testing {

class TestBackend {
public:
  enum class Mode {
    KeepAlive,  // answer every request on the connection
    CloseAfter, // answer, then close the connection
    Silent,     // read requests, never answer
  };

  explicit TestBackend(std::string response, Mode mode = Mode::KeepAlive, std::string uds_path = {})
      : response_(std::move(response)), mode_(mode), uds_(std::move(uds_path)) {
    if (uds_.empty()) {
      fd_ = bind_loopback(port_);
    } else {
      ::unlink(uds_.c_str());
      fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strncpy(a.sun_path, uds_.c_str(), sizeof a.sun_path - 1);
      ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    ::listen(fd_, 64);
    thread_ = std::thread([this] { run(); });
  }

  ~TestBackend() {
    stop_ = true;
    thread_.join();
    for (auto& [fd, buf] : conns_) ::close(fd);
    ::close(fd_);
    if (!uds_.empty()) ::unlink(uds_.c_str());
  }

  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  int requests() const { return requests_.load(); }
  int open_connections() const { return open_.load(); }
  // Closes every accepted connection (a backend's keep-alive timeout).
  void close_all() { close_all_ = true; }

private:
  void run() {
    for (int round = 0; !stop_ && round < 100000; ++round) {
      if (close_all_.exchange(false)) {
        for (auto& [fd, buf] : conns_) ::close(fd);
        conns_.clear();
        open_ = 0;
      }
      std::vector<pollfd> fds;
      fds.push_back({fd_, POLLIN, 0});
      for (auto& [fd, buf] : conns_) fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 5) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c >= 0) {
          conns_[c];
          ++accepted_;
          ++open_;
        }
      }
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        int fd = fds[i].fd;
        char tmp[4096];
        ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
        if (n <= 0) {
          ::close(fd);
          conns_.erase(fd);
          --open_;
          continue;
        }
        auto& buf = conns_[fd];
        buf.append(tmp, static_cast<std::size_t>(n));
        bool closed = false;
        // `buf` is gone once the connection is closed: look again only while it is open
        for (auto end = buf.find("\r\n\r\n"); end != std::string::npos && !closed;
             end = closed ? std::string::npos : buf.find("\r\n\r\n")) {
          buf.erase(0, end + 4);
          ++requests_;
          if (mode_ == Mode::Silent) continue;
          ::send(fd, response_.data(), response_.size(), MSG_NOSIGNAL);
          if (mode_ == Mode::CloseAfter) {
            ::close(fd);
            conns_.erase(fd);
            --open_;
            closed = true;
          }
        }
      }
    }
  }

  std::string response_;
  Mode mode_;
  std::string uds_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::map<int, std::string> conns_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> close_all_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> requests_{0};
  std::atomic<int> open_{0};
  std::thread thread_;
};

// A port with nothing listening (bound, so no one else takes it while the test runs).
class ClosedPort {
public:
  ClosedPort() { fd_ = bind_loopback(port_, false); }
  ~ClosedPort() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

private:
  int fd_;
  std::uint16_t port_;
};

// A listener that never accepts, with its accept queue filled, so a new connect hangs (Linux drops
// the SYN while the queue is full).
class Blackhole {
public:
  Blackhole() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 0);
    for (int i = 0; i < 16; ++i) {
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      fillers_.push_back(c);
      ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
      pollfd p{c, POLLOUT, 0};
      if (::poll(&p, 1, 50) == 0) {
        full_ = true; // this one hangs: the queue is full
        break;
      }
    }
  }
  ~Blackhole() {
    for (int c : fillers_) ::close(c);
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  bool full() const { return full_; }

private:
  int fd_;
  std::uint16_t port_;
  bool full_ = false;
  std::vector<int> fillers_;
};

inline std::string temp_socket_path(const char* name) {
  return "/tmp/bd-backend-test-" + std::to_string(::getpid()) + "-" + name + ".sock";
}

} // namespace balancerd::backend::testing
