#include "server/manager/page_model.hpp"

namespace balancerd::manager {

using directives::HcMethod;

std::string BalancerRow::short_name() const {
  constexpr std::string_view prefix = "balancer://";
  std::string_view n = view.name;
  if (n.size() >= prefix.size() && n.substr(0, prefix.size()) == prefix) n.remove_prefix(prefix.size());
  return std::string(n);
}

std::span<const HcMethod> hc_methods() {
  static constexpr HcMethod kMethods[] = {
      HcMethod::None,  HcMethod::Tcp,      HcMethod::Options,   HcMethod::Head,   HcMethod::Get,
      HcMethod::Cping, HcMethod::Provider, HcMethod::Options11, HcMethod::Head11, HcMethod::Get11};
  return kMethods;
}

bool hc_method_implemented(HcMethod method, bool cping) {
  if (method == HcMethod::Provider) return false;
  if (method == HcMethod::Cping) return cping; // mod_proxy_hcheck enables it when mod_proxy_ajp is there
  return true;
}

} // namespace balancerd::manager
