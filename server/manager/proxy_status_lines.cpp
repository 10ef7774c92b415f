#include "server/manager/proxy_status_lines.hpp"

#include <chrono>

#include "server/manager/page_format.hpp"

namespace balancerd::manager {

namespace {

void key(std::string& out, std::size_t i, std::size_t j, std::string_view name) {
  out += "ProxyBalancer[";
  append_uint(out, i);
  out += "]Worker[";
  append_uint(out, j);
  out += ']';
  out += name;
  out += ": ";
}

void auto_lines(std::string& out, const std::vector<BalancerRow>& balancers, bool with_load) {
  for (std::size_t i = 0; i < balancers.size(); ++i) {
    const auto& b = balancers[i];
    out += "ProxyBalancer[";
    append_uint(out, i);
    out += "]Name: ";
    out += b.view.name;
    out += '\n';
    for (std::size_t j = 0; j < b.members.size(); ++j) {
      const auto& m = b.members[j];
      key(out, i, j, "Name");
      out += m.name_ex;
      out += '\n';
      key(out, i, j, "Status");
      out += worker_status_text(m.live.status);
      out += '\n';
      key(out, i, j, "Elected");
      append_uint(out, m.live.elected);
      out += '\n';
      key(out, i, j, "Busy");
      append_int(out, m.live.busy);
      out += '\n';
      if (with_load) {
        key(out, i, j, "Load");
        append_int(out, m.live.lbstatus);
        out += '\n';
      }
      key(out, i, j, "Sent");
      append_uint(out, m.live.transferred >> 10);
      out += "K\n";
      key(out, i, j, "Rcvd");
      append_uint(out, m.live.read >> 10);
      out += "K\n";
    }
  }
}

} // namespace

void append_proxy_status_html(std::string& out, const std::vector<BalancerRow>& balancers) {
  if (balancers.empty()) return;
  for (const auto& b : balancers) {
    const auto& s = b.view.settings;
    out += "<hr />\n<h1>Proxy LoadBalancer Status for ";
    out += b.view.name;
    out += "</h1>\n\n\n\n<table border=\"0\"><tr><th>SSes</th><th>Timeout</th><th>Method</th></tr>\n<tr>";
    if (!s.sticky.empty()) {
      out += "<td>";
      out += s.sticky;
      if (s.sticky != s.sticky_path) {
        out += " | ";
        out += s.sticky_path;
      }
    } else {
      out += "<td> - ";
    }
    out += "</td><td>";
    append_int(out, std::chrono::duration_cast<std::chrono::seconds>(s.timeout).count());
    out += "</td><td>";
    out += s.lbmethod;
    out += "</td>\n</table>\n";
    out += "\n\n<table border=\"0\"><tr><th>Sch</th><th>Host</th><th>Stat</th><th>Route</th><th>Redir</th>"
           "<th>F</th><th>Set</th><th>Acc</th><th>Busy</th><th>Wr</th><th>Rd</th></tr>\n";
    for (const auto& m : b.members) {
      out += "<tr>\n<td>";
      out += m.scheme;
      out += "</td><td>";
      out += m.hostname;
      out += "</td><td>";
      out += worker_status_text(m.live.status);
      out += "</td><td>";
      out += m.live.route;
      out += "</td><td>";
      out += m.live.redirect;
      out += "</td><td>";
      append_factor(out, m.live.lbfactor);
      out += "</td><td>";
      append_int(out, m.live.lbset);
      out += "</td><td>";
      append_uint(out, m.live.elected);
      out += "</td><td>";
      append_int(out, m.live.busy);
      out += "</td><td>";
      append_strfsize(out, static_cast<std::int64_t>(m.live.transferred));
      out += "</td><td>";
      append_strfsize(out, static_cast<std::int64_t>(m.live.read));
      out += "</td>\n</tr>\n";
    }
    out += "</table>\n";
  }
  out += "<hr /><table>\n"
         "<tr><th>SSes</th><td>Sticky session name</td></tr>\n"
         "<tr><th>Timeout</th><td>Balancer Timeout</td></tr>\n"
         "<tr><th>Sch</th><td>Connection scheme</td></tr>\n"
         "<tr><th>Host</th><td>Backend Hostname</td></tr>\n"
         "<tr><th>Stat</th><td>Worker status</td></tr>\n"
         "<tr><th>Route</th><td>Session Route</td></tr>\n"
         "<tr><th>Redir</th><td>Session Route Redirection</td></tr>\n"
         "<tr><th>F</th><td>Load Balancer Factor</td></tr>\n"
         "<tr><th>Acc</th><td>Number of uses</td></tr>\n"
         "<tr><th>Wr</th><td>Number of bytes transferred</td></tr>\n"
         "<tr><th>Rd</th><td>Number of bytes read</td></tr>\n"
         "</table>";
}

void append_proxy_status_auto(std::string& out, const std::vector<BalancerRow>& balancers) {
  auto_lines(out, balancers, false);
}

void append_manager_auto(std::string& out, const std::vector<BalancerRow>& balancers) {
  auto_lines(out, balancers, true);
}

} // namespace balancerd::manager
