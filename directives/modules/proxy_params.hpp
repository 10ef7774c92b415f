#pragma once
// The key=value parameters of workers, balancers and health checks, with mod_proxy's checks and
// messages (without the "ProxyPass " / "BalancerMember " / "ProxySet: " framing the callers add).
#include "directives/model/config.hpp"
#include "directives/model/proxy_conf.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balancerd::directives::proxy {

// What the parameter checks depend on besides the value.
struct ParamContext {
  bool hcheck_loaded = false; // mod_proxy_hcheck takes the keys mod_proxy does not know
  // Provider names of the loaded mod_lbmethod_* modules: these, and those of `modules` (read only
  // when an lbmethod= is checked, so building a context for every BalancerMember costs nothing).
  std::vector<std::string_view> lbmethods;
  const std::vector<LoadedModule>* modules = nullptr;
  const std::vector<HcTemplate>* templates = nullptr;   // this server's ProxyHCTemplate list
  const std::vector<HcCondition>* conditions = nullptr; // this server's ProxyHCExpr list
};

// Apache keeps parameters in an apr_table: a repeated key (any case) keeps its first position and
// takes the last value.
using ParamList = std::vector<std::pair<std::string, std::string>>;
void table_set(ParamList& params, std::string key, std::string value);

std::optional<std::string> set_worker_param(WorkerParams& w, std::string_view key, std::string_view val,
                                            const ParamContext& ctx);
std::optional<std::string> set_balancer_param(BalancerParams& b, std::string_view key, std::string_view val,
                                              const ParamContext& ctx);
// mod_proxy_hcheck's keys, for a worker or a template (hctemplate= copies from `ctx.templates`).
std::optional<std::string> set_hc_param(HealthCheckParams& hc, std::string_view key, std::string_view val,
                                        const ParamContext& ctx);

// The lbmethod provider registered by a module source, or "" ("mod_lbmethod_bybusyness.c" -> "bybusyness").
std::string_view lbmethod_of_module(std::string_view source);

} // namespace balancerd::directives::proxy
