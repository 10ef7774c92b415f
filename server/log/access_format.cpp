#include "server/log/access_format.hpp"

#include "directives/ci_string.hpp"
#include "server/log/log_escape.hpp"

#include <algorithm>
#include <ctime>
#include <fmt/format.h>

namespace balancerd::log {
namespace {

using Code = AccessItem::Code;
using TimeForm = AccessItem::TimeForm;

void compile_time(AccessItem& it, std::string_view arg) {
  it.code = Code::Time;
  if (arg.starts_with("begin:")) {
    arg.remove_prefix(6);
  } else if (arg.starts_with("end:")) {
    it.time_end = true;
    arg.remove_prefix(4);
  }
  if (arg.empty())
    it.time_form = TimeForm::Clf;
  else if (arg == "sec")
    it.time_form = TimeForm::Sec;
  else if (arg == "msec")
    it.time_form = TimeForm::Msec;
  else if (arg == "usec")
    it.time_form = TimeForm::Usec;
  else if (arg == "msec_frac")
    it.time_form = TimeForm::MsecFrac;
  else if (arg == "usec_frac")
    it.time_form = TimeForm::UsecFrac;
  else {
    it.time_form = TimeForm::Strftime;
    it.text = std::string(arg);
  }
}

AccessItem compile_item(const directives::LogFormatItem& src) {
  AccessItem it;
  it.statuses = src.statuses;
  it.statuses_negated = src.statuses_negated;
  const std::string& a = src.arg;
  if (src.tag == "^ti") return it.code = Code::TrailerIn, it.text = a, it;
  if (src.tag == "^to") return it.code = Code::TrailerOut, it.text = a, it;
  switch (src.tag.empty() ? '\0' : src.tag[0]) {
  case 'h':
    it.code = a == "c" ? Code::PeerHost : Code::RemoteHost;
    break;
  case 'a':
    it.code = a == "c" ? Code::PeerIp : Code::ClientIp;
    break;
  case 'A':
    it.code = Code::LocalIp;
    break;
  case 'l':
    it.code = Code::Logname;
    break;
  case 'u':
    it.code = Code::User;
    break;
  case 't':
    compile_time(it, a);
    break;
  case 'r':
    it.code = Code::RequestLine;
    break;
  case 's':
    it.code = Code::Status;
    break;
  case 'b':
    it.code = Code::BytesClf;
    break;
  case 'B':
    it.code = Code::Bytes;
    break;
  case 'D':
    it.code = Code::DurationUs;
    break;
  case 'T':
    it.code = Code::Duration;
    it.unit = a == "ms" ? 1000u : a == "us" ? 1u : 1000000u;
    break;
  case 'i':
    it.code = Code::HeaderIn;
    break;
  case 'o':
    it.code = Code::HeaderOut;
    break;
  case 'e':
    it.code = Code::Env;
    break;
  case 'n':
    it.code = Code::Note;
    break;
  case 'v':
    it.code = Code::ServerName;
    break;
  case 'V':
    it.code = Code::RequestHost;
    break;
  case 'p':
    it.code = a == "local" ? Code::LocalPort : a == "remote" ? Code::RemotePort : Code::ServerPort;
    break;
  case 'P':
    it.code = a == "tid" ? Code::Tid : a == "hextid" ? Code::HexTid : Code::Pid;
    break;
  case 'U':
    it.code = Code::Path;
    break;
  case 'q':
    it.code = Code::Query;
    break;
  case 'm':
    it.code = Code::Method;
    break;
  case 'H':
    it.code = Code::Protocol;
    break;
  case 'I':
    it.code = Code::BytesIn;
    break;
  case 'O':
    it.code = Code::BytesOut;
    break;
  case 'S':
    it.code = Code::BytesTotal;
    break;
  case 'X':
    it.code = Code::ConnStatus;
    break;
  case 'k':
    it.code = Code::Keepalives;
    break;
  case 'L':
    it.code = Code::LogId;
    break;
  case 'R':
    it.code = Code::Handler;
    break;
  case 'f':
    it.code = Code::Filename;
    break;
  case 'C':
    it.code = Code::Cookie;
    break;
  case 'c': // mod_ssl: %{version|cipher|subjectdn|issuerdn|errcode|errstr}c
  case 'x':
    it.code = Code::SslVar;
    break;
  default:
    it.code = Code::Unknown;
    break;
  }
  if (it.code != Code::Time) it.text = a;
  // mod_log_config logs these from the original request of internal redirects unless '>' asks for
  // the last one; every other item from the last one unless '<' asks for the original
  const bool original_by_default = src.tag == "r" || src.tag == "U" || src.tag == "s" || src.tag == "R" ||
                                   src.tag == "D" || src.tag == "T" || src.tag == "L";
  it.original = src.want_original || (original_by_default && !src.want_final);
  return it;
}

template <class T> void append_num(std::string& out, T v) {
  fmt::format_to(std::back_inserter(out), "{}", v);
}

void dash_or_escaped(std::string& out, std::optional<std::string_view> v) {
  if (v)
    append_access_escaped(out, *v);
  else
    out += '-';
}

void dash_if_empty(std::string& out, std::string_view v) {
  if (v.empty())
    out += '-';
  else
    append_access_escaped(out, v);
}

void append_time(std::string& out, const AccessItem& it, const RequestLogView& r) {
  using namespace std::chrono;
  const auto tp = it.time_end ? r.end : r.begin;
  const auto us = duration_cast<microseconds>(tp.time_since_epoch()).count();
  switch (it.time_form) {
  case TimeForm::Sec:
    append_num(out, us / 1000000);
    return;
  case TimeForm::Msec:
    append_num(out, us / 1000);
    return;
  case TimeForm::Usec:
    append_num(out, us);
    return;
  case TimeForm::MsecFrac:
    fmt::format_to(std::back_inserter(out), "{:03}", (us % 1000000) / 1000);
    return;
  case TimeForm::UsecFrac:
    fmt::format_to(std::back_inserter(out), "{:06}", us % 1000000);
    return;
  default:
    break;
  }
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[256];
  if (it.time_form == TimeForm::Strftime) {
    const std::size_t n = std::strftime(buf, sizeof buf, it.text.c_str(), &tm);
    out.append(buf, n);
    return;
  }
  const std::size_t n = std::strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S ", &tm);
  out.append(buf, n);
  long off = tm.tm_gmtoff / 60;
  const char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  fmt::format_to(std::back_inserter(out), "{}{:02}{:02}]", sign, off / 60, off % 60);
}

// The value of cookie `name` in the Cookie header, as mod_log_config's %{name}C finds it.
std::optional<std::string_view> cookie_value(const RequestLogView& r, std::string_view name) {
  auto header = r.headers_in("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return value;
  }
  return std::nullopt;
}

void render_item(const AccessItem& it, const RequestLogView& r, std::string& out) {
  const ConnLogView* c = r.conn;
  switch (it.code) {
  case Code::Literal:
    out += it.text;
    return;
  case Code::RemoteHost:
    dash_if_empty(out, !r.remote_host.empty() ? r.remote_host
                       : !r.client_ip.empty() ? r.client_ip
                       : c                    ? c->peer_ip
                                              : std::string_view());
    return;
  case Code::PeerHost:
    dash_if_empty(out, c ? (c->peer_host.empty() ? c->peer_ip : c->peer_host) : "");
    return;
  case Code::ClientIp:
    dash_if_empty(out, !r.client_ip.empty() ? r.client_ip : c ? c->peer_ip : "");
    return;
  case Code::PeerIp:
    dash_if_empty(out, c ? c->peer_ip : "");
    return;
  case Code::LocalIp:
    dash_if_empty(out, c ? c->local_ip : "");
    return;
  case Code::Logname:
    dash_if_empty(out, r.remote_logname);
    return;
  case Code::User:
    if (!r.user)
      out += '-';
    else if (r.user->empty())
      out += "\"\""; // Apache: an empty user name is logged as ""
    else
      append_access_escaped(out, *r.user);
    return;
  case Code::Time:
    append_time(out, it, r);
    return;
  case Code::RequestLine:
    append_access_escaped(out, r.request_line);
    return;
  case Code::Status: {
    const int s = it.original && r.original_status != 0 ? r.original_status : r.status;
    if (s <= 0)
      out += '-';
    else
      append_num(out, s);
    return;
  }
  case Code::BytesClf:
    if (r.body_bytes == 0)
      out += '-';
    else
      append_num(out, r.body_bytes);
    return;
  case Code::Bytes:
    append_num(out, r.body_bytes);
    return;
  case Code::DurationUs:
    append_num(out, r.duration.count());
    return;
  case Code::Duration:
    append_num(out, r.duration.count() / it.unit);
    return;
  case Code::HeaderIn:
    dash_or_escaped(out, r.headers_in(it.text));
    return;
  case Code::HeaderOut: {
    // Content-Type is the response's content type, not a header yet when the handler set it, and
    // mod_log_config logs it without parameters (no charset; ap_field_noparam).
    const bool ct = r.content_type && directives::ci_equal(it.text, "Content-Type");
    if (ct) {
      std::string_view type = r.content_type->substr(0, r.content_type->find(';'));
      while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
      dash_or_escaped(out, type);
      return;
    }
    dash_or_escaped(out, r.headers_out(it.text));
    return;
  }
  case Code::TrailerIn:
    dash_or_escaped(out, r.trailers_in(it.text));
    return;
  case Code::TrailerOut:
    dash_or_escaped(out, r.trailers_out(it.text));
    return;
  case Code::Env:
    dash_or_escaped(out, r.env(it.text));
    return;
  case Code::Note:
    dash_or_escaped(out, r.notes(it.text));
    return;
  case Code::ServerName:
    dash_if_empty(out, r.server_name);
    return;
  case Code::RequestHost:
    dash_if_empty(out, r.request_host.empty() ? r.server_name : r.request_host);
    return;
  case Code::ServerPort:
    append_num(out, r.server_port);
    return;
  case Code::LocalPort:
    append_num(out, c ? c->local_port : 0);
    return;
  case Code::RemotePort:
    append_num(out, r.client_port != 0 ? r.client_port : c ? c->peer_port : 0);
    return;
  case Code::Pid:
    append_num(out, r.pid);
    return;
  case Code::Tid:
    append_num(out, r.thread_id);
    return;
  case Code::HexTid:
    fmt::format_to(std::back_inserter(out), "{:x}", r.thread_id);
    return;
  case Code::Path:
    append_access_escaped(out, r.path);
    return;
  case Code::Query:
    if (!r.query.empty()) {
      out += '?';
      append_access_escaped(out, r.query);
    }
    return;
  case Code::Method:
    append_access_escaped(out, r.method);
    return;
  case Code::Protocol:
    append_access_escaped(out, r.protocol);
    return;
  case Code::BytesIn:
    append_num(out, r.bytes_in);
    return;
  case Code::BytesOut:
    append_num(out, r.bytes_out);
    return;
  case Code::BytesTotal:
    append_num(out, r.bytes_in + r.bytes_out);
    return;
  case Code::ConnStatus:
    out += r.connection_status;
    return;
  case Code::Keepalives:
    append_num(out, c ? c->keepalives : 0u);
    return;
  case Code::LogId:
    dash_if_empty(out, r.log_id);
    return;
  case Code::Handler:
    dash_if_empty(out, r.handler);
    return;
  case Code::Filename:
    dash_if_empty(out, r.filename);
    return;
  case Code::Cookie:
    dash_or_escaped(out, cookie_value(r, it.text));
    return;
  case Code::SslVar:
    dash_or_escaped(out, r.ssl_var(it.text));
    return;
  case Code::Unknown:
    out += '-';
    return;
  }
}

} // namespace

AccessFormat compile_access_format(const directives::LogFormat& format) {
  AccessFormat out;
  out.items.reserve(format.items.size());
  for (const directives::LogFormatItem& src : format.items) {
    if (src.literal) {
      AccessItem it;
      it.text = src.text;
      out.items.push_back(std::move(it));
    } else {
      out.items.push_back(compile_item(src));
    }
  }
  return out;
}

void render_access_line(const AccessFormat& format, const RequestLogView& r, std::string& out) {
  for (const AccessItem& it : format.items) {
    if (!it.statuses.empty()) {
      // "%400,501{X}i" logs X only for those statuses; "%!400,501{X}i" for all others.
      const bool listed = std::find(it.statuses.begin(), it.statuses.end(), r.status) != it.statuses.end();
      if (listed == it.statuses_negated) {
        out += '-';
        continue;
      }
    }
    render_item(it, it.original && r.original ? *r.original : r, out);
  }
}

} // namespace balancerd::log
