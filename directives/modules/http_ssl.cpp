// mod_ssl: the server side (SSLEngine, certificates, SSLProtocol, SSLCipherSuite, session cache...)
// and the proxy side (SSLProxy*), with mod_ssl's config-time checks and messages.
#include "directives/modules/http_ssl.hpp"
#include "directives/run_mode.hpp"

#include "directives/dispatcher.hpp"
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>

namespace balancerd::directives::http {
namespace {

// A file the server's User may not even stat (a key under a 0700 root directory, as certbot's
// live/ is) passes a server run's check: a graceful reload compiles the configuration as User, where
// apache2's parent is root. The TLS layer then reads it as root through the privileged helper and
// reports the file's real error itself.
bool is_nonempty_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return errno == EACCES && ::geteuid() != 0 && run_mode() == RunMode::Normal;
  return S_ISREG(st.st_mode) && st.st_size > 0;
}

// The same for a directory (SSLCACertificatePath under a 0700 root directory): the TLS layer reads
// its hashed entries as root through the helper.
bool is_directory(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return errno == EACCES && ::geteuid() != 0 && run_mode() == RunMode::Normal;
  return S_ISDIR(st.st_mode);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string name_of(const CmdParms& cmd) {
  return std::string(cmd.def.name);
}

// "SSLCertificateFile: file '/x' does not exist or is empty"
Result checked_file(const CmdParms& cmd, const std::string& arg, std::string& out) {
  out = server_root_relative(cmd, arg);
  if (run_mode() == RunMode::ConfigDump) return std::nullopt; // apache2 -S/-M/-D DUMP_*: no file checks
  if (!is_nonempty_file(out)) return name_of(cmd) + ": file '" + out + "' does not exist or is empty";
  return std::nullopt;
}

Result checked_dir(const CmdParms& cmd, const std::string& arg, std::string& out) {
  out = server_root_relative(cmd, arg);
  if (run_mode() == RunMode::ConfigDump) return std::nullopt;
  if (!is_directory(out)) return name_of(cmd) + ": directory '" + out + "' does not exist";
  return std::nullopt;
}

bool is_proxy_directive(const CmdParms& cmd) {
  return cmd.def.name.substr(0, 8) == "SSLProxy";
}

// The proxy side of where the directive stands (<Proxy> section or server/vhost).
SslProxySide& proxy_side(CmdParms& cmd) {
  return cmd.section ? cmd.dir().ssl->proxy : cmd.server.ssl->proxy;
}

SslContextConf& context(CmdParms& cmd) {
  return is_proxy_directive(cmd) ? proxy_side(cmd).ctx : cmd.server.ssl->server;
}

bool flag_on(std::span<const std::string> a) {
  return !a.empty() && ci_equal(a[0], "on");
}

Result engine(CmdParms& cmd, std::span<const std::string> a) {
  const std::string v = a.empty() ? std::string() : a[0];
  if (ci_equal(v, "on"))
    cmd.server.ssl->engine = SslEngine::On;
  else if (ci_equal(v, "off"))
    cmd.server.ssl->engine = SslEngine::Off;
  else if (ci_equal(v, "optional")) {
    cmd.server.ssl->engine = SslEngine::Optional;
    // A notice: Apache logs notices whatever the LogLevel.
    cmd.dispatcher.diagnostics().log("ssl", "notice", "AH10510: 'SSLEngine optional' is no longer supported");
  } else
    return "Argument must be On or Off";
  cmd.server.ssl->engine_file = cmd.node.file ? *cmd.node.file : std::string();
  cmd.server.ssl->engine_line = cmd.node.line;
  return std::nullopt;
}

Result certificate_file(CmdParms& cmd, std::span<const std::string> a) {
  std::string path;
  if (auto err = checked_file(cmd, a[0], path)) return err;
  cmd.server.ssl->server.certificate_files.push_back(std::move(path));
  return std::nullopt;
}

Result certificate_key_file(CmdParms& cmd, std::span<const std::string> a) {
  std::string path;
  if (auto err = checked_file(cmd, a[0], path)) return err;
  cmd.server.ssl->server.certificate_key_files.push_back(std::move(path));
  return std::nullopt;
}

// File-valued settings of either side, selected by directive name.
Result file_setting(CmdParms& cmd, std::span<const std::string> a) {
  std::string path;
  if (auto err = checked_file(cmd, a[0], path)) return err;
  SslContextConf& c = context(cmd);
  const std::string_view n = cmd.def.name;
  if (n.ends_with("CertificateChainFile") && n.find("Machine") != std::string_view::npos)
    c.machine_certificate_chain_file = path;
  else if (n.ends_with("CertificateChainFile"))
    c.certificate_chain_file = path;
  else if (n.ends_with("MachineCertificateFile"))
    c.machine_certificate_file = path;
  else if (n.ends_with("CACertificateFile"))
    c.ca_certificate_file = path;
  else if (n.ends_with("CARevocationFile"))
    c.ca_revocation_file = path;
  return std::nullopt;
}

Result dir_setting(CmdParms& cmd, std::span<const std::string> a) {
  std::string path;
  if (auto err = checked_dir(cmd, a[0], path)) return err;
  SslContextConf& c = context(cmd);
  const std::string_view n = cmd.def.name;
  if (n.ends_with("MachineCertificatePath"))
    c.machine_certificate_path = path;
  else if (n.ends_with("CACertificatePath"))
    c.ca_certificate_path = path;
  else if (n.ends_with("CARevocationPath"))
    c.ca_revocation_path = path;
  return std::nullopt;
}

Result protocol(CmdParms& cmd, std::span<const std::string> a) {
  unsigned bits = 0;
  if (auto err =
          parse_ssl_protocols(cmd.def.name, a.empty() ? std::string_view() : std::string_view(a[0]), bits))
    return err;
  context(cmd).protocols = bits;
  return std::nullopt;
}

Result cipher_suite(CmdParms& cmd, std::span<const std::string> a) {
  std::string proto = a.size() > 1 ? a[0] : std::string();
  const std::string& spec = a.size() > 1 ? a[1] : a[0];
  const bool tls13 = ci_equal(proto, "TLSv1.3");
  if (!proto.empty() && !tls13 && !ci_equal(proto, "SSL")) return "protocol '" + proto + "' not supported";
  if (cmd.section && !is_proxy_directive(cmd)) {
    cmd.dir().ssl->cipher_suite = spec; // per-dir: renegotiation
    return std::nullopt;
  }
  SslContextConf& c = context(cmd);
  (tls13 ? c.cipher_suite_tls13 : c.cipher_suite) = spec;
  return std::nullopt;
}

std::optional<SslVerify> verify_mode(std::string_view v) {
  // mod_ssl also takes "off" for none and "on" for require.
  if (ci_equal(v, "none") || ci_equal(v, "off")) return SslVerify::None;
  if (ci_equal(v, "on")) return SslVerify::Require;
  if (ci_equal(v, "optional")) return SslVerify::Optional;
  if (ci_equal(v, "require")) return SslVerify::Require;
  if (ci_equal(v, "optional_no_ca")) return SslVerify::OptionalNoCa;
  return std::nullopt;
}

Result verify(CmdParms& cmd, std::span<const std::string> a) {
  auto m = verify_mode(a[0]);
  if (!m) return name_of(cmd) + ": Invalid argument '" + a[0] + "'";
  if (is_proxy_directive(cmd))
    proxy_side(cmd).ctx.verify = *m;
  else if (cmd.section)
    cmd.dir().ssl->verify_client = *m;
  else
    cmd.server.ssl->server.verify = *m;
  return std::nullopt;
}

Result verify_depth(CmdParms& cmd, std::span<const std::string> a) {
  const int d = loose_atoi(a[0]);
  if (d < 0) return name_of(cmd) + ": Invalid argument '" + a[0] + "'";
  if (is_proxy_directive(cmd))
    proxy_side(cmd).ctx.verify_depth = d;
  else if (cmd.section)
    cmd.dir().ssl->verify_depth = d;
  else
    cmd.server.ssl->server.verify_depth = d;
  return std::nullopt;
}

Result proxy_flag(CmdParms& cmd, std::span<const std::string> a) {
  SslProxySide& p = proxy_side(cmd);
  const std::string_view n = cmd.def.name;
  const bool on = flag_on(a);
  if (n == "SSLProxyEngine")
    p.engine = on;
  else if (n == "SSLProxyCheckPeerName")
    p.check_peer_name = on;
  else if (n == "SSLProxyCheckPeerCN")
    p.check_peer_cn = on;
  else if (n == "SSLProxyCheckPeerExpire")
    p.check_peer_expire = on;
  return std::nullopt;
}

Result server_flag(CmdParms& cmd, std::span<const std::string> a) {
  SslServerConf& s = *cmd.server.ssl;
  const std::string_view n = cmd.def.name;
  const bool on = flag_on(a);
  if (n == "SSLHonorCipherOrder")
    s.honor_cipher_order = on;
  else if (n == "SSLCompression")
    s.compression = on;
  else if (n == "SSLSessionTickets")
    s.session_tickets = on;
  else if (n == "SSLInsecureRenegotiation")
    s.insecure_renegotiation = on;
  else if (n == "SSLStrictSNIVHostCheck")
    s.strict_sni_vhost_check = on;
  else if (n == "SSLUseStapling")
    s.use_stapling = on;
  return std::nullopt;
}

// mod_socache_shmcb's check of "PATH(SIZE)" when the cache is created (at config time).
Result shmcb_size_error(const std::string& arg) {
  const std::size_t open = arg.rfind('(');
  if (open == std::string::npos) {
    if (!arg.empty() && arg.back() == ')') return "Invalid argument: no opening parenthesis";
    return std::nullopt;
  }
  if (arg.back() != ')')
    return "Invalid argument: no closing parenthesis or cache size missing after pathname with "
           "parenthesis";
  const std::string digits = arg.substr(open + 1, arg.size() - open - 2);
  char* end = nullptr;
  const long n = std::strtol(digits.c_str(), &end, 10);
  if (end != digits.c_str() + digits.size()) return "Invalid argument: cache size not numerical";
  // The size is an apr_size_t: a negative number wraps to a huge one.
  const unsigned long size = static_cast<unsigned long>(n);
  if (size < 8192) return "Invalid argument: size has to be >= 8192 bytes";
  if (size >= 4294967295UL) return "Invalid argument: size has to be < 4294967295 bytes on this platform";
  return std::nullopt;
}

// socache providers come from the loaded mod_socache_* modules.
Result session_cache(CmdParms& cmd, std::span<const std::string> a) {
  const std::string& v = a[0];
  if (ci_equal(v, "none") || ci_equal(v, "nonenotnull")) {
    cmd.server.ssl->session_cache = v;
    return std::nullopt;
  }
  const std::string name = v.substr(0, v.find(':'));
  std::vector<std::string> known = {"default"};
  for (const LoadedModule& m : cmd.config.modules)
    if (m.source.starts_with("mod_socache_") && m.source.ends_with(".c"))
      known.push_back(m.source.substr(12, m.source.size() - 14));
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ",") + k;
    return "SSLSessionCache: '" + name + "' session cache not supported (known names: " + list +
           "). Maybe you need to load the appropriate socache module (mod_socache_" + name + "?).";
  }
  if (name == "shmcb" && v.find(':') != std::string::npos)
    if (auto err = shmcb_size_error(v.substr(v.find(':') + 1))) return "SSLSessionCache: " + *err;
  cmd.server.ssl->session_cache = v;
  return std::nullopt;
}

