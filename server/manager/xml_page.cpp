#include "server/manager/xml_page.hpp"

#include <chrono>
#include <ctime>

#include "server/http/http_date.hpp"
#include "server/http/request.hpp"
#include "server/manager/page_format.hpp"

namespace balancerd::manager {

namespace {

using std::chrono::duration_cast;

std::int64_t sec(directives::Micros t) {
  return duration_cast<std::chrono::seconds>(t).count();
}
// APR's apr_time_msec: the millisecond component, not the whole value in milliseconds.
std::int64_t msec_part(directives::Micros t) {
  return (t.count() / 1000) % 1000;
}

void element(std::string& out, std::string_view indent, std::string_view name, std::string_view value,
             bool newline = true) {
  out += indent;
  out += "<httpd:";
  out += name;
  out += '>';
  out += value;
  out += "</httpd:";
  out += name;
  out += '>';
  if (newline) out += '\n';
}

void element(std::string& out, std::string_view indent, std::string_view name, std::int64_t value,
             bool newline = true) {
  element(out, indent, name, std::to_string(value), newline);
}

std::string factor(int lbfactor) {
  std::string s;
  append_factor(s, lbfactor);
  return s;
}

std::string escaped(std::string_view text) {
  std::string s;
  append_html(s, text);
  return s;
}

constexpr std::string_view kB = "      ";     // balancer fields
constexpr std::string_view kW = "          "; // worker fields

void worker(std::string& out, const MemberRow& m) {
  const auto& w = m.live;
  const auto& p = m.params;
  out += "        <httpd:worker>\n";
  element(out, kW, "name", w.name);
  element(out, kW, "scheme", m.scheme);
  element(out, kW, "hostname", m.hostname);
  element(out, kW, "loadfactor", factor(w.lbfactor));
  element(out, kW, "port", m.port);
  element(out, kW, "min", m.min);
  element(out, kW, "smax", m.smax);
  element(out, kW, "max", m.hmax);
  element(out, kW, "ttl", sec(p.ttl));
  if (p.timeout_set) element(out, kW, "timeout", sec(p.timeout));
  if (p.acquire_set) element(out, kW, "acquire", msec_part(p.acquire));
  if (p.recv_buffer_size_set)
    element(out, kW, "recv_buffer_size", static_cast<std::int64_t>(p.recv_buffer_size));
  if (p.io_buffer_size_set) element(out, kW, "io_buffer_size", static_cast<std::int64_t>(p.io_buffer_size));
  if (p.keepalive_set) element(out, kW, "keepalive", p.keepalive ? "On" : "Off");
  element(out, kW, "status", worker_status_text(w.status));
  if (w.error_time.time_since_epoch().count() > 0) {
    char buf[32];
    element(out, kW, "error_time",
            http::format_http_date(std::chrono::system_clock::to_time_t(w.error_time), buf));
  }
  element(out, kW, "retries", static_cast<std::int64_t>(w.retries));
  element(out, kW, "lbstatus", w.lbstatus);
  element(out, kW, "loadfactor", factor(w.lbfactor));
  element(out, kW, "transferred", static_cast<std::int64_t>(w.transferred));
  element(out, kW, "read", static_cast<std::int64_t>(w.read));
  element(out, kW, "elected", static_cast<std::int64_t>(w.elected));
  element(out, kW, "route", escaped(w.route));
  element(out, kW, "redirect", escaped(w.redirect));
  element(out, kW, "busy", w.busy);
  element(out, kW, "lbset", w.lbset);
  if (http::iequals(m.scheme, "ajp")) {
    const char* flush = p.flush_packets == directives::FlushPackets::On     ? "On"
                        : p.flush_packets == directives::FlushPackets::Auto ? "Auto"
                                                                            : "Off";
    element(out, kW, "flushpackets", flush);
    if (p.flush_packets == directives::FlushPackets::Auto)
      element(out, kW, "flushwait", p.flush_wait.count());
    if (p.ping_timeout_set) element(out, kW, "ping", msec_part(p.ping_timeout), false);
  }
  if (p.disablereuse_set) element(out, "      ", "disablereuse", p.disablereuse ? "On" : "Off");
  if (p.connection_timeout_set) element(out, kW, "connectiontimeout", msec_part(p.connection_timeout));
  if (p.retry_set) element(out, kW, "retry", sec(p.retry));
  out += "        </httpd:worker>\n";
}

} // namespace

void append_xml_page(std::string& out, const std::vector<BalancerRow>& balancers) {
  out += "<?xml version='1.0' encoding='UTF-8' ?>\n"
         "<httpd:manager xmlns:httpd='http://httpd.apache.org'>\n"
         "  <httpd:balancers>\n";
  for (const auto& b : balancers) {
    const auto& s = b.view.settings;
    out += "    <httpd:balancer>\n";
    element(out, kB, "name", b.view.name);
    element(out, kB, "nonce", s.nonce);
    if (!s.sticky.empty()) {
      element(out, kB, "stickysession", escaped(s.sticky));
      element(out, kB, "nofailover", s.sticky_force ? "On" : "Off");
    }
    element(out, kB, "timeout", sec(s.timeout), false);
    if (s.max_attempts_set) element(out, kB, "maxattempts", s.max_attempts);
    element(out, kB, "lbmethod", s.lbmethod);
    if (!s.sticky.empty()) element(out, kB, "scolonpathdelim", s.scolonsep ? "On" : "Off");
    out += "      <httpd:workers>\n";
    for (const auto& m : b.members) worker(out, m);
    out += "      </httpd:workers>\n"
           "    </httpd:balancer>\n";
  }
  out += "  </httpd:balancers>\n"
         "</httpd:manager>";
}

} // namespace balancerd::manager
