// mod_reqtimeout: RequestReadTimeout.
#include "directives/modules/http_reqtimeout.hpp"

#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

#include <cctype>

namespace balancerd::directives::http {
namespace {

// A non-negative decimal number at the start of `s` (advanced past it); the error if none.
std::optional<std::string> take_number(std::string_view& s, int& out) {
  std::size_t i = 0;
  long long v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (v < 1000000000LL) v = v * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) return "Value '" + std::string(s) + "' not numerical";
  out = static_cast<int>(v > 2147483647LL ? 2147483647LL : v);
  s.remove_prefix(i);
  return std::nullopt;
}

std::optional<std::string> parse_stage(std::string_view val, ReadTimeoutStage& st) {
  std::string_view time_part = val;
  std::optional<std::string_view> rate_part;
  if (auto comma = val.find(','); comma != std::string_view::npos) {
    std::string_view after = val.substr(comma + 1);
    if (ci_starts_with(after, "minrate=")) {
      rate_part = after.substr(8);
      time_part = val.substr(0, comma);
    }
  }
  std::optional<std::string_view> max_part;
  if (auto dash = time_part.find('-'); dash != std::string_view::npos) {
    max_part = time_part.substr(dash + 1);
    time_part = time_part.substr(0, dash);
    if (!rate_part) return "Must set MinRate option if using timeout range";
  }
  ReadTimeoutStage out;
  out.set = true;
  if (auto err = take_number(time_part, out.timeout)) return err;
  if (!time_part.empty()) return "Cannot parse '" + std::string(time_part) + "'";
  if (max_part) {
    if (auto err = take_number(*max_part, out.max_timeout)) return err;
    if (!max_part->empty()) return "Cannot parse '" + std::string(*max_part) + "'";
  }
  if (rate_part) {
    if (auto err = take_number(*rate_part, out.min_rate)) return err;
    if (!rate_part->empty()) return "Cannot parse '" + std::string(*rate_part) + "'";
  }
  if (max_part && out.max_timeout <= out.timeout)
    return "Maximum timeout must be larger than initial timeout";
  if (rate_part && out.min_rate <= 0) return "Minimum data rate must be larger than 0";
  st = out;
  return std::nullopt;
}

Result request_read_timeout(CmdParms& cmd, std::span<const std::string> a) {
  return parse_request_read_timeout(a.empty() ? std::string_view() : std::string_view(a[0]), cmd.server.misc);
}

constexpr HandlerBinding kReqtimeout[] = {
    {"RequestReadTimeout", Support::Implemented, request_read_timeout},
};

} // namespace

std::optional<std::string> parse_request_read_timeout(std::string_view raw, MiscServerConf& conf) {
  for (const std::string& word : words_of(raw)) {
    const auto eq = word.find('=');
    if (eq == std::string::npos)
      return "Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'";
    const std::string_view key = std::string_view(word).substr(0, eq);
    ReadTimeoutStage* st = nullptr;
    if (ci_equal(key, "handshake"))
      st = &conf.handshake_timeout;
    else if (ci_equal(key, "header"))
      st = &conf.header_timeout;
    else if (ci_equal(key, "body"))
      st = &conf.body_timeout;
    std::optional<std::string> err;
    if (!st)
      err = "Unknown RequestReadTimeout parameter";
    else
      err = parse_stage(std::string_view(word).substr(eq + 1), *st);
    if (err) return "RequestReadTimeout: " + word + ": " + *err;
  }
  return std::nullopt;
}

std::span<const HandlerBinding> reqtimeout_bindings() {
  return kReqtimeout;
}

} // namespace balancerd::directives::http