Result session_cache_timeout(CmdParms& cmd, std::span<const std::string> a) {
  cmd.server.ssl->session_cache_timeout = loose_atoi(a[0]);
  return std::nullopt;
}

Result options(CmdParms& cmd, std::span<const std::string> a) {
  static constexpr std::array<std::string_view, 6> kOptions = {"StdEnvVars",     "ExportCertData",
                                                               "FakeBasicAuth",  "StrictRequire",
                                                               "OptRenegotiate", "LegacyDNStringFormat"};
  std::vector<std::string> out;
  for (const std::string& w : words_of(a.empty() ? std::string_view() : std::string_view(a[0]))) {
    std::string_view name = w;
    if (!name.empty() && (name.front() == '+' || name.front() == '-')) name.remove_prefix(1);
    if (std::none_of(kOptions.begin(), kOptions.end(), [&](std::string_view o) { return ci_equal(o, name); }))
      return "SSLOptions: Illegal option '" + std::string(name) + "'";
    out.push_back(w);
  }
  auto& opts = cmd.dir().ssl->options;
  opts.insert(opts.end(), out.begin(), out.end());
  return std::nullopt;
}

Result random_seed(CmdParms& cmd, std::span<const std::string> a) {
  if (!ci_equal(a[0], "startup") && !ci_equal(a[0], "connect"))
    return "SSLRandomSeed: invalid context: `" + a[0] + "'";
  if (a.size() < 2) return std::nullopt;
  const std::string& src = a[1];
  if (ci_equal(src, "builtin") || ci_starts_with(src, "exec:") || ci_starts_with(src, "egd:"))
    return std::nullopt;
  const std::string path = server_root_relative(cmd, ci_starts_with(src, "file:") ? src.substr(5) : src);
  if (!exists(path)) return "SSLRandomSeed: source path '" + path + "' does not exist";
  return std::nullopt;
}

