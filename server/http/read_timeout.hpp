#pragma once
// mod_reqtimeout's RequestReadTimeout as the connection applies it: reading the request head (the
// "header" stage) and the request body (the "body" stage) must each end within a time limit, which
// a client sending at least MinRate bytes per second extends, up to the range's upper bound. A
// slowloris client trickling bytes is thus cut off although each single read stays within Timeout.
// Pure logic, no I/O: the connection asks how long its next read may wait.
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace balancerd::http {

// One stage of "RequestReadTimeout header=20-40,MinRate=500".
struct ReadTimeoutStage {
  std::chrono::seconds timeout{0}; // 0: no limit for the stage (only Timeout, per read)
  std::chrono::seconds max{0};     // the range's upper bound for MinRate extensions; 0: none
  unsigned min_rate = 0;           // bytes per second that extend the limit; 0: no extension
};

// The stages of one server (the main server or a <VirtualHost>, RequestReadTimeout being per server).
struct RequestReadTimeouts {
  ReadTimeoutStage header, body; // both off unless mod_reqtimeout is loaded
  // mod_reqtimeout watches connections whose base server has this: the module is loaded and not
  // every stage (handshake included) is 0. Without it a request's name-based vhost cannot turn
  // the body stage on either, as in Apache, whose per-connection state then does not exist.
  bool on = false;
  // mod_reqtimeout's values when it is loaded and RequestReadTimeout does not set the stage.
  static RequestReadTimeouts module_defaults() {
    RequestReadTimeouts t;
    t.on = true;
    t.header = {std::chrono::seconds(20), std::chrono::seconds(40), 500};
    t.body = {std::chrono::seconds(20), std::chrono::seconds(0), 500};
    return t;
  }
};

// The running stage of one connection.
class ReadDeadline {
public:
  using Clock = std::chrono::steady_clock;
  // Starts a stage at `now` (a stage with no timeout turns the limit off).
  void start(const ReadTimeoutStage& stage, Clock::time_point now) noexcept;
  void stop() noexcept { on_ = false; }
  // `bytes` arrived: with MinRate the limit moves later by bytes/rate seconds, not past the cap.
  void received(std::size_t bytes) noexcept;
  // How long the next read may wait: Timeout, or less when the stage ends sooner (zero once over).
  Clock::duration wait(Clock::duration per_read, Clock::time_point now) const noexcept;
  bool active() const noexcept { return on_; }

private:
  Clock::time_point deadline_{};
  Clock::time_point cap_{};
  unsigned rate_ = 0;
  bool capped_ = false;
  bool on_ = false;
};

} // namespace balancerd::http
