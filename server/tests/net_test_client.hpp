#pragma once
// A blocking loopback HTTP client for the net_* tests: raw bytes in, one response at a time out.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <string_view>

namespace balancerd::net::test {

struct Response {
  std::string head; // status line and fields, with the final CRLFCRLF
  std::string body; // de-chunked
  int status = 0;
  bool ok = false;
  std::string header(std::string_view name) const {
    std::string needle = "\r\n" + std::string(name) + ": ";
    auto p = head.find(needle);
    if (p == std::string::npos) return {};
    p += needle.size();
    return head.substr(p, head.find("\r\n", p) - p);
  }
};

class Client {
public:
  explicit Client(unsigned short port, int timeout_ms = 2000) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  bool connected() const { return connected_; }

  void send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads one response; head_only for a HEAD request (no body follows).
  Response read_response(bool head_only = false) {
    Response r;
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return r;
    r.head = buf_.substr(0, end + 4);
    buf_.erase(0, end + 4);
    r.status = std::atoi(r.head.c_str() + 9);
    if (head_only || (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304) {
      r.ok = true;
      return r;
    }
    if (auto cl = r.header("Content-Length"); !cl.empty()) {
      std::size_t n = std::stoul(cl);
      while (buf_.size() < n)
        if (!fill()) return r;
      r.body = buf_.substr(0, n);
      buf_.erase(0, n);
    } else if (r.header("Transfer-Encoding") == "chunked") {
      while (true) {
        std::size_t eol;
        while ((eol = buf_.find("\r\n")) == std::string::npos)
          if (!fill()) return r;
        std::size_t n = std::stoul(buf_.substr(0, eol), nullptr, 16);
        buf_.erase(0, eol + 2);
        while (buf_.size() < n + 2)
          if (!fill()) return r;
        r.body += buf_.substr(0, n);
        buf_.erase(0, n + 2);
        if (n == 0) break;
      }
    } else {
      while (fill()) {
      }
      r.body = std::move(buf_);
      buf_.clear();
    }
    r.ok = true;
    return r;
  }

  // Everything until the peer closes (or the timeout).
  std::string read_all() {
    while (fill()) {
    }
    std::string out = std::move(buf_);
    buf_.clear();
    return out;
  }

  // True if the server closes the connection (EOF) before the receive timeout.
  bool closed_by_peer() {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    if (n > 0) buf_.push_back(c);
    return n == 0;
  }

  std::string& pending() { return buf_; }

private:
  bool fill() {
    char tmp[16384];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

inline std::string normalize_date(std::string s) {
  auto p = s.find("\r\nDate: ");
  if (p != std::string::npos) {
    auto e = s.find("\r\n", p + 2);
    s.replace(p + 2, e - p - 2, "Date: DATE");
  }
  return s;
}

} // namespace balancerd::net::test
