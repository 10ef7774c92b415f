#pragma once
// A tiny HTTP backend on 127.0.0.1 for the health-check tests: records each request head, answers
// with a canned response (or closes, or stops listening so connects are refused), and can hold
// answers until the test releases them, so every check is stepped deterministically.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hctest {

inline std::string http_response(int status, std::string_view body = "ok",
                                 std::string_view extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + std::string(extra_headers) + "\r\n" + std::string(body);
}

class LoopbackBackend {
public:
  LoopbackBackend() {
    listen_on(0);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  // Listening on a Unix socket at `uds_path` instead.
  explicit LoopbackBackend(std::string uds_path) : uds_path_(std::move(uds_path)) {
    listen_on(0);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~LoopbackBackend() {
    stopping_ = true;
    {
      std::lock_guard lock(mu_);
      gated_ = false;
    }
    cv_.notify_all();
    acceptor_.join();
    for (std::thread& t : conns_) t.join();
    close_listener();
  }

  std::uint16_t port() const { return port_; }

  // Bytes sent to every later request ("" closes the connection without an answer).
  void respond(std::string raw) {
    std::lock_guard lock(mu_);
    response_ = std::move(raw);
  }
  // Stop listening (connects are refused) / listen again on the same port.
  void set_listening(bool on) {
    std::lock_guard lock(listen_mu_);
    if (!on) return close_listener_locked();
    if (fd_ < 0) listen_on(port_);
  }
  // Gated: requests wait (after being recorded) until release() lets one answer.
  void set_gated(bool on) {
    {
      std::lock_guard lock(mu_);
      gated_ = on;
    }
    cv_.notify_all();
  }
  void release(int n = 1) {
    {
      std::lock_guard lock(mu_);
      tokens_ += n;
    }
    cv_.notify_all();
  }

  int requests() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(received_.size());
  }
  std::vector<std::string> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  int connections() const { return connections_.load(); }
  int waiting() const { return waiting_.load(); }
  int max_waiting() const { return max_waiting_.load(); }

private:
  void listen_on(std::uint16_t port) {
    if (!uds_path_.empty()) {
      int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      uds_path_.copy(a.sun_path, sizeof a.sun_path - 1);
      ::unlink(uds_path_.c_str());
      if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
        ::close(fd);
        return;
      }
      fd_ = fd;
      return;
    }
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
      ::close(fd);
      return;
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    fd_ = fd;
  }
  void close_listener() {
    std::lock_guard lock(listen_mu_);
    close_listener_locked();
  }
  void close_listener_locked() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!uds_path_.empty()) ::unlink(uds_path_.c_str());
  }

  void accept_loop() {
    while (!stopping_) {
      int fd;
      {
        std::lock_guard lock(listen_mu_);
        fd = fd_;
      }
      if (fd < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5) <= 0) continue;
      std::lock_guard lock(listen_mu_);
      if (fd_ != fd) continue; // closed meanwhile
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) continue;
      ++connections_;
      conns_.emplace_back([this, c] { serve(c); });
    }
  }

  void serve(int c) {
    std::string head;
    char buf[4096];
    for (int i = 0; i < 1000 && head.find("\r\n\r\n") == std::string::npos && !stopping_; ++i) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    std::string answer;
    {
      std::unique_lock lock(mu_);
      if (!head.empty()) received_.push_back(head);
      const int now_waiting = ++waiting_;
      int prev = max_waiting_.load();
      while (prev < now_waiting && !max_waiting_.compare_exchange_weak(prev, now_waiting)) {
      }
      cv_.wait(lock, [this] { return !gated_ || tokens_ > 0 || stopping_; });
      if (gated_ && tokens_ > 0) --tokens_;
      --waiting_;
      answer = response_;
    }
    if (!answer.empty()) (void)!::write(c, answer.data(), answer.size());
    ::shutdown(c, SHUT_RDWR);
    ::close(c);
  }

  std::string uds_path_;
  std::atomic<bool> stopping_{false};
  std::mutex listen_mu_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> conns_; // touched by the acceptor only, joined at the end
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string response_ = http_response(200);
  bool gated_ = false;
  int tokens_ = 0;
  std::vector<std::string> received_;
  std::atomic<int> connections_{0};
  std::atomic<int> waiting_{0};
  std::atomic<int> max_waiting_{0};
};

} // namespace hctest
