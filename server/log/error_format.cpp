#include "server/log/error_format.hpp"

#include "server/log/log_escape.hpp"

#include <pthread.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fmt/format.h>

namespace balancerd::log {
namespace {

constexpr std::string_view kKnown = "aAeEFiklLmMnPTtvV";

template <class T> void append_num(std::string& out, T v) {
  fmt::format_to(std::back_inserter(out), "{}", v);
}

void append_addr(std::string& out, std::string_view ip, std::uint16_t port) {
  if (ip.empty()) return;
  out += ip;
  out += ':';
  append_num(out, port);
}

std::tm local_tm(std::time_t secs) {
  std::tm tm{};
  localtime_r(&secs, &tm);
  return tm;
}

// APR's own status codes (APR_OS_START_STATUS = 70000 on): the ones the proxy logs, worded as APR's
// apr_strerror words them (a connect or acquire that ran out of time is APR_TIMEUP, 70007).
const char* apr_status_text(int code) {
  switch (code) {
  case 70007:
    return "The timeout specified has expired";
  case 70008:
    return "Partial results are valid but processing is incomplete";
  case 70014:
    return "End of file found";
  default:
    return nullptr;
  }
}

} // namespace

void append_ctime(std::string& out, std::chrono::system_clock::time_point when, bool micros) {
  using namespace std::chrono;
  const auto since = when.time_since_epoch();
  const std::time_t secs = duration_cast<seconds>(since).count();
  const std::tm tm = local_tm(secs);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S", &tm);
  out.append(buf, n);
  if (micros)
    fmt::format_to(std::back_inserter(out), ".{:06}", duration_cast<microseconds>(since).count() % 1000000);
  n = std::strftime(buf, sizeof buf, " %Y", &tm);
  out.append(buf, n);
}

std::optional<ErrorLineFormat> ErrorLineFormat::compile(std::string_view s, std::string* error) {
  ErrorLineFormat f;
  auto& items = f.items_;
  bool field_start = true;
  auto literal = [&](char c) {
    if (!field_start && !items.empty() && items.back().code == 0) {
      items.back().text += c;
    } else {
      items.push_back(Item{0, std::string(1, c), false, -1, field_start});
      field_start = false;
    }
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      const char e = s[i + 1];
      literal(e == 'n' ? '\n' : e == 't' ? '\t' : e); // "\ " is a space inside a field
      i += 2;
      continue;
    }
    if (c == ' ') {
      field_start = true; // the space opens the next field, and goes with it
      literal(' ');
      ++i;
      continue;
    }
    if (c != '%') {
      literal(c);
      ++i;
      continue;
    }
    ++i;
    if (i >= s.size()) {
      if (error) *error = "Ran off end of ErrorLogFormat";
      return std::nullopt;
    }
    if (s[i] == '%') {
      literal('%');
      ++i;
      continue;
    }
    if (s[i] == ' ') { // "% ": a field boundary with no output
      field_start = true;
      ++i;
      continue;
    }
    Item item;
    item.field_start = field_start;
    field_start = false;
    if (s[i] == '-') {
      item.dash = true;
      ++i;
    }
    if (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      item.min_level = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9')
        item.min_level = item.min_level * 10 + (s[i++] - '0');
    }
    if (i < s.size() && s[i] == '{') {
      const auto close = s.find('}', i);
      if (close == std::string_view::npos) {
        if (error) *error = "missing '}'";
        return std::nullopt;
      }
      item.text = std::string(s.substr(i + 1, close - i - 1));
      i = close + 1;
    }
    if (i >= s.size() || kKnown.find(s[i]) == std::string_view::npos) {
      if (error) *error = "unknown format item %" + std::string(i < s.size() ? s.substr(i, 1) : "");
      return std::nullopt;
    }
    item.code = s[i++];
    items.push_back(std::move(item));
  }
  return f;
}

const ErrorLineFormat& ErrorLineFormat::apache_default() {
  static const ErrorLineFormat f =
      *compile("[%{u}t] [%-m:%l] [pid %P:tid %{g}T] %7F: %E: [client\\ %a] %M% ,\\ referer:\\ %{Referer}i");
  return f;
}

