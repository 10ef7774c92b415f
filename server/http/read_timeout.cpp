#include "server/http/read_timeout.hpp"

#include <algorithm>

namespace balancerd::http {

void ReadDeadline::start(const ReadTimeoutStage& stage, Clock::time_point now) noexcept {
  on_ = stage.timeout.count() > 0;
  if (!on_) return;
  deadline_ = now + stage.timeout;
  rate_ = stage.min_rate;
  capped_ = stage.max.count() > 0;
  if (capped_) cap_ = now + std::max(stage.max, stage.timeout);
}

void ReadDeadline::received(std::size_t bytes) noexcept {
  if (!on_ || rate_ == 0 || bytes == 0) return;
  deadline_ += std::chrono::microseconds(static_cast<std::int64_t>(bytes) * 1000000 / rate_);
  if (capped_ && deadline_ > cap_) deadline_ = cap_;
}

ReadDeadline::Clock::duration ReadDeadline::wait(Clock::duration per_read,
                                                 Clock::time_point now) const noexcept {
  if (!on_) return per_read;
  if (deadline_ <= now) return Clock::duration::zero();
  return std::min(per_read, deadline_ - now);
}

} // namespace balancerd::http