Result pass_phrase_dialog(CmdParms&, std::span<const std::string> a) {
  const std::string& v = a[0];
  if (ci_equal(v, "builtin") || ci_starts_with(v, "exec:") || (!v.empty() && v.front() == '|'))
    return std::nullopt;
  return "SSLPassPhraseDialog: Invalid argument";
}

Result openssl_conf_cmd(CmdParms& cmd, std::span<const std::string> a) {
  if (a.size() < 2) return std::nullopt;
  if (!is_openssl_conf_command(a[0])) return "'" + a[0] + "': invalid OpenSSL configuration command";
  context(cmd).openssl_conf_cmds.emplace_back(a[0], a[1]);
  return std::nullopt;
}

Result revocation_check(CmdParms& cmd, std::span<const std::string> args) {
  // Works for the raw form (all words in args[0]) as for pre-split words.
  std::vector<std::string> a;
  for (const std::string& w : args)
    for (std::string& x : words_of(w)) a.push_back(std::move(x));
  if (a.empty()) return name_of(cmd) + ": Invalid argument ''";
  const std::string& mode = a[0];
  if (!ci_equal(mode, "none") && !ci_equal(mode, "chain") && !ci_equal(mode, "leaf"))
    return name_of(cmd) + ": Invalid argument '" + mode + "'";
  std::string v = mode;
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (!ci_equal(a[i], "no_crl_for_cert_ok")) return name_of(cmd) + ": Invalid argument '" + a[i] + "'";
    v += " " + a[i];
  }
  context(cmd).ca_revocation_check = v;
  return std::nullopt;
}

