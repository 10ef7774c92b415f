// mod_env: SetEnv, UnsetEnv, PassEnv.
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

namespace balancerd::directives::http {
namespace {

Result set_env(CmdParms& cmd, std::span<const std::string> a) {
  if (a.empty()) return std::nullopt;
  EnvAssignment e;
  e.name = a[0];
  e.value = a.size() > 1 ? a[1] : std::string();
  cmd.dir().env.setenv.push_back(std::move(e));
  return std::nullopt;
}

Result unset_env(CmdParms& cmd, std::span<const std::string> a) {
  for (const std::string& name : a) {
    EnvAssignment e;
    e.name = name;
    e.value.clear();
    e.unset = true;
    cmd.dir().env.setenv.push_back(std::move(e));
  }
  return std::nullopt;
}

Result pass_env(CmdParms& cmd, std::span<const std::string> a) {
  for (const std::string& name : a) cmd.dir().env.passenv.push_back(name);
  return std::nullopt;
}

constexpr HandlerBinding kEnv[] = {
    {"SetEnv", Support::Implemented, set_env},
    {"UnsetEnv", Support::Implemented, unset_env},
    {"PassEnv", Support::Implemented, pass_env},
};

} // namespace

std::span<const HandlerBinding> env_bindings() {
  return kEnv;
}

} // namespace balancerd::directives::http
