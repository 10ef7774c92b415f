#include "server/manager/prometheus_text.hpp"

#include <functional>

#include "directives/model/proxy_worker.hpp"
#include "server/manager/page_format.hpp"

namespace balancerd::manager {

namespace d = directives;

namespace {

struct Flag {
  unsigned bit;
  const char* name;
};
// mod_proxy's status texts, in its table order.
constexpr Flag kFlags[] = {
    {d::kWorkerInitialized, "Init"}, {d::kWorkerIgnoreErrors, "Ign"}, {d::kWorkerDrain, "Drn"},
    {d::kWorkerGeneric, "Gen"},      {d::kWorkerInShutdown, "Shut"},  {d::kWorkerDisabled, "Dis"},
    {d::kWorkerStopped, "Stop"},     {d::kWorkerInError, "Err"},      {d::kWorkerHotStandby, "Stby"},
    {d::kWorkerHotSpare, "Spar"},    {d::kWorkerFree, "Free"},        {d::kWorkerHcFail, "HcFl"},
};

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void labels(std::string& out, const BalancerRow& b, const MemberRow* m, const char* flag = nullptr) {
  out += "{balancer=\"";
  append_label_value(out, b.view.name);
  out += '"';
  if (m) {
    out += ",worker=\"";
    append_label_value(out, m->name_ex);
    out += '"';
  }
  if (flag) {
    out += ",flag=\"";
    out += flag;
    out += '"';
  }
  out += "} ";
}

using MemberValue = std::function<void(std::string&, const MemberRow&)>;

void member_metric(std::string& out, const std::vector<BalancerRow>& balancers, std::string_view name,
                   std::string_view type, std::string_view help, const MemberValue& value) {
  header(out, name, type, help);
  for (const auto& b : balancers)
    for (const auto& m : b.members) {
      out += name;
      labels(out, b, &m);
      value(out, m);
      out += '\n';
    }
}

} // namespace

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_prometheus(std::string& out, const std::vector<BalancerRow>& balancers) {
  header(out, "balancerd_balancer_members", "gauge", "Members in use.");
  for (const auto& b : balancers) {
    out += "balancerd_balancer_members";
    labels(out, b, nullptr);
    append_uint(out, b.used);
    out += '\n';
  }
  header(out, "balancerd_balancer_max_members", "gauge", "Configured members plus growth.");
  for (const auto& b : balancers) {
    out += "balancerd_balancer_max_members";
    labels(out, b, nullptr);
    append_uint(out, b.view.max_members);
    out += '\n';
  }
  member_metric(out, balancers, "balancerd_worker_usable", "gauge", "1 when the member can be chosen.",
                [](std::string& o, const MemberRow& m) { o += m.live.usable() ? '1' : '0'; });
  header(out, "balancerd_worker_status", "gauge", "1 for each status flag set on the member.");
  for (const auto& b : balancers)
    for (const auto& m : b.members)
      for (const auto& f : kFlags) {
        out += "balancerd_worker_status";
        labels(out, b, &m, f.name);
        out += (m.live.status & f.bit) ? '1' : '0';
        out += '\n';
      }
  member_metric(out, balancers, "balancerd_worker_elected_total", "counter", "Times the member was chosen.",
                [](std::string& o, const MemberRow& m) { append_uint(o, m.live.elected); });
  member_metric(out, balancers, "balancerd_worker_busy", "gauge", "Requests in flight on the member.",
                [](std::string& o, const MemberRow& m) { append_int(o, m.live.busy); });
  member_metric(out, balancers, "balancerd_worker_lbstatus", "gauge", "The lbmethod's load value (Load).",
                [](std::string& o, const MemberRow& m) { append_int(o, m.live.lbstatus); });
  member_metric(out, balancers, "balancerd_worker_load_factor", "gauge", "Load factor (loadfactor=).",
                [](std::string& o, const MemberRow& m) { append_factor(o, m.live.lbfactor); });
  member_metric(out, balancers, "balancerd_worker_lbset", "gauge", "Load balancer set (lbset=).",
                [](std::string& o, const MemberRow& m) { append_int(o, m.live.lbset); });
  member_metric(out, balancers, "balancerd_worker_sent_bytes_total", "counter", "Bytes sent to the backend.",
                [](std::string& o, const MemberRow& m) { append_uint(o, m.live.transferred); });
  member_metric(out, balancers, "balancerd_worker_received_bytes_total", "counter",
                "Bytes read from the backend.",
                [](std::string& o, const MemberRow& m) { append_uint(o, m.live.read); });
  member_metric(out, balancers, "balancerd_worker_retries_total", "counter",
                "Times the member was put back from error.",
                [](std::string& o, const MemberRow& m) { append_uint(o, m.live.retries); });
}

} // namespace balancerd::manager