Result ocsp_enable(CmdParms& cmd, std::span<const std::string> a) {
  std::string v;
  if (words_of(a.empty() ? std::string_view() : std::string_view(a[0])).empty())
    return "SSLOCSPEnable: Invalid argument ''";
  for (const std::string& w : words_of(a.empty() ? std::string_view() : std::string_view(a[0]))) {
    if (!ci_equal(w, "on") && !ci_equal(w, "off") && !ci_equal(w, "leaf") &&
        !ci_equal(w, "no_ocsp_for_cert_ok"))
      return "SSLOCSPEnable: Invalid argument '" + w + "'";
    v += (v.empty() ? "" : " ") + w;
  }
  cmd.server.ssl->ocsp_enable = v;
  return std::nullopt;
}

Result stapling_cache(CmdParms& cmd, std::span<const std::string> a) {
  cmd.server.ssl->stapling_cache = a[0];
  return std::nullopt;
}

Result require_ssl(CmdParms& cmd, std::span<const std::string>) {
  cmd.dir().ssl->require_ssl = true;
  return std::nullopt;
}

Result user_name(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().ssl->user_name = a[0];
  return std::nullopt;
}

// The server side: balancerd terminates TLS toward clients (server/net/tls_context.cpp builds one
// context per server with SSLEngine on). What it does not reproduce stays Unsupported, so that
// -D DUMP_COMPAT lists it (server/cli/dumps.cpp gives the reason): CRLs, OCSP, renegotiation per
// directory, SSLUserName. The SSLProxy* side works.
constexpr HandlerBinding kSsl[] = {
    {"SSLEngine", Support::Implemented, engine},
    {"SSLCertificateFile", Support::Implemented, certificate_file},
    {"SSLCertificateKeyFile", Support::Implemented, certificate_key_file},
    {"SSLCertificateChainFile", Support::Implemented, file_setting},
    {"SSLCACertificateFile", Support::Implemented, file_setting},
    {"SSLCACertificatePath", Support::Implemented, dir_setting},
    {"SSLCARevocationFile", Support::Unsupported, file_setting},
    {"SSLCARevocationPath", Support::Unsupported, dir_setting},
    {"SSLCARevocationCheck", Support::Unsupported, revocation_check},
    {"SSLProtocol", Support::Implemented, protocol},
    {"SSLCipherSuite", Support::Implemented, cipher_suite},
    {"SSLHonorCipherOrder", Support::Implemented, server_flag},
    {"SSLCompression", Support::Implemented, server_flag},
    {"SSLSessionTickets", Support::Implemented, server_flag},
    {"SSLInsecureRenegotiation", Support::NoEffect, server_flag},
    {"SSLStrictSNIVHostCheck", Support::Implemented, server_flag},
    {"SSLUseStapling", Support::Unsupported, server_flag},
    {"SSLStaplingCache", Support::NoEffect, stapling_cache},
    {"SSLSessionCache", Support::NoEffect, session_cache},
    {"SSLSessionCacheTimeout", Support::NoEffect, session_cache_timeout},
    {"SSLVerifyClient", Support::Implemented, verify},
    {"SSLVerifyDepth", Support::Implemented, verify_depth},
    {"SSLOptions", Support::Implemented, options},
    {"SSLRandomSeed", Support::NoEffect, random_seed},
    {"SSLPassPhraseDialog", Support::Unsupported, pass_phrase_dialog},
    {"SSLOpenSSLConfCmd", Support::Implemented, openssl_conf_cmd},
    {"SSLOCSPEnable", Support::Unsupported, ocsp_enable},
    {"SSLRequireSSL", Support::Implemented, require_ssl},
    {"SSLUserName", Support::Unsupported, user_name},
    {"SSLProxyEngine", Support::Implemented, proxy_flag},
    {"SSLProxyCheckPeerName", Support::Implemented, proxy_flag},
    {"SSLProxyCheckPeerCN", Support::Implemented, proxy_flag},
    {"SSLProxyCheckPeerExpire", Support::Implemented, proxy_flag},
    {"SSLProxyProtocol", Support::Implemented, protocol},
    {"SSLProxyCipherSuite", Support::Implemented, cipher_suite},
    {"SSLProxyVerify", Support::Implemented, verify},
    {"SSLProxyVerifyDepth", Support::Implemented, verify_depth},
    {"SSLProxyCACertificateFile", Support::Implemented, file_setting},
    {"SSLProxyCACertificatePath", Support::Implemented, dir_setting},
    {"SSLProxyCARevocationFile", Support::Unsupported, file_setting},
    {"SSLProxyCARevocationPath", Support::Unsupported, dir_setting},
    {"SSLProxyCARevocationCheck", Support::Unsupported, revocation_check},
    {"SSLProxyMachineCertificateFile", Support::Implemented, file_setting},
    {"SSLProxyMachineCertificatePath", Support::Implemented, dir_setting},
    {"SSLProxyMachineCertificateChainFile", Support::Implemented, file_setting},
};

} // namespace

