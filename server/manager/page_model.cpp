#include "server/manager/page_model.hpp"

namespace balancerd::manager {

using directives::HcMethod;

std::string BalancerRow::short_name() const {
  constexpr std::string_view prefix = "balancer://";
  std::string_view n = view.name;
  if (n.size() >= prefix.size() && n.substr(0, prefix.size()) == prefix) n.remove_prefix(prefix.size());
  return std::string(n);
}

const std::vector<HcMethodName>& hc_method_names() {
  static const std::vector<HcMethodName> names = {
      {HcMethod::None, "NONE"},         {HcMethod::Tcp, "TCP"},
      {HcMethod::Options, "OPTIONS"},   {HcMethod::Head, "HEAD"},
      {HcMethod::Get, "GET"},           {HcMethod::Cping, "CPING"},
      {HcMethod::Provider, "PROVIDER"}, {HcMethod::Options11, "OPTIONS11"},
      {HcMethod::Head11, "HEAD11"},     {HcMethod::Get11, "GET11"},
  };
  return names;
}

const char* hc_method_name(HcMethod method) {
  for (const auto& m : hc_method_names())
    if (m.method == method) return m.name;
  return "???";
}

bool hc_method_implemented(HcMethod method, bool cping) {
  if (method == HcMethod::Provider) return false;
  if (method == HcMethod::Cping) return cping; // mod_proxy_hcheck enables it when mod_proxy_ajp is there
  return true;
}

} // namespace balancerd::manager
