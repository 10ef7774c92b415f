#include "server/handlers/server_status.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "server/handlers/owned_body.hpp"
#include "server/http/error_page.hpp"
#include "server/http/http_date.hpp"
#include "server/manager/balancer_snapshot.hpp"
#include "server/manager/proxy_status_lines.hpp"

namespace balancerd::handlers {

namespace {

void unit(std::string& out, std::int64_t n, const char* name) {
  if (n == 0) return;
  out += ' ';
  out += std::to_string(n);
  out += ' ';
  out += name;
  if (n != 1) out += 's';
}

void line(std::string& out, const char* key, const std::string& value) {
  out += key;
  out += ": ";
  out += value;
  out += '\n';
}

std::string local_time(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%A, %d-%b-%Y %H:%M:%S %Z", &tm);
  return buf;
}

} // namespace

void append_uptime(std::string& out, std::int64_t s) {
  unit(out, s / 86400, "day");
  unit(out, (s % 86400) / 3600, "hour");
  unit(out, (s % 3600) / 60, "minute");
  unit(out, s % 60, "second");
}

void append_status_auto(std::string& out, const StatusInfo& info, std::int64_t now) {
  const std::int64_t up = now - info.started_sec;
  out += info.server_name;
  out += '\n';
  line(out, "ServerVersion", std::string(http::server_banner(http::ServerTokens::Full)));
  line(out, "ServerMPM", "event");
  line(out, "Server Built", "balancerd");
  line(out, "CurrentTime", local_time(now));
  line(out, "RestartTime", local_time(info.started_sec));
  line(out, "ParentServerConfigGeneration", "1");
  line(out, "ParentServerMPMGeneration", "0");
  line(out, "ServerUptimeSeconds", std::to_string(up));
  out += "ServerUptime:";
  append_uptime(out, up);
  out += '\n';
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) < 0) load[0] = load[1] = load[2] = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", load[0]);
  line(out, "Load1", buf);
  std::snprintf(buf, sizeof buf, "%.2f", load[1]);
  line(out, "Load5", buf);
  std::snprintf(buf, sizeof buf, "%.2f", load[2]);
  line(out, "Load15", buf);
  line(out, "Total Accesses", std::to_string(info.requests));
  line(out, "Total kBytes", "0");
  line(out, "Total Duration", "0");
  line(out, "CPUUser", "0");
  line(out, "CPUSystem", "0");
  line(out, "CPUChildrenUser", "0");
  line(out, "CPUChildrenSystem", "0");
  line(out, "Uptime", std::to_string(up));
  line(out, "BusyWorkers", "1");
  line(out, "GracefulWorkers", "0");
  line(out, "IdleWorkers", std::to_string(info.threads > 1 ? info.threads - 1 : 0));
  line(out, "Processes", "1");
  line(out, "Stopping", "0");
  line(out, "ConnsTotal", "1");
  line(out, "ConnsAsyncWaitIO", "0");
  line(out, "ConnsAsyncWriting", "0");
  line(out, "ConnsAsyncKeepAlive", "0");
  line(out, "ConnsAsyncClosing", "0");
  line(out, "Scoreboard", "W");
}

void append_proxy_status(std::string& out, const StatusInfo& info, bool auto_form) {
  if (!info.proxy_status || !info.store) return;
  // (ThreadsPerChild only matters for the manager's XML view, not for these lines.)
  const auto rows = manager::snapshot_balancers(*info.store, info.server_index, 25);
  if (auto_form)
    manager::append_proxy_status_auto(out, rows);
  else
    manager::append_proxy_status_html(out, rows);
}

void serve_server_status(net::Exchange& ex, const StatusInfo& info) {
  const auto& req = ex.request();
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::string body;
  auto& h = ex.response();
  h.status = 200;
  const bool auto_form = req.query == "auto" || req.query.starts_with("auto&") ||
                         req.query.find("&auto") != std::string_view::npos;
  if (auto_form) {
    append_status_auto(body, info, now);
    append_proxy_status(body, info, true);
    h.set_content_type("text/plain; charset=ISO-8859-1");
  } else {
    body += "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html><head>\n"
            "<title>Apache Status</title>\n</head><body>\n<h1>Apache Server Status for ";
    http::append_html_escaped(body, info.server_name);
    body += "</h1>\n<pre>\n";
    std::string text;
    append_status_auto(text, info, now);
    http::append_html_escaped(body, text);
    body += "</pre>\n";
    append_proxy_status(body, info, false);
    body += "</body></html>\n";
    h.set_content_type("text/html; charset=ISO-8859-1");
  }
  h.content_length = body.size();
  write_owned(ex, std::move(body));
}

} // namespace balancerd::handlers
