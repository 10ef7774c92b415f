#pragma once
// mod_log_config's format items compiled for rendering: each %-directive of the model's LogFormat
// becomes a code with its argument pre-parsed, so rendering a line is a switch per item with no
// string comparisons on the request path.
#include "directives/model/log_conf.hpp"
#include "server/log/request_log_view.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace balancerd::log {

struct AccessItem {
  enum class Code : std::uint8_t {
    Literal,
    RemoteHost,
    PeerHost,
    ClientIp,
    PeerIp,
    LocalIp,
    Logname,
    User,
    Time,
    RequestLine,
    Status,
    BytesClf,
    Bytes,
    DurationUs,
    Duration,
    HeaderIn,
    HeaderOut,
    TrailerIn,
    TrailerOut,
    Env,
    Note,
    ServerName,
    RequestHost,
    ServerPort,
    LocalPort,
    RemotePort,
    Pid,
    Tid,
    HexTid,
    Path,
    Query,
    Method,
    Protocol,
    BytesIn,
    BytesOut,
    BytesTotal,
    ConnStatus,
    Keepalives,
    LogId,
    Handler,
    Filename,
    Cookie,
    SslVar,
    Unknown
  };
  // %t variants and %T units.
  enum class TimeForm : std::uint8_t { Clf, Strftime, Sec, Msec, Usec, MsecFrac, UsecFrac };
  Code code = Code::Literal;
  TimeForm time_form = TimeForm::Clf;
  bool time_end = false;  // %{end:...}t
  bool original = false;  // log the original request of internal redirects (%<x; %s, %U... by default)
  std::uint32_t unit = 1; // %T divisor in microseconds: 1000000 (s), 1000 (ms), 1 (us)
  std::string text;       // literal text, header/env/note/cookie name, strftime format
  std::vector<int> statuses;
  bool statuses_negated = false;
};

struct AccessFormat {
  std::vector<AccessItem> items;
};

AccessFormat compile_access_format(const directives::LogFormat& format);

// Appends one line (without '\n') for the finished request.
void render_access_line(const AccessFormat& format, const RequestLogView& request, std::string& out);

} // namespace balancerd::log
