#include "server/manager/json_view.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "directives/model/proxy_worker.hpp"
#include "server/http/http_date.hpp"
#include "server/manager/page_format.hpp"

namespace balancerd::manager {

namespace d = directives;

namespace {

constexpr struct {
  unsigned bit;
  const char* name;
} kFlags[] = {
    {d::kWorkerInitialized, "Init"}, {d::kWorkerIgnoreErrors, "Ign"}, {d::kWorkerDrain, "Drn"},
    {d::kWorkerGeneric, "Gen"},      {d::kWorkerInShutdown, "Shut"},  {d::kWorkerDisabled, "Dis"},
    {d::kWorkerStopped, "Stop"},     {d::kWorkerInError, "Err"},      {d::kWorkerHotStandby, "Stby"},
    {d::kWorkerHotSpare, "Spar"},    {d::kWorkerFree, "Free"},        {d::kWorkerHcFail, "HcFl"},
};

void field(std::string& out, std::string_view name, bool first = false) {
  if (!first) out += ',';
  append_json_string(out, name);
  out += ':';
}

void str_field(std::string& out, std::string_view name, std::string_view value, bool first = false) {
  field(out, name, first);
  append_json_string(out, value);
}

void int_field(std::string& out, std::string_view name, std::int64_t value) {
  field(out, name);
  append_int(out, value);
}

void uint_field(std::string& out, std::string_view name, std::uint64_t value) {
  field(out, name);
  append_uint(out, value);
}

void bool_field(std::string& out, std::string_view name, bool value) {
  field(out, name);
  out += value ? "true" : "false";
}

void member(std::string& out, const MemberRow& m) {
  const auto& w = m.live;
  out += '{';
  str_field(out, "name", m.name_ex, true);
  str_field(out, "display_name", w.name);
  str_field(out, "route", w.route);
  str_field(out, "redirect", w.redirect);
  field(out, "load_factor");
  append_factor(out, w.lbfactor);
  int_field(out, "lbset", w.lbset);
  str_field(out, "status", worker_status_text(w.status));
  field(out, "flags");
  out += '[';
  bool first = true;
  for (const auto& f : kFlags) {
    if (!(w.status & f.bit)) continue;
    if (!first) out += ',';
    first = false;
    append_json_string(out, f.name);
  }
  out += ']';
  bool_field(out, "usable", w.usable());
  uint_field(out, "elected", w.elected);
  int_field(out, "busy", w.busy);
  int_field(out, "lbstatus", w.lbstatus);
  uint_field(out, "sent_bytes", w.transferred);
  uint_field(out, "received_bytes", w.read);
  uint_field(out, "retries", w.retries);
  field(out, "error_time");
  if (w.error_time.time_since_epoch().count() > 0) {
    char buf[32];
    append_json_string(out, http::format_http_date(std::chrono::system_clock::to_time_t(w.error_time), buf));
  } else {
    out += "null";
  }
  field(out, "hc");
  out += '{';
  str_field(out, "method", hc_method_name(w.hc_method), true);
  int_field(out, "interval_ms", std::chrono::duration_cast<std::chrono::milliseconds>(w.hc_interval).count());
  int_field(out, "passes", w.hc_passes);
  int_field(out, "fails", w.hc_fails);
  int_field(out, "pass_count", w.hc_pcount);
  int_field(out, "fail_count", w.hc_fcount);
  str_field(out, "uri", w.hc_uri);
  str_field(out, "expr", w.hc_expr);
  out += "}}";
}

} // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  out += '"';
}

void append_json_error(std::string& out, std::string_view text) {
  out += '{';
  str_field(out, "error", text, true);
  out += "}\n";
}

void append_json_view(std::string& out, const PageFacts& facts, const std::vector<BalancerRow>& balancers,
                      bool updated, const JsonUpdateNotes& notes) {
  out += '{';
  str_field(out, "server", facts.server_name, true);
  bool_field(out, "persist", facts.persist);
  bool_field(out, "balancer_inherit", facts.inherit);
  bool_field(out, "pass_inherit", facts.pass_inherit);
  bool_field(out, "updated", updated);
  if (!notes.refused.empty()) str_field(out, "refused", notes.refused);
  if (!notes.rejected.empty()) {
    field(out, "rejected");
    out += '[';
    for (std::size_t i = 0; i < notes.rejected.size(); ++i) {
      const auto& p = notes.rejected[i];
      if (i) out += ',';
      out += '{';
      str_field(out, "param", p.param, true);
      str_field(out, "value", p.value);
      str_field(out, "reason", p.reason);
      out += '}';
    }
    out += ']';
  }
  field(out, "balancers");
  out += '[';
  for (std::size_t i = 0; i < balancers.size(); ++i) {
    const auto& b = balancers[i];
    const auto& s = b.view.settings;
    if (i) out += ',';
    out += '{';
    str_field(out, "name", b.view.name, true);
    str_field(out, "sname", b.view.sname);
    str_field(out, "nonce", s.nonce);
    uint_field(out, "max_members", b.view.max_members);
    uint_field(out, "used", b.used);
    str_field(out, "sticky", s.sticky);
    str_field(out, "sticky_path", s.sticky_path);
    bool_field(out, "nofailover", s.sticky_force);
    int_field(out, "timeout", std::chrono::duration_cast<std::chrono::seconds>(s.timeout).count());
    int_field(out, "max_attempts", s.max_attempts);
    str_field(out, "lbmethod", s.lbmethod);
    str_field(out, "vhost", b.view.vhost);
    str_field(out, "path", b.view.vpath);
    field(out, "members");
    out += '[';
    for (std::size_t j = 0; j < b.members.size(); ++j) {
      if (j) out += ',';
      member(out, b.members[j]);
    }
    out += "]}";
  }
  out += "]}\n";
}

} // namespace balancerd::manager
