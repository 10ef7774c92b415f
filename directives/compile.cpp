#include "directives/compile.hpp"

#include "directives/dispatcher.hpp"
#include "directives/module_set.hpp"
#include "directives/startup_checks.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace balancerd::directives {

std::string format_walk_error(const std::string& file, unsigned line, const std::string& message) {
  return escape_log_text("AH00526: Syntax error on line " + std::to_string(line) + " of " + file + ":") +
         "\n" + escape_log_text(message);
}

LocalHostName local_host_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return {"127.0.0.1", true};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_CANONNAME;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host, nullptr, &hints, &res) != 0 || !res) return {"127.0.0.1", true};
  std::string canon = res->ai_canonname ? res->ai_canonname : host;
  LocalHostName out;
  if (canon.find('.') != std::string::npos) {
    out.name = canon;
  } else {
    // No fully qualified name: Apache uses the address the host name resolves to.
    char buf[INET6_ADDRSTRLEN] = {};
    const void* addr =
        res->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr);
    ::inet_ntop(res->ai_family, addr, buf, sizeof buf);
    out.name = buf;
    out.guessed = true;
  }
  ::freeaddrinfo(res);
  return out;
}

ReadPassResult read_pass_only(const parser::ReadOptions& options, Diagnostics& diagnostics) {
  ModuleSet modules(diagnostics);
  ReadPassResult out;
  try {
    parser::read_config(options, modules);
  } catch (const parser::ReadError& e) {
    out.error = ConfigError(ConfigError::Kind::Read, e.what()).report(diagnostics.program());
  }
  out.modules = modules.loaded_info();
  return out;
}

CompileResult compile_config(const parser::ReadOptions& options, Diagnostics& diagnostics) {
  ModuleSet modules(diagnostics);
  parser::ReadResult read;
  try {
    read = parser::read_config(options, modules);
  } catch (const parser::ReadError& e) {
    ConfigError error(ConfigError::Kind::Read, e.what());
    error.set_includes(e.includes); // apache2 -D DUMP_INCLUDES lists what it read before failing
    throw error;
  }

  // Apache checks the MPM between the passes: with none, not even the walk-pass errors show.
  const std::size_t mpms = modules.mpm_count();
  if (mpms != 1) {
    throw ConfigError(ConfigError::Kind::Other,
                      "AH00534: " + diagnostics.program() + ": Configuration error: " +
                          (mpms == 0 ? "No MPM loaded." : "More than one MPM loaded."));
  }

  auto config = std::make_shared<Config>();
  config->server_root = read.server_root;
  config->default_runtime_dir = read.default_runtime_dir;
  config->defines = read.define_order;
  config->modules = modules.loaded_info();
  for (const LoadedModule& m : config->modules)
    if (m.id.rfind("mpm_", 0) == 0) config->main.core.mpm = m.id.substr(4, m.id.size() - 4 - 7);

  Dispatcher dispatcher(*config, modules, diagnostics);
  if (auto err = dispatcher.walk_releasing(read.tree, config->main, Dispatcher::server_override)) {
    const parser::Node* at = dispatcher.error_node();
    ConfigError error(
        ConfigError::Kind::Walk,
        format_walk_error(at && at->file ? *at->file : options.config_file, at ? at->line : 0, *err));
    error.set_includes(std::move(read.includes));
    throw error;
  }

  CompileResult result;
  result.fqdn = run_startup_checks(*config, diagnostics, dispatcher.require_all_sections() > 0);
  result.includes = std::move(read.includes);
  result.variables = std::move(read.variables);
  result.uses = dispatcher.take_uses();
  result.config = std::move(config);
  return result;
}

} // namespace balancerd::directives