const ErrorLineFormat& ErrorLineFormat::apache_syslog_default() {
  static const ErrorLineFormat f =
      *compile("[%-m:%l] [pid %P:tid %{g}T] %7F: %E: [client\\ %a] %M% ,\\ referer:\\ %{Referer}i");
  return f;
}

void ErrorLineFormat::render(const ErrorEvent& ev, std::string_view message, std::string& out) const {
  const RequestLogView* r = ev.request;
  const ConnLogView* c = ev.conn ? ev.conn : (r ? r->conn : nullptr);
  std::size_t field_begin = out.size();
  bool skipping = false;
  for (const Item& item : items_) {
    if (item.field_start) {
      field_begin = out.size();
      skipping = false;
    }
    if (skipping) continue;
    if (item.code == 0) {
      out += item.text;
      continue;
    }
    const std::size_t before = out.size();
    if (item.min_level < 0 || ev.level >= item.min_level) {
      const std::string& arg = item.text;
      switch (item.code) {
      case 'a':
        if (arg == "c") {
          if (c) append_addr(out, c->peer_ip, c->peer_port);
        } else if (r) {
          if (!r->client_ip.empty())
            append_addr(out, r->client_ip, r->client_port);
          else if (c)
            append_addr(out, c->peer_ip, c->peer_port);
        } else if (c) {
          append_addr(out, c->peer_ip, c->peer_port);
        }
        break;
      case 'A':
        if (c) append_addr(out, c->local_ip, c->local_port);
        break;
      case 'e':
        if (r)
          if (auto v = r->env(arg)) append_error_escaped(out, *v);
        break;
      case 'E':
        if (ev.os_error != 0) {
          char buf[256];
          const char* text = apr_status_text(ev.os_error);
          if (!text) text = strerror_r(ev.os_error, buf, sizeof buf);
          fmt::format_to(std::back_inserter(out), "({}){}", ev.os_error, text);
        }
        break;
      case 'F':
        if (!ev.file.empty()) fmt::format_to(std::back_inserter(out), "{}({})", ev.file, ev.line);
        break;
      case 'i':
        if (r)
          if (auto v = r->headers_in(arg)) append_error_escaped(out, *v);
        break;
      case 'k':
        if (c) append_num(out, c->keepalives);
        break;
      case 'l':
        out += level_name(ev.level);
        break;
      case 'L':
        if (arg == "c" || arg == "C") {
          if (c && (arg == "c" || !r)) out += c->log_id;
        } else if (r) {
          out += r->log_id;
        }
        break;
      case 'm':
        out += module_name(ev.module);
        break;
      case 'M':
        append_error_escaped(out, message);
        break;
      case 'n':
        if (r)
          if (auto v = r->notes(arg)) append_error_escaped(out, *v);
        break;
      case 'P':
        append_num(out, ev.pid);
        break;
      case 'T':
        // %{g}T: the kernel's thread id (what the default layout prints); %T: the pthread id, as
        // apache2 prints them. Lines are formatted on the thread that logs them.
        if (arg == "g")
          append_num(out, ev.tid);
        else
          append_num(out, static_cast<unsigned long>(::pthread_self()));
        break;
      case 't':
        if (arg == "cu") {
          using namespace std::chrono;
          const auto since = ev.when.time_since_epoch();
          const std::tm tm = local_tm(duration_cast<seconds>(since).count());
          char buf[32];
          const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
          out.append(buf, n);
          fmt::format_to(std::back_inserter(out), ".{:06}",
                         duration_cast<microseconds>(since).count() % 1000000);
        } else {
          append_ctime(out, ev.when, arg == "u");
        }
        break;
      case 'v':
        out += r ? r->server_name : ev.server_name;
        break;
      case 'V':
        if (r) out += r->request_host.empty() ? r->server_name : r->request_host;
        break;
      }
    }
    if (out.size() != before) continue;
    if (item.dash) {
      out += '-';
    } else {
      out.resize(field_begin);
      skipping = true;
    }
  }
}

} // namespace balancerd::log
