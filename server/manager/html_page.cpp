#include "server/manager/html_page.hpp"

#include "server/manager/page_format.hpp"

namespace balancerd::manager {

namespace d = directives;

namespace {

constexpr std::string_view kHead =
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
    "<html><head><title>Balancer Manager</title>\n"
    "<style type='text/css'>\n"
    "table {\n"
    " border-width: 1px;\n"
    " border-spacing: 3px;\n"
    " border-style: solid;\n"
    " border-color: gray;\n"
    " border-collapse: collapse;\n"
    " background-color: white;\n"
    " text-align: center;\n"
    "}\n"
    "th {\n"
    " border-width: 1px;\n"
    " padding: 2px;\n"
    " border-style: dotted;\n"
    " border-color: gray;\n"
    " background-color: lightgray;\n"
    " text-align: center;\n"
    "}\n"
    "td {\n"
    " border-width: 1px;\n"
    " padding: 2px;\n"
    " border-style: dotted;\n"
    " border-color: gray;\n"
    " background-color: white;\n"
    " text-align: center;\n"
    "}\n";

// The extension's rules: more specific than "td", so they win over its white background.
constexpr std::string_view kMarkStyle = "tr.bm-error td {\n background-color: #ffb0b0;\n}\n"
                                        "tr.bm-drain td {\n background-color: #ffff99;\n}\n";

void sticky_text(std::string& out, const balancer::BalancerSettings& s) {
  append_html(out, s.sticky);
  if (s.sticky != s.sticky_path) {
    out += '|';
    append_html(out, s.sticky_path);
  }
}

void radio(std::string& out, std::string_view name, bool on) {
  out += "<td><label for='";
  out += name;
  out += "1'>On</label> <input name='";
  out += name;
  out += "' id='";
  out += name;
  out += "1' value='1' type=radio";
  if (on) out += " checked";
  out += "> <br/> <label for='";
  out += name;
  out += "0'>Off</label> <input name='";
  out += name;
  out += "' id='";
  out += name;
  out += "0' value='0' type=radio";
  if (!on) out += " checked";
  out += "></td>\n";
}

void form_start(std::string& out, const PageFacts& facts) {
  out += "<form method='POST' enctype='application/x-www-form-urlencoded' action=\"";
  append_escaped_uri(out, facts.action);
  out += "\">\n";
}

void member_name(std::string& out, const MemberRow& m) {
  if (m.uds) out += "<i>";
  out += m.live.name;
  if (m.uds) out += "</i>";
}

void balancer_section(std::string& out, const PageFacts& facts, const BalancerRow& b, bool mark) {
  const auto& s = b.view.settings;
  const std::string short_name = b.short_name();
  out += "<hr />\n<h3>LoadBalancer Status for <a href=\"";
  append_escaped_uri(out, facts.uri);
  out += "?b=";
  out += short_name;
  out += "&amp;nonce=";
  out += s.nonce;
  out += "\">";
  out += b.view.name;
  out += "</a> [";
  out += b.view.sname;
  out += "]</h3>\n";
  out += "\n\n<table><tr><th>MaxMembers</th><th>StickySession</th><th>DisableFailover</th><th>Timeout</th>"
         "<th>FailoverAttempts</th><th>Method</th><th>Path</th><th>Active</th></tr>\n<tr>";
  out += "<td>";
  append_uint(out, b.view.max_members);
  out += " [";
  append_uint(out, b.used);
  out += " Used]</td>\n";
  if (!s.sticky.empty()) {
    out += "<td>";
    sticky_text(out, s);
  } else {
    out += "<td> (None) ";
  }
  out += "</td><td>";
  out += s.sticky_force ? "On" : "Off";
  out += "</td>\n<td>";
  append_int(out, std::chrono::duration_cast<std::chrono::seconds>(s.timeout).count());
  out += "</td><td>";
  append_int(out, s.max_attempts);
  out += "</td>\n<td>";
  out += s.lbmethod;
  out += "</td>\n<td>";
  if (!b.view.vhost.empty()) {
    out += b.view.vhost;
    out += " -> ";
  }
  out += b.view.vpath;
  out += "</td>\n<td>Yes</td>\n</tr>\n</table>\n<br />";
  out += "\n\n<table><tr><th>Worker URL</th><th>Route</th><th>RouteRedir</th><th>Factor</th><th>Set</th>"
         "<th>Status</th><th>Elected</th><th>Busy</th><th>Load</th><th>To</th><th>From</th>";
  if (facts.hcheck)
    out +=
        "<th>HC Method</th><th>HC Interval</th><th>Passes</th><th>Fails</th><th>HC uri</th><th>HC Expr</th>";
  out += "</tr>\n";
  for (const MemberRow& m : b.members) {
    const auto& w = m.live;
    const std::string_view cls = mark ? row_mark(w.status) : std::string_view{};
    if (cls.empty()) {
      out += "<tr>\n";
    } else {
      out += "<tr class='";
      out += cls;
      out += "'>\n";
    }
    out += "<td><a href=\"";
    append_escaped_uri(out, facts.uri);
    out += "?b=";
    out += short_name;
    out += "&amp;w=";
    append_escaped_uri(out, m.name_ex);
    out += "&amp;nonce=";
    out += s.nonce;
    out += "\">";
    member_name(out, m);
    out += "</a></td><td>";
    append_html(out, w.route);
    out += "</td><td>";
    append_html(out, w.redirect);
    out += "</td><td>";
    append_factor(out, w.lbfactor);
    out += "</td><td>";
    append_int(out, w.lbset);
    out += "</td><td>";
    out += worker_status_text(w.status);
    out += "</td><td>";
    append_uint(out, w.elected);
    out += "</td><td>";
    append_int(out, w.busy);
    out += "</td><td>";
    append_int(out, w.lbstatus);
    out += "</td><td>";
    append_strfsize(out, static_cast<std::int64_t>(w.transferred));
    out += "</td><td>";
    append_strfsize(out, static_cast<std::int64_t>(w.read));
    if (facts.hcheck) {
      out += "</td><td>";
      out += hc_method_name(w.hc_method);
      out += "</td><td>";
      append_int(out, std::chrono::duration_cast<std::chrono::milliseconds>(w.hc_interval).count());
      out += "ms</td><td>";
      append_int(out, w.hc_passes);
      out += " (";
      append_int(out, w.hc_pcount);
      out += ")</td><td>";
      append_int(out, w.hc_fails);
      out += " (";
      append_int(out, w.hc_fcount);
      out += ")</td><td>";
      append_html(out, w.hc_uri);
      out += "</td><td>";
      out += w.hc_expr;
    }
    out += "</td></tr>\n";
  }
  out += "</table>\n";
}

void hc_exprs_table(std::string& out, const PageFacts& facts) {
  if (!facts.hcheck || facts.hc_exprs.empty()) return;
  out += "\n\n<table><tr><th colspan='2'>Health check cond. expressions:</th></tr>\n"
         "<tr><th>Expr name</th><th>Expression</th></tr>\n";
  for (const auto& [name, expr] : facts.hc_exprs) {
    out += "<tr><td>";
    append_html(out, name);
    out += "</td><td>";
    append_html(out, expr);
    out += "</td></tr>\n";
  }
  out += "</table><hr/>\n";
}

void worker_form(std::string& out, const PageFacts& facts, const BalancerRow& b, const MemberRow& m) {
  const auto& w = m.live;
  out += "<h3>Edit worker settings for ";
  member_name(out, m);
  out += "</h3>\n";
  form_start(out, facts);
  out += "<table><tr><td>Load factor:</td><td><input name='w_lf' id='w_lf' type=text value='";
  append_factor(out, w.lbfactor);
  out += "'></td></tr>\n<tr><td>LB Set:</td><td><input name='w_ls' id='w_ls' type=text value='";
  append_int(out, w.lbset);
  out += "'></td></tr>\n<tr><td>Route:</td><td><input name='w_wr' id='w_wr' type=text value=\"";
  append_html(out, w.route);
  out += "\"></td></tr>\n<tr><td>Route Redirect:</td><td><input name='w_rr' id='w_rr' type=text value=\"";
  append_html(out, w.redirect);
  out += "\"></td></tr>\n<tr><td>Status:</td><td><table><tr><th>Ignore Errors</th><th>Draining Mode</th>"
         "<th>Disabled</th><th>Hot Standby</th><th>Hot Spare</th>";
  if (facts.hcheck) out += "<th>HC Fail</th>";
  out += "<th>Stopped</th></tr>\n<tr>";
  radio(out, "w_status_I", w.status & d::kWorkerIgnoreErrors);
  radio(out, "w_status_N", w.status & d::kWorkerDrain);
  radio(out, "w_status_D", w.status & d::kWorkerDisabled);
  radio(out, "w_status_H", w.status & d::kWorkerHotStandby);
  radio(out, "w_status_R", w.status & d::kWorkerHotSpare);
  if (facts.hcheck) radio(out, "w_status_C", w.status & d::kWorkerHcFail);
  radio(out, "w_status_S", w.status & d::kWorkerStopped);
  out += "</tr></table></td></tr>\n";
  if (facts.hcheck) {
    out += "<tr><td colspan='2'>\n<table align='center'><tr><th>Health Check param</th><th>Value</th></tr>\n"
           "<tr><td>Method</td><td><select name='w_hm'>\n";
    for (const d::HcMethod method : hc_methods()) {
      if (!hc_method_implemented(method, facts.cping)) continue;
      out += "<option value='";
      out += hc_method_name(method);
      out += "' ";
      if (w.hc_method == method) out += "selected";
      out += " >";
      out += hc_method_name(method);
      out += "</option>\n";
    }
    out += "</select>\n</td></tr>\n<tr><td>Expr</td><td><select name='w_he'>\n";
    for (const auto& [name, expr] : facts.hc_exprs) {
      out += "<option value='";
      append_html(out, name);
      out += "' ";
      if (name == w.hc_expr) out += "selected";
      out += " >";
      append_html(out, name);
      out += "</option>\n";
    }
    out += "</select>\n</td></tr>\n<tr><td>Interval (ms)</td><td><input name='w_hi' id='w_hi' type='text' "
           "value='";
    append_int(out, std::chrono::duration_cast<std::chrono::milliseconds>(w.hc_interval).count());
    out += "'></td></tr>\n<tr><td>Passes trigger</td><td><input name='w_hp' id='w_hp' type='text' value='";
    append_int(out, w.hc_passes);
    out += "'></td></tr>\n<tr><td>Fails trigger)</td><td><input name='w_hf' id='w_hf' type='text' value='";
    append_int(out, w.hc_fails);
    out += "'></td></tr>\n<tr><td>HC uri</td><td><input name='w_hu' id='w_hu' type='text' value=\"";
    append_html(out, w.hc_uri);
    out += "\"></td></tr>\n</table>\n</td></tr>\n";
  }
  out += "<tr><td colspan='2'><input type=submit value='Submit'></td></tr>\n"
         "</table>\n<input type=hidden name='w' id='w' value=\"";
  append_escaped_uri(out, m.name_ex);
  out += "\">\n<input type=hidden name='b' id='b' value=\"";
  append_html(out, b.short_name());
  out += "\">\n<input type=hidden name='nonce' id='nonce' value='";
  out += b.view.settings.nonce;
  out += "'>\n</form>\n<hr />\n";
}

void balancer_form(std::string& out, const PageFacts& facts, const BalancerRow& b) {
  const auto& s = b.view.settings;
  out += "<h3>Edit balancer settings for ";
  append_html(out, b.view.name);
  out += "</h3>\n";
  form_start(out, facts);
  out += "<table>\n";
  if (!facts.lbmethods.empty()) {
    out += "<tr><td>LBmethod:</td><td>\n<select name='b_lbm' id='b_lbm'>";
    for (const auto& name : facts.lbmethods) {
      out += "<option value='";
      out += name;
      out += "'";
      if (name == s.lbmethod) out += " selected ";
      out += ">";
      out += name;
      out += "\n";
    }
    out += "</select>\n</td></tr>\n";
  }
  out += "<tr><td>Timeout:</td><td><input name='b_tmo' id='b_tmo' type=text value='";
  append_int(out, std::chrono::duration_cast<std::chrono::seconds>(s.timeout).count());
  out += "'></td></tr>\n<tr><td>Failover Attempts:</td><td><input name='b_max' id='b_max' type=text value='";
  append_int(out, s.max_attempts);
  out += "'></td></tr>\n<tr><td>Disable Failover:</td>";
  radio(out, "b_sforce", s.sticky_force);
  out += "</tr>\n<tr><td>Sticky Session:</td><td><input name='b_ss' id='b_ss' size=64 type=text value =\"";
  sticky_text(out, s);
  out += "\">&nbsp;&nbsp;&nbsp;&nbsp;(Use '-' to delete)</td></tr>\n";
  if (b.used < b.view.max_members)
    out += "<tr><td>Add New Worker:</td><td><input name='b_nwrkr' id='b_nwrkr' size=32 type=text>"
           "&nbsp;&nbsp;&nbsp;&nbsp;Are you sure? <input name='b_wyes' id='b_wyes' type=checkbox value='1'>"
           "</td></tr>";
  out += "<tr><td colspan=2><input type=submit value='Submit'></td></tr>\n"
         "</table>\n<input type=hidden name='b' id='b' value=\"";
  append_html(out, b.short_name());
  out += "\">\n<input type=hidden name='nonce' id='nonce' value='";
  out += s.nonce;
  out += "'>\n</form>\n<hr />\n";
}

} // namespace

std::string_view row_mark(unsigned status) {
  if (status & (d::kWorkerInError | d::kWorkerHcFail)) return "bm-error";
  if (status & d::kWorkerDrain) return "bm-drain";
  return {};
}

void append_html_page(std::string& out, const PageFacts& facts, const std::vector<BalancerRow>& balancers,
                      const HtmlOptions& options) {
  bool any_marked = false;
  if (options.mark_states)
    for (const auto& b : balancers)
      for (const auto& m : b.members)
        if (!row_mark(m.live.status).empty()) any_marked = true;

  out += kHead;
  if (any_marked) out += kMarkStyle;
  out += "</style>\n</head>\n<body><h1>Load Balancer Manager for ";
  append_html(out, facts.server_name);
  out += "</h1>\n\n<dl><dt>Server Version: ";
  out += facts.version;
  out += "</dt>\n<dt>Server Built: ";
  out += facts.built;
  out += "</dt>\n<dt>Balancer changes will ";
  if (!facts.persist) out += "NOT ";
  out += "be persisted on restart.</dt><dt>Balancers are ";
  if (!facts.inherit) out += "NOT ";
  out += "inherited from main server.</dt><dt>ProxyPass settings are ";
  if (!facts.pass_inherit) out += "NOT ";
  out += "inherited from main server.</dt></dl>\n";
  for (const auto& b : balancers) balancer_section(out, facts, b, options.mark_states);
  out += "<hr />\n";
  hc_exprs_table(out, facts);
  if (options.bsel && options.wsel) {
    worker_form(out, facts, *options.bsel, *options.wsel);
  } else if (options.bsel) {
    balancer_form(out, facts, *options.bsel);
  }
  out += options.signature;
  out += "</body></html>\n";
}

} // namespace balancerd::manager
