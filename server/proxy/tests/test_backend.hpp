#pragma once
// A scriptable HTTP backend on 127.0.0.1 (ephemeral port) for the proxy tests: a thread per
// connection reads requests (head, Content-Length or chunked body), records them, and answers with
// whatever the test's handler returns (raw bytes, optionally after a delay, or a close).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace balancerd::proxy::test {

struct SeenRequest {
  std::string head; // request line and fields, through the empty line
  std::string body; // de-chunked
  int connection = 0;
  std::string line() const { return head.substr(0, head.find("\r\n")); }
  std::string header(std::string_view name) const {
    std::string needle = "\r\n" + std::string(name) + ": ";
    auto p = head.find(needle);
    if (p == std::string::npos) return {};
    p += needle.size();
    return head.substr(p, head.find("\r\n", p) - p);
  }
  bool has(std::string_view name) const {
    return head.find("\r\n" + std::string(name) + ":") != std::string::npos;
  }
};

struct Reply {
  std::string bytes;     // sent as is
  int delay_ms = 0;      // before sending
  bool close = false;    // close the connection after sending
  bool send_100 = false; // answer "100 Continue" before reading a body the client announced
};

class TestBackend {
public:
  using Handler = std::function<Reply(const SeenRequest&)>;

  // auto_continue: answer "100 Continue" to an Expect before reading the body. read_bodies false:
  // answer right after the head without reading any body, then close (a backend refusing early).
  explicit TestBackend(Handler h, bool auto_continue = true, bool read_bodies = true)
      : handler_(std::move(h)), auto_100_(auto_continue), read_bodies_(read_bodies) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 64);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~TestBackend() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    {
      std::lock_guard<std::mutex> l(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    for (int fd : fds_) ::close(fd);
  }
  unsigned short port() const { return port_; }
  std::vector<SeenRequest> requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }
  int connections() const { return connections_.load(); }

  // A 200 answer with this body and Content-Length.
  static Reply ok(std::string body, std::string extra = {}) {
    return Reply{"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + extra +
                 "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body};
  }

private:
  void accept_loop() {
    while (!stopping_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      int id = ++connections_;
      std::lock_guard<std::mutex> l(mu_);
      fds_.push_back(fd);
      workers_.emplace_back([this, fd, id] { serve(fd, id); });
    }
  }

  bool fill(int fd, std::string& buf) {
    char tmp[16384];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  void serve(int fd, int id) {
    std::string buf;
    while (true) {
      std::size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos)
        if (!fill(fd, buf)) return finish(fd);
      SeenRequest r;
      r.connection = id;
      r.head = buf.substr(0, end + 4);
      buf.erase(0, end + 4);
      if (auto_100_ && (r.header("Expect") == "100-continue" || r.header("Expect") == "100-Continue"))
        send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n");
      if (!read_bodies_) {
        {
          std::lock_guard<std::mutex> l(mu_);
          seen_.push_back(r);
        }
        send_all(fd, handler_(r).bytes);
        return finish(fd);
      }
      if (auto cl = r.header("Content-Length"); !cl.empty()) {
        std::size_t n = std::stoul(cl);
        while (buf.size() < n)
          if (!fill(fd, buf)) return finish(fd);
        r.body = buf.substr(0, n);
        buf.erase(0, n);
      } else if (r.header("Transfer-Encoding") == "chunked") {
        while (true) {
          std::size_t eol;
          while ((eol = buf.find("\r\n")) == std::string::npos)
            if (!fill(fd, buf)) return finish(fd);
          std::size_t n = std::stoul(buf.substr(0, eol), nullptr, 16);
          buf.erase(0, eol + 2);
          while (buf.size() < n + 2)
            if (!fill(fd, buf)) return finish(fd);
          r.body += buf.substr(0, n);
          buf.erase(0, n + 2);
          if (n == 0) break;
        }
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        seen_.push_back(r);
      }
      Reply reply = handler_(r);
      if (reply.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(reply.delay_ms));
      send_all(fd, reply.bytes);
      if (reply.close) return finish(fd);
    }
  }

  void finish(int fd) { ::shutdown(fd, SHUT_RDWR); }

  Handler handler_;
  bool auto_100_;
  bool read_bodies_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> workers_;
  std::vector<SeenRequest> seen_;
};

// A port nothing listens on (bound then closed).
inline unsigned short closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

} // namespace balancerd::proxy::test