std::optional<std::string> parse_ssl_protocols(std::string_view directive, std::string_view raw,
                                               unsigned& bits) {
  struct Proto {
    std::string_view name;
    unsigned bits;
  };
  static constexpr std::array<Proto, 6> kProtos = {{{"SSLv3", SSL_PROTO_SSLV3},
                                                    {"TLSv1", SSL_PROTO_TLSV1},
                                                    {"TLSv1.1", SSL_PROTO_TLSV1_1},
                                                    {"TLSv1.2", SSL_PROTO_TLSV1_2},
                                                    {"TLSv1.3", SSL_PROTO_TLSV1_3},
                                                    {"all", SSL_PROTO_ALL}}};
  bits = 0;
  for (const std::string& w : words_of(raw)) {
    std::string_view name = w;
    char action = '\0';
    if (!name.empty() && (name.front() == '+' || name.front() == '-')) {
      action = name.front();
      name.remove_prefix(1);
    }
    // Apache names SSLProtocol here even for SSLProxyProtocol.
    if (ci_equal(name, "SSLv2")) return "SSLProtocol: SSLv2 is no longer supported";
    const Proto* found = nullptr;
    for (const Proto& p : kProtos)
      if (ci_equal(p.name, name)) found = &p;
    if (!found) return std::string(directive) + ": Illegal protocol '" + std::string(name) + "'";
    if (action == '-')
      bits &= ~found->bits;
    else if (action == '+')
      bits |= found->bits;
    else
      bits = found->bits;
  }
  return std::nullopt;
}

bool is_openssl_conf_command(std::string_view name) {
  // OpenSSL 3's SSL_CONF file-form command names (SSL_CONF_FLAG_FILE; case-insensitive there).
  static constexpr std::array<std::string_view, 26> kCommands = {"SignatureAlgorithms",
                                                                 "ClientSignatureAlgorithms",
                                                                 "Curves",
                                                                 "Groups",
                                                                 "ECDHParameters",
                                                                 "CipherString",
                                                                 "Ciphersuites",
                                                                 "Protocol",
                                                                 "MinProtocol",
                                                                 "MaxProtocol",
                                                                 "Options",
                                                                 "VerifyMode",
                                                                 "Certificate",
                                                                 "PrivateKey",
                                                                 "ServerInfoFile",
                                                                 "ChainCAPath",
                                                                 "ChainCAFile",
                                                                 "VerifyCAPath",
                                                                 "VerifyCAFile",
                                                                 "RequestCAFile",
                                                                 "RequestCAPath",
                                                                 "ClientCAFile",
                                                                 "ClientCAPath",
                                                                 "DHParameters",
                                                                 "RecordPadding",
                                                                 "NumTickets"};
  return std::any_of(kCommands.begin(), kCommands.end(),
                     [&](std::string_view c) { return ci_equal(c, name); });
}

std::span<const HandlerBinding> ssl_bindings() {
  return kSsl;
}

} // namespace balancerd::directives::http
