// mod_proxy's single-value directives: server-level switches and sizes, and the per-directory flags.
#include "directives/ci_string.hpp"
#include "directives/modules/proxy_handlers.hpp"
#include "directives/modules/proxy_numbers.hpp"
#include "directives/section_args.hpp"

#include <algorithm>
#include <chrono>
#include <netdb.h>
#include <sys/socket.h>

namespace balancerd::directives::proxy {

namespace {

const std::string& arg0(Args args) {
  static const std::string empty;
  return args.empty() ? empty : args[0];
}

bool flag(Args args) {
  return ci_equal(arg0(args), "on");
}

// ProxyRemote / ProxyRemoteMatch (add_proxy).
Result add_remote(CmdParms& cmd, Args args, bool regex) {
  const std::string prefix = regex ? "ProxyRemoteMatch: " : "ProxyRemote: ";
  const std::string& f = arg0(args);
  const std::string r = args.size() > 1 ? args[1] : std::string();
  const auto p = r.find(':');
  if (p == std::string::npos || p + 3 >= r.size() || r[p + 1] != '/' || r[p + 2] != '/')
    return prefix + "Bad syntax for a remote proxy server";
  const auto q = r.find(':', p + 3);
  if (q != std::string::npos) {
    // sscanf("%u"): leading blanks and digits, the rest ignored.
    std::size_t i = q + 1;
    while (i < r.size() && (r[i] == ' ' || r[i] == '\t')) ++i;
    if (i < r.size() && r[i] == '+') ++i;
    std::size_t j = i;
    unsigned long port = 0;
    while (j < r.size() && r[j] >= '0' && r[j] <= '9') {
      port = port * 10 + static_cast<unsigned long>(r[j] - '0');
      if (port > 0xffffffffUL) port = 0xffffffffUL;
      ++j;
    }
    if (j == i || port > 65535) return prefix + "Bad syntax for a remote proxy server (bad port number)";
  }
  if (regex && !directives::regex_compiles(f))
    return std::string("Regular expression for ProxyRemoteMatch could not be compiled.");
  ProxyRemote remote;
  remote.scheme = (!regex && f.find(':') == std::string::npos) ? ascii_lower(f) : f;
  remote.url = r.substr(0, p + 3) + ascii_lower(r.substr(p + 3));
  remote.use_regex = regex;
  if (args.size() > 2) remote.creds = args[2];
  cmd.server.proxy.remotes.push_back(std::move(remote));
  return std::nullopt;
}

void add_unique(std::vector<std::string>& list, const std::string& word) {
  if (std::none_of(list.begin(), list.end(), [&](const std::string& s) { return ci_equal(s, word); }))
    list.push_back(word);
}

} // namespace

Result proxy_requests(CmdParms& cmd, Args args) {
  cmd.server.proxy.requests = flag(args);
  return std::nullopt;
}

Result proxy_remote(CmdParms& cmd, Args args) {
  return add_remote(cmd, args, false);
}
Result proxy_remote_match(CmdParms& cmd, Args args) {
  return add_remote(cmd, args, true);
}

Result proxy_pass_interpolate_env(CmdParms& cmd, Args args) {
  cmd.dir().proxy->interpolate_env = flag(args);
  return std::nullopt;
}

Result proxy_block(CmdParms& cmd, Args args) {
  add_unique(cmd.server.proxy.blocked, arg0(args));
  return std::nullopt;
}

Result no_proxy(CmdParms& cmd, Args args) {
  add_unique(cmd.server.proxy.no_proxy, arg0(args));
  return std::nullopt;
}

Result proxy_domain(CmdParms& cmd, Args args) {
  const std::string& arg = arg0(args);
  if (arg.empty() || arg[0] != '.') return std::string("ProxyDomain: domain name must start with a dot.");
  cmd.server.proxy.domain = arg;
  return std::nullopt;
}

Result proxy_receive_buffer_size(CmdParms& cmd, Args args) {
  const int s = c_atoi(arg0(args));
  if (s < 512 && s != 0)
    return std::string("ProxyReceiveBufferSize must be >= 512 bytes, or 0 for system default.");
  cmd.server.proxy.recv_buffer_size = s;
  return std::nullopt;
}

Result proxy_io_buffer_size(CmdParms& cmd, Args args) {
  const long s = c_atol(arg0(args));
  if (s < 512 && s) return std::string("ProxyIOBufferSize must be >= 512 bytes, or 0 for system default.");
  cmd.server.proxy.io_buffer_size = s ? static_cast<std::size_t>(s) : 8192;
  return std::nullopt;
}

Result proxy_max_forwards(CmdParms& cmd, Args args) {
  cmd.server.proxy.max_forwards = c_atol(arg0(args));
  return std::nullopt;
}

Result proxy_via(CmdParms& cmd, Args args) {
  const std::string& a = arg0(args);
  ProxyVia v;
  if (ci_equal(a, "Off"))
    v = ProxyVia::Off;
  else if (ci_equal(a, "On"))
    v = ProxyVia::On;
  else if (ci_equal(a, "Block"))
    v = ProxyVia::Block;
  else if (ci_equal(a, "Full"))
    v = ProxyVia::Full;
  else
    return std::string("ProxyVia must be one of: off | on | full | block");
  cmd.server.proxy.via = v;
  return std::nullopt;
}

// Iterate: called once per word; the state of the previous words is the dir config itself.
Result proxy_error_override(CmdParms& cmd, Args args) {
  ProxyDirConf& conf = *cmd.dir().proxy;
  const std::string& a = arg0(args);
  if (ci_equal(a, "Off")) {
    conf.error_override = false;
  } else if (ci_equal(a, "On")) {
    conf.error_override = true;
  } else if (conf.error_override.has_value()) {
    if (a.empty() || a[0] < '0' || a[0] > '9')
      return std::string("ProxyErrorOverride: status codes to intercept must be numeric");
    if (!*conf.error_override)
      return std::string("ProxyErrorOverride: status codes must follow a value of 'on'");
    const long code = c_atol(a);
    if (code < 400 || code >= 600)
      return std::string(
          "ProxyErrorOverride: status codes to intercept must be valid HTTP Status Codes >=400 && <600");
    auto& codes = conf.error_override_codes;
    codes.insert(std::upper_bound(codes.begin(), codes.end(), static_cast<int>(code)),
                 static_cast<int>(code));
  } else {
    return std::string("ProxyErrorOverride first parameter must be one of: off | on");
  }
  return std::nullopt;
}

Result proxy_preserve_host(CmdParms& cmd, Args args) {
  cmd.dir().proxy->preserve_host = flag(args);
  return std::nullopt;
}

Result proxy_timeout(CmdParms& cmd, Args args) {
  const int t = c_atoi(arg0(args));
  if (t < 1) return std::string("Proxy Timeout must be at least 1 second.");
  cmd.server.proxy.timeout = std::chrono::seconds(t);
  return std::nullopt;
}

Result proxy_bad_header(CmdParms& cmd, Args args) {
  const std::string& a = arg0(args);
  if (ci_equal(a, "IsError"))
    cmd.server.proxy.bad_header = ProxyBadHeader::IsError;
  else if (ci_equal(a, "Ignore"))
    cmd.server.proxy.bad_header = ProxyBadHeader::Ignore;
  else if (ci_equal(a, "StartBody"))
    cmd.server.proxy.bad_header = ProxyBadHeader::StartBody;
  else
    return std::string("ProxyBadHeader must be one of: IsError | Ignore | StartBody");
  return std::nullopt;
}

Result balancer_growth(CmdParms& cmd, Args args) {
  const int g = c_atoi(arg0(args));
  if (g < 0 || g > 1000) return std::string("BalancerGrowth must be between 0 and 1000");
  cmd.server.proxy.balancer_growth = g;
  return std::nullopt;
}

Result balancer_persist(CmdParms& cmd, Args args) {
  cmd.server.proxy.balancer_persist = flag(args);
  return std::nullopt;
}

Result balancer_inherit(CmdParms& cmd, Args args) {
  cmd.server.proxy.balancer_inherit = flag(args);
  return std::nullopt;
}

Result proxy_pass_inherit(CmdParms& cmd, Args args) {
  cmd.server.proxy.pass_inherit = flag(args);
  return std::nullopt;
}

Result proxy_status(CmdParms& cmd, Args args) {
  const std::string& a = arg0(args);
  if (ci_equal(a, "Off"))
    cmd.server.proxy.status = ProxyStatusOpt::Off;
  else if (ci_equal(a, "On"))
    cmd.server.proxy.status = ProxyStatusOpt::On;
  else if (ci_equal(a, "Full"))
    cmd.server.proxy.status = ProxyStatusOpt::Full;
  else
    return std::string("ProxyStatus must be one of: off | on | full");
  return std::nullopt;
}

// Apache resolves the address at config time (apr_sockaddr_info_get); a name that does not resolve is
// refused. Resolving is no socket, so it stays within the directives layer's rule.
Result proxy_source_address(CmdParms& cmd, Args args) {
  const std::string& a = arg0(args);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (a.empty() || getaddrinfo(a.c_str(), nullptr, &hints, &res) != 0)
    return std::string("ProxySourceAddress invalid value");
  freeaddrinfo(res);
  cmd.server.proxy.source_address = a;
  return std::nullopt;
}

Result proxy_add_headers(CmdParms& cmd, Args args) {
  cmd.dir().proxy->add_headers = flag(args);
  return std::nullopt;
}

Result proxy_100_continue(CmdParms& cmd, Args args) {
  cmd.dir().proxy->continue_100 = flag(args);
  return std::nullopt;
}

} // namespace balancerd::directives::proxy
