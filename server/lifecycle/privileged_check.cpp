#include "server/lifecycle/privileged_check.hpp"

#include <algorithm>
#include <cctype>

#include "directives/compile.hpp"
#include "server/balancer/persist_file.hpp"
#include "server/log/log_set.hpp"
#include "server/log/piped_log.hpp"

namespace balancerd::lifecycle {

namespace {

bool is_file_spec(const std::string& spec) {
  return !spec.empty() && spec.front() != '|';
}

// Error logs go to syslog under these names; CustomLog has no syslog (a file of that name).
bool is_syslog(const std::string& spec) {
  return spec == "syslog" || spec.starts_with("syslog:");
}

// Every log target spec LogSet::open gives to open_log_target, with whether it is an error log.
template <typename F> void for_each_log_spec(const directives::Config& config, F&& f) {
  f(config.main.core.error_log.value_or(log::default_error_log(config)), true);
  for (const auto& l : config.main.log.logs) f(l.target, false);
  for (const auto& v : config.vhosts) {
    if (v.core.error_log) f(*v.core.error_log, true);
    for (const auto& l : v.log.logs) f(l.target, false);
  }
}

} // namespace

std::vector<std::string> privileged_check_prefix(const std::string& binary, const parser::ReadOptions& read) {
  std::vector<std::string> out{
      binary, std::string(kPrivilegedCheckFlag), "-d", read.server_root, "-f", read.config_file};
  for (const auto& d : read.defines) out.insert(out.end(), {"-D", d});
  for (const auto& d : read.pre_directives) out.insert(out.end(), {"-C", d});
  for (const auto& d : read.post_directives) out.insert(out.end(), {"-c", d});
  out.emplace_back("--");
  return out;
}

std::vector<std::string> configured_log_files(const directives::Config& config) {
  std::vector<std::string> out;
  for_each_log_spec(config, [&](const std::string& spec, bool error_log) {
    if (is_file_spec(spec) && !(error_log && is_syslog(spec))) out.push_back(spec);
  });
  return out;
}

std::vector<std::vector<std::string>> configured_piped_logs(const directives::Config& config) {
  std::vector<std::vector<std::string>> out;
  for_each_log_spec(config, [&](const std::string& spec, bool) {
    if (spec.starts_with("|")) out.push_back(log::PipedLog::program_argv(spec));
  });
  return out;
}

std::string configured_persist_file(const directives::Config& config) {
  // BalancerPersist is not inherited: each server's own value decides (as the state store reads it).
  bool persist = config.main.proxy.balancer_persist;
  for (const auto& v : config.vhosts) persist = persist || v.proxy.balancer_persist;
  return persist ? balancer::default_persist_path(config) : std::string();
}

namespace {

// Calls fn(own, main) for the main server and each vhost that has SSLEngine on, an unset engine
// taken from the main server (mod_ssl's merge); what `own` leaves unset comes from `main`.
template <class Fn> void for_each_tls_server(const directives::Config& config, Fn fn) {
  namespace d = directives;
  const d::SslServerConf& main = *config.main.ssl;
  auto one = [&](const d::SslServerConf& own) {
    const d::SslEngine engine = own.engine == d::SslEngine::Unset ? main.engine : own.engine;
    if (engine == d::SslEngine::On) fn(own.server, main.server);
  };
  one(main);
  for (const auto& v : config.vhosts) one(*v.ssl);
}

} // namespace

std::vector<std::string> configured_tls_files(const directives::Config& config) {
  std::vector<std::string> out;
  for_each_tls_server(config, [&](const auto& s, const auto& b) {
    const auto& certs = s.certificate_files.empty() ? b.certificate_files : s.certificate_files;
    const auto& keys = s.certificate_key_files.empty() ? b.certificate_key_files : s.certificate_key_files;
    out.insert(out.end(), certs.begin(), certs.end());
    out.insert(out.end(), keys.begin(), keys.end());
    if (const auto& f = s.certificate_chain_file ? s.certificate_chain_file : b.certificate_chain_file)
      out.push_back(*f);
    if (const auto& f = s.ca_certificate_file ? s.ca_certificate_file : b.ca_certificate_file)
      out.push_back(*f);
  });
  return out;
}

std::vector<std::string> configured_tls_ca_paths(const directives::Config& config) {
  std::vector<std::string> out;
  for_each_tls_server(config, [&](const auto& s, const auto& b) {
    if (const auto& p = s.ca_certificate_path ? s.ca_certificate_path : b.ca_certificate_path)
      out.push_back(*p);
  });
  return out;
}

bool is_hashed_ca_name(std::string_view name) {
  if (name.size() < 10 || name[8] != '.') return false;
  for (std::size_t i = 0; i < 8; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(name[i]))) return false;
  std::string_view n = name.substr(9);
  if (n.front() == 'r') n.remove_prefix(1);
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

namespace {

// `path` is a configured CA directory (as configured, or without its trailing '/'), or one of its
// hashed entries.
bool in_ca_path(const directives::Config& config, const std::string& path) {
  for (std::string dir : configured_tls_ca_paths(config)) {
    if (path == dir) return true;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (path == dir) return true;
    if (path.size() > dir.size() + 1 && path.starts_with(dir) && path[dir.size()] == '/' &&
        is_hashed_ca_name(std::string_view(path).substr(dir.size() + 1)))
      return true;
  }
  return false;
}

} // namespace

bool privileged_request_allowed(const directives::Config& config, std::string_view op,
                                const std::vector<std::string>& words) {
  if (op == kCheckSpawn) {
    const auto programs = configured_piped_logs(config);
    return !words.empty() && std::find(programs.begin(), programs.end(), words) != programs.end();
  }
  if (words.size() != 1 || words[0].empty()) return false;
  if (op == kCheckOpenLog) {
    const auto files = configured_log_files(config);
    return std::find(files.begin(), files.end(), words[0]) != files.end();
  }
  if (op == kCheckOpenRead) {
    const auto files = configured_tls_files(config);
    return std::find(files.begin(), files.end(), words[0]) != files.end() || in_ca_path(config, words[0]);
  }
  if (op == kCheckOpenRuntime) {
    const std::string persist = configured_persist_file(config);
    return !persist.empty() && persist == words[0];
  }
  return false;
}

int run_privileged_check(int argc, char** argv) {
  if (argc < 2 || argv[1] != kPrivilegedCheckFlag) return 2;
  parser::ReadOptions read;
  int i = 2;
  bool dashes = false;
  // read options come in pairs, so a value that reads "--" is still a value
  for (; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") {
      dashes = true;
      ++i;
      break;
    }
    if (i + 1 >= argc) return 2;
    const std::string value = argv[++i];
    if (a == "-d")
      read.server_root = value;
    else if (a == "-f")
      read.config_file = value;
    else if (a == "-D")
      read.defines.push_back(value);
    else if (a == "-C")
      read.pre_directives.push_back(value);
    else if (a == "-c")
      read.post_directives.push_back(value);
    else
      return 2;
  }
  if (!dashes || i >= argc || read.server_root.empty() || read.config_file.empty()) return 2;
  const std::string op = argv[i++];
  const std::vector<std::string> words(argv + i, argv + argc);
  try {
    directives::Diagnostics diag("balancerd", [](const directives::LogRecord&) {});
    const directives::CompileResult compiled = directives::compile_config(read, diag);
    if (!compiled.config) return 2;
    return privileged_request_allowed(*compiled.config, op, words) ? 0 : 1;
  } catch (...) { // a read or syntax error: nothing is allowed
    return 2;
  }
}

} // namespace balancerd::lifecycle
