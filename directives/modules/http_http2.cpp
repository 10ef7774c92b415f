// mod_http2: the H2* directives (Protocols itself is core's), with mod_http2's value checks.
#include "directives/dispatcher.hpp"
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

#include <cctype>

namespace balancerd::directives::http {
namespace {

H2Settings& h2(CmdParms& cmd) {
  return cmd.server.misc.h2;
}

Result on_off(const std::string& v, std::optional<bool>& out) {
  if (ci_equal(v, "on"))
    out = true;
  else if (ci_equal(v, "off"))
    out = false;
  else
    return "value must be On or Off";
  return std::nullopt;
}

// mod_http2's boolean settings take a word, not a FLAG: their own message.
Result bool_setting(CmdParms& cmd, std::span<const std::string> a) {
  const std::string_view n = cmd.def.name;
  H2Settings& s = h2(cmd);
  std::optional<bool>* target = nullptr;
  if (n == "H2Direct")
    target = &s.direct;
  else if (n == "H2Upgrade")
    target = cmd.section ? &cmd.dir().misc.h2_upgrade : &s.upgrade;
  else if (n == "H2Push")
    target = cmd.section ? &cmd.dir().misc.h2_push : &s.push;
  else if (n == "H2ModernTLSOnly")
    target = &s.modern_tls_only;
  else if (n == "H2EarlyHints")
    target = &s.early_hints;
  else if (n == "H2WebSockets")
    target = &s.websockets;
  else if (n == "H2ProxyRequests")
    target = &s.proxy_requests;
  else if (n == "H2CopyFiles")
    target = &s.copy_files;
  else if (n == "H2SerializeHeaders")
    target = &s.serialize_headers;
  else if (n == "H2OutputBuffering")
    target = &s.output_buffering;
  std::optional<bool> dummy;
  if (auto err = on_off(a[0], target ? *target : dummy)) return err;
  if (n == "H2SerializeHeaders" && s.serialize_headers.value_or(false))
    cmd.dispatcher.log(
        "http2", "warn",
        "AH10307: H2SerializeHeaders: this feature has been disabled and the directive to enable it "
        "is ignored.");
  return std::nullopt;
}

Result int_setting(CmdParms& cmd, std::span<const std::string> a) {
  const std::string_view n = cmd.def.name;
  const int v = loose_atoi(a[0]);
  H2Settings& s = h2(cmd);
  if (n == "H2MaxSessionStreams" || n == "H2MinWorkers" || n == "H2MaxWorkers") {
    if (v <= 0) return "value must be > 0";
    (n == "H2MaxSessionStreams" ? s.max_session_streams
     : n == "H2MinWorkers"      ? s.min_workers
                                : s.max_workers) = v;
  } else if (n == "H2WindowSize" || n == "H2StreamMaxMemSize") {
    if (v < 1024) return "value must be >= 1024";
    (n == "H2WindowSize" ? s.window_size : s.stream_max_mem_size) = v;
  } else if (n == "H2Padding") {
    if (v < 0) return "number of bits must be >= 0";
    if (v > 8) return "number of bits must be <= 8";
    s.padding_bits = v;
  } else if (n == "H2MaxDataFrameLen") {
    if (v < 0) return "value must be 0 or larger";
    s.max_data_frame_len = v;
  } else if (n == "H2PushDiarySize") {
    if (v > 0 && (v & (v - 1)) != 0) return "value must a power of 2";
    s.other.push_back(std::string(n) + " " + a[0]);
  } else if (n == "H2MaxWorkerIdleSeconds") {
    s.max_worker_idle_seconds = v;
  } else if (n == "H2TLSWarmUpSize") {
    s.tls_warmup_size = v;
  } else if (n == "H2TLSCoolDownSecs") {
    s.tls_cooldown_secs = v;
  } else if (n == "H2MaxHeaderBlockLen") {
    s.max_header_block_len = v;
  } else if (n == "H2MaxStreamErrors") {
    s.max_stream_errors = v;
  }
  return std::nullopt;
}

// Apache's ap_timeout_parameter_parse: digits with an optional ms/s/mi/h unit.
Result stream_timeout(CmdParms& cmd, std::span<const std::string> a) {
  const std::string& v = a[0];
  std::size_t i = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
  const std::string unit = ascii_lower(std::string_view(v).substr(i));
  if (i == 0 || !(unit.empty() || unit == "s" || unit == "ms" || unit == "mi" || unit == "h"))
    return "Invalid timeout value";
  long secs = loose_atoi(v.substr(0, i));
  if (unit == "ms") secs /= 1000;
  if (unit == "mi") secs *= 60;
  if (unit == "h") secs *= 3600;
  h2(cmd).stream_timeout = static_cast<int>(secs);
  return std::nullopt;
}

Result push_priority(CmdParms& cmd, std::span<const std::string> a) {
  auto is_dependency = [](const std::string& w) {
    return ci_equal(w, "after") || ci_equal(w, "before") || ci_equal(w, "interleaved");
  };
  // "type dependency [weight]", or "type weight" when the second word starts with a digit.
  const std::string* weight = a.size() > 2 ? &a[2] : nullptr;
  if (a.size() == 2 && !a[1].empty() && std::isdigit(static_cast<unsigned char>(a[1][0])))
    weight = &a[1];
  else if (a.size() >= 2 && !is_dependency(a[1]))
    return "dependency must be one of 'After', 'Before' or 'Interleaved'";
  if (weight && loose_atoi(*weight) < 1) return "weight must be a number >= 1";
  std::string text(cmd.def.name);
  for (const auto& w : a) text += " " + w;
  h2(cmd).other.push_back(std::move(text));
  return std::nullopt;
}

Result push_resource(CmdParms& cmd, std::span<const std::string> a) {
  std::string text;
  for (const auto& w : a) text += (text.empty() ? "" : " ") + w;
  cmd.dir().misc.h2_push_resources.push_back(std::move(text));
  return std::nullopt;
}

Result session_extra_files(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dispatcher.log("http2", "warn", "H2SessionExtraFiles is obsolete and will be ignored");
  h2(cmd).other.push_back("H2SessionExtraFiles " + a[0]);
  return std::nullopt;
}

Result recorded(CmdParms& cmd, std::span<const std::string> a) {
  std::string text(cmd.def.name);
  for (const auto& w : a) text += " " + w;
  h2(cmd).other.push_back(std::move(text));
  return std::nullopt;
}

// balancerd speaks HTTP/1.1 only: these settings are kept in the model (and checked as Apache
// checks them) but nothing serves h2 or h2c yet, so the compat report must say so.
constexpr std::string_view kNoH2 = "HTTP/2 is not implemented";

constexpr HandlerBinding kHttp2[] = {
    {"H2Direct", Support::Unsupported, bool_setting, nullptr, kNoH2},
    {"H2Upgrade", Support::Unsupported, bool_setting, nullptr, kNoH2},
    {"H2Push", Support::NoEffect, bool_setting},
    {"H2ModernTLSOnly", Support::Unsupported, bool_setting, nullptr, kNoH2},
    {"H2EarlyHints", Support::NoEffect, bool_setting},
    {"H2WebSockets", Support::Unsupported, bool_setting},
    {"H2ProxyRequests", Support::Unsupported, bool_setting},
    {"H2CopyFiles", Support::NoEffect, bool_setting},
    {"H2SerializeHeaders", Support::NoEffect, bool_setting},
    {"H2OutputBuffering", Support::NoEffect, bool_setting},
    {"H2MaxSessionStreams", Support::Unsupported, int_setting, nullptr, kNoH2},
    {"H2MinWorkers", Support::NoEffect, int_setting},
    {"H2MaxWorkers", Support::NoEffect, int_setting},
    {"H2WindowSize", Support::Unsupported, int_setting, nullptr, kNoH2},
    {"H2StreamMaxMemSize", Support::NoEffect, int_setting},
    {"H2Padding", Support::NoEffect, int_setting},
    {"H2MaxDataFrameLen", Support::NoEffect, int_setting},
    {"H2PushDiarySize", Support::NoEffect, int_setting},
    {"H2MaxWorkerIdleSeconds", Support::NoEffect, int_setting},
    {"H2TLSWarmUpSize", Support::NoEffect, int_setting},
    {"H2TLSCoolDownSecs", Support::NoEffect, int_setting},
    {"H2MaxHeaderBlockLen", Support::NoEffect, int_setting},
    {"H2MaxStreamErrors", Support::NoEffect, int_setting},
    {"H2StreamTimeout", Support::NoEffect, stream_timeout},
    {"H2PushPriority", Support::NoEffect, push_priority},
    {"H2PushResource", Support::NoEffect, push_resource},
    {"H2EarlyHint", Support::NoEffect, recorded},
    {"H2SessionExtraFiles", Support::NoEffect, session_extra_files},
};

} // namespace

std::span<const HandlerBinding> http2_bindings() {
  return kHttp2;
}

} // namespace balancerd::directives::http
