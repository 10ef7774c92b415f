#include "server/cli/dumps.hpp"

#include "directives/registry.hpp"

#include "directives/module_set.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <grp.h>
#include <map>
#include <pwd.h>
#include <vector>

namespace balancerd::cli {

using directives::CompileResult;
using directives::Config;
using directives::ServerConf;
using directives::VhostAddress;

namespace {

// One ip:port chain of vhosts, as Apache's vhost.c builds it.
struct Chain {
  std::string key; // "127.0.0.1:80", "*:80", "[::1]:*"
  std::vector<const ServerConf*> servers;
};

std::string address_key(const VhostAddress& a) {
  const std::string port = a.port ? std::to_string(*a.port) : "*";
  if (a.host == "*" || a.host == "0.0.0.0" || a.host == "::") return "*:" + port;
  if (a.host.find(':') != std::string::npos) return "[" + a.host + "]:" + port;
  return a.host + ":" + port;
}

// Apache's iphash bucket: the last four bytes of the address read as a host-order integer.
unsigned bucket_of(const std::string& host) {
  unsigned char buf[16] = {};
  std::size_t len = 0;
  if (::inet_pton(AF_INET, host.c_str(), buf) == 1)
    len = 4;
  else if (::inet_pton(AF_INET6, host.c_str(), buf) == 1)
    len = 16;
  else
    return 0;
  unsigned key = 0;
  std::memcpy(&key, buf + len - 4, 4);
  key ^= (key >> 16);
  return ((key >> 8) ^ key) % 256;
}

std::string vhost_name(const ServerConf& s, const std::string& fqdn) {
  return s.core.server_name ? *s.core.server_name : fqdn;
}

std::string where(const ServerConf& s) {
  return "(" + s.file + ":" + std::to_string(s.line) + ")";
}

bool is_wild(const std::string& name) {
  return name.find_first_of("*?[") != std::string::npos;
}

std::string padded(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

} // namespace

void dump_vhosts(std::ostream& out, const CompileResult& result) {
  const Config& config = *result.config;
  // Apache builds the chains walking the vhosts last to first and prepends each new chain, so a
  // chain's place is set by the LAST vhost that has its address; names stay in config order.
  std::map<unsigned, std::vector<Chain>> buckets;
  std::vector<Chain> defaults;
  std::map<std::string, std::size_t> last_use; // chain key -> index of the last vhost using it
  for (std::size_t i = 0; i < config.vhosts.size(); ++i)
    for (const VhostAddress& a : config.vhosts[i].core.addresses) last_use[address_key(a)] = i;
  for (const ServerConf& vhost : config.vhosts) {
    for (const VhostAddress& a : vhost.core.addresses) {
      const std::string key = address_key(a);
      const bool wildcard = key.rfind("*:", 0) == 0;
      std::vector<Chain>& list = wildcard ? defaults : buckets[bucket_of(a.host)];
      Chain* chain = nullptr;
      for (Chain& c : list)
        if (c.key == key) chain = &c;
      if (!chain) {
        list.push_back(Chain{key, {}});
        chain = &list.back();
      }
      // A vhost is named once per chain even if it lists the address twice.
      if (!chain->servers.empty() && chain->servers.back() == &vhost) continue;
      chain->servers.push_back(&vhost);
    }
  }
  auto by_last_use = [&](const Chain& a, const Chain& b) { return last_use[a.key] < last_use[b.key]; };
  for (auto& [bucket, chains] : buckets) std::stable_sort(chains.begin(), chains.end(), by_last_use);
  std::stable_sort(defaults.begin(), defaults.end(), by_last_use);
  out << "VirtualHost configuration:\n";
  auto dump_chain = [&](const Chain& c) {
    const ServerConf& first = *c.servers.front();
    if (c.servers.size() == 1) {
      out << padded(c.key, 22) << ' ' << vhost_name(first, result.fqdn) << ' ' << where(first) << '\n';
      return;
    }
    out << padded(c.key, 22) << " is a NameVirtualHost\n";
    out << "         default server " << vhost_name(first, result.fqdn) << ' ' << where(first) << '\n';
    const std::string port = c.key.substr(c.key.rfind(':') + 1);
    for (const ServerConf* s : c.servers) {
      out << "         port " << port << " namevhost " << vhost_name(*s, result.fqdn) << ' ' << where(*s)
          << '\n';
      for (const std::string& alias : s->core.aliases)
        if (!is_wild(alias)) out << "                 alias " << alias << '\n';
      for (const std::string& alias : s->core.aliases)
        if (is_wild(alias)) out << "                 wild alias " << alias << '\n';
    }
  };
  for (const auto& [bucket, chains] : buckets)
    for (const Chain& c : chains) dump_chain(c);
  for (const Chain& c : defaults) dump_chain(c);
}

namespace {

std::string user_line(const char* what, const std::optional<std::string>& name, bool is_user) {
  std::string shown = "#-1";
  unsigned long id = 4294967295UL;
  if (name) {
    shown = *name;
    if (!name->empty() && name->front() == '#') {
      id = std::strtoul(name->c_str() + 1, nullptr, 10);
    } else if (is_user) {
      if (const passwd* pw = ::getpwnam(name->c_str())) id = pw->pw_uid;
    } else {
      if (const group* gr = ::getgrnam(name->c_str())) id = gr->gr_gid;
    }
  }
  return std::string(what) + ": name=\"" + shown + "\" id=" + std::to_string(id) + "\n";
}

} // namespace

void dump_run_cfg(std::ostream& out, const CompileResult& result) {
  const Config& config = *result.config;
  const auto& core = config.main.core;
  out << "ServerRoot: \"" << config.server_root << "\"\n";
  out << "Main DocumentRoot: \"" << core.document_root.value_or("/var/www/html") << "\"\n";
  std::string root = config.server_root;
  if (!root.empty() && root.back() != '/') root += '/';
  out << "Main ErrorLog: \"" << core.error_log.value_or(root + "logs/error_log") << "\"\n";
  // Mutexes registered by the loaded modules, then "default".
  std::vector<std::string> names;
  auto loaded = [&](const char* id) {
    for (const auto& m : config.modules)
      if (m.id == id) return true;
    return false;
  };
  if (loaded("proxy_balancer_module")) names.push_back("proxy-balancer-shm");
  if (loaded("ssl_module")) {
    names.push_back("ssl-stapling-refresh");
    names.push_back("ssl-stapling");
  }
  if (loaded("proxy_module")) names.push_back("proxy");
  if (loaded("ssl_module")) names.push_back("ssl-cache");
  std::string runtime = config.default_runtime_dir.empty() ? root + "logs" : config.default_runtime_dir;
  if (runtime.back() != '/') runtime += '/';
  std::string default_line = "dir=\"" + runtime + "\" mechanism=default ";
  for (const auto& m : core.mutexes)
    if (m.name == "default")
      default_line = "dir=\"" + (m.dir.empty() ? runtime : m.dir) + "\" mechanism=" + m.mechanism + " ";
  for (const std::string& n : names) {
    std::string line = "using_defaults";
    for (const auto& m : core.mutexes)
      if (m.name == n)
        line = "dir=\"" + (m.dir.empty() ? runtime : m.dir) + "\" mechanism=" + m.mechanism + " ";
    out << "Mutex " << n << ": " << line << "\n";
  }
  out << "Mutex default: " << default_line << "\n";
  out << "Mutex watchdog-callback: using_defaults\n";
  out << "PidFile: \"" << core.pid_file.value_or("/run/apache2.pid") << "\"\n";
  for (const std::string& name : config.defines) {
    auto it = result.variables.find(name);
    if (it != result.variables.end())
      out << "Define: " << name << "=" << it->second << "\n";
    else
      out << "Define: " << name << "\n";
  }
  out << user_line("User", core.user, true);
  out << user_line("Group", core.group, false);
}

void dump_modules(std::ostream& out, const Config& config) {
  out << "Loaded Modules:\n";
  for (const auto& m : config.modules)
    out << " " << m.id << (m.path.empty() ? " (static)" : " (shared)") << "\n";
}

void dump_includes(std::ostream& out, const CompileResult& result) {
  out << "Included configuration files:\n";
  for (const auto& inc : result.includes) {
    out << std::string(2 + 2 * inc.depth, ' ');
    if (inc.depth == 0)
      out << "(*) ";
    else
      out << "(" << inc.included_at << ") ";
    out << inc.path << "\n";
  }
}

namespace {

// Whether `use` is an SSLEngine that left its server with TLS on (or optional): an SSLEngine Off,
// or one a later SSLEngine of the same server overrode, changes nothing balancerd does not do.
bool engine_in_force(const directives::DirectiveUse& use, const Config* config) {
  if (!config) return true;
  auto turns_on = [&](const ServerConf& s) {
    const auto& ssl = *s.ssl;
    return ssl.engine != directives::SslEngine::Unset && ssl.engine != directives::SslEngine::Off &&
           ssl.engine_line == use.line && ssl.engine_file == use.file;
  };
  if (turns_on(config->main)) return true;
  return std::any_of(config->vhosts.begin(), config->vhosts.end(), turns_on);
}

// Why an unsupported directive is listed, when one reason covers a whole family.
std::string_view unsupported_reason(const directives::DirectiveUse& use) {
  // mod_ssl's server side: TLS toward clients is terminated, without CRLs, OCSP, per-directory
  // renegotiation or SSLUserName
  if (use.module == "ssl_module" && use.name.rfind("SSLProxy", 0) != 0)
    return "not reproduced by balancerd's TLS termination toward clients";
  return {};
}

// The binding behind a recorded use (per-use check and reason). Linear, DUMP_COMPAT only.
const directives::HandlerBinding* binding_of(const directives::DirectiveUse& use) {
  const directives::ModuleDef* module = directives::find_module_by_id(use.module);
  if (!module) return nullptr;
  for (auto family : {directives::core_family_bindings, directives::proxy_family_bindings,
                      directives::http_family_bindings})
    for (const directives::HandlerBinding& b : family(module->source))
      if (b.name == use.name) return &b;
  return nullptr;
}

// The arguments of the directive at file:line, read back from the file: the walk keeps no
// arguments per use (that would cost every config test memory), and only argument-dependent
// directives come here. Continuation lines are joined, quotes and backslash escapes undone and
// ${NAME} replaced from Define (then the environment), as the reader does.
class SourceArgs {
public:
  explicit SourceArgs(const std::map<std::string, std::string>& defines) : defines_(defines) {}

  std::vector<std::string> at(const std::string& file, unsigned line) {
    auto it = files_.find(file);
    if (it == files_.end()) {
      std::vector<std::string> lines;
      if (std::FILE* f = std::fopen(file.c_str(), "r")) {
        std::string cur;
        for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) {
          if (c == '\n') {
            lines.push_back(std::move(cur));
            cur.clear();
          } else {
            cur += static_cast<char>(c);
          }
        }
        lines.push_back(std::move(cur));
        std::fclose(f);
      }
      it = files_.emplace(file, std::move(lines)).first;
    }
    const auto& lines = it->second;
    // A continued directive is numbered by its last line, as Apache does: start from its first.
    const auto continued = [](std::string_view l) {
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      return !l.empty() && l.back() == '\\';
    };
    std::size_t first = line ? line - 1 : 0;
    while (first > 0 && first <= lines.size() && continued(lines[first - 1])) --first;
    std::string text;
    for (std::size_t i = first; i < lines.size(); ++i) {
      std::string_view l = lines[i];
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (!l.empty() && l.back() == '\\') {
        text.append(l.substr(0, l.size() - 1));
        continue;
      }
      text.append(l);
      break;
    }
    std::vector<std::string> words = split_words(substitute(text));
    if (!words.empty()) words.erase(words.begin()); // the directive's name
    return words;
  }

private:
  std::string substitute(const std::string& text) const {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const std::size_t close = text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{'
                                    ? text.find('}', i + 2)
                                    : std::string::npos;
      if (close == std::string::npos) {
        out += text[i];
        continue;
      }
      const std::string name = text.substr(i + 2, close - i - 2);
      if (auto d = defines_.find(name); d != defines_.end())
        out += d->second;
      else if (const char* env = std::getenv(name.c_str()))
        out += env;
      else
        out.append(text, i, close - i + 1);
      i = close;
    }
    return out;
  }

  static std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::size_t i = 0;
    for (;;) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size()) break;
      std::string word;
      if (text[i] == '"' || text[i] == '\'') {
        const char quote = text[i++];
        for (; i < text.size() && text[i] != quote; ++i) {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          word += text[i];
        }
        ++i;
      } else {
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) word += text[i++];
      }
      words.push_back(std::move(word));
    }
    return words;
  }

  const std::map<std::string, std::string>& defines_;
  std::map<std::string, std::vector<std::string>> files_;
};

} // namespace

void dump_compat(std::ostream& out, const CompileResult& result) {
  out << "Directives in use that balancerd does not fully reproduce:\n";
  std::size_t count = 0;
  SourceArgs source(result.variables);
  for (const auto& use : result.uses) {
    directives::UseVerdict verdict{use.support, {}};
    const directives::HandlerBinding* binding = binding_of(use);
    if (binding && binding->check)
      verdict = binding->check(source.at(use.file, use.line));
    else if (binding)
      verdict.reason = binding->reason;
    if (verdict.support == directives::Support::Implemented) continue;
    if (use.name == "SSLEngine" && !engine_in_force(use, result.config.get())) continue;
    if (verdict.reason.empty() && verdict.support == directives::Support::Unsupported)
      verdict.reason = unsupported_reason(use);
    ++count;
    out << "  " << use.file << ":" << use.line << ": " << use.name << " (" << use.module << ") "
        << (verdict.support == directives::Support::NoEffect ? "accepted, no effect" : "unsupported");
    if (!verdict.reason.empty()) out << ": " << verdict.reason;
    out << "\n";
  }
  if (count == 0) out << "  (none)\n";
}

std::string allowed_in_text(unsigned ov, bool no_dir_config) {
  using namespace directives;
  std::string out = "\tAllowed in *.conf ";
  // "anywhere" needs a per-directory bit that is not only AuthConfig/Limit, or both server and
  // directory contexts; otherwise the server context alone is "outside" and the rest "inside".
  if ((ov & (OR_OPTIONS | OR_FILEINFO | OR_INDEXES)) ||
      ((ov & RSRC_CONF) && (ov & (ACCESS_CONF | OR_AUTHCFG | OR_LIMIT))))
    out += "anywhere";
  else if (ov & RSRC_CONF)
    out += "only outside <Directory>, <Files>, <Location>, or <If>";
  else
    out += "only inside <Directory>, <Files>, <Location>, or <If>";
  // a directive allowed in directories of a module that keeps no per-directory settings
  if (no_dir_config && (ov & (ACCESS_CONF | OR_ALL))) out += " [no per-dir config]";
  if (ov & OR_ALL) {
    out += " and in .htaccess\n\twhen AllowOverride";
    if ((ov & OR_ALL) == OR_ALL) {
      out += " isn't None";
    } else {
      out += " includes ";
      bool first = true;
      for (auto [bit, name] : {std::pair{OR_AUTHCFG, "AuthConfig"}, std::pair{OR_LIMIT, "Limit"},
                               std::pair{OR_OPTIONS, "Options"}, std::pair{OR_FILEINFO, "FileInfo"},
                               std::pair{OR_INDEXES, "Indexes"}}) {
        if (!(ov & bit)) continue;
        if (!first) out += " or ";
        out += name;
        first = false;
      }
    }
  }
  return out;
}

namespace {
// Modules of Debian's apache2 without a per-directory configuration (seen in apache2 -L with every
// module loaded).
bool no_per_dir_config(std::string_view source) {
  for (std::string_view s :
       {"mod_version.c", "mod_macro.c", "mod_md.c", "mod_proxy_express.c", "mod_proxy_hcheck.c"})
    if (s == source) return true;
  return false;
}
} // namespace

void list_directives(std::ostream& out, const directives::Config& config) {
  for (const auto& loaded : config.modules) {
    const directives::ModuleDef* m = directives::find_module_by_id(loaded.id);
    if (!m) continue; // a module balancerd does not know registers no directives
    for (const auto& d : m->directives) {
      out << d.name << " (" << m->source << ")\n";
      if (!d.help.empty()) out << "\t" << d.help << "\n";
      out << allowed_in_text(d.req_override, no_per_dir_config(m->source)) << "\n";
    }
  }
}

std::string version_text() {
  return "Server version: balancerd/0.1 (Apache/2.4.71 compatible)\n"
         "Server built:   " __DATE__ " " __TIME__ "\n";
}

std::string version_details_text(const std::string& mpm) {
  std::string mpm_lines;
  // the MPM's own answers to "threaded?" and "forked?", printed under its name as Apache does
  if (mpm == "event" || mpm == "worker")
    mpm_lines = "  threaded:     yes (fixed thread count)\n    forked:     yes (variable process count)\n";
  else if (mpm == "prefork")
    mpm_lines = "  threaded:     no\n    forked:     yes (variable process count)\n";
  return version_text() +
         "Server's Module Magic Number: 20120211:142\n"
         "Architecture:   64-bit\n"
         "Server MPM:     " +
         mpm + "\n" + mpm_lines +
         "Server compiled with....\n"
         " -D HTTPD_ROOT=\"/etc/apache2\"\n"
         " -D DEFAULT_PIDLOG=\"/run/apache2.pid\"\n"
         " -D DEFAULT_ERRORLOG=\"logs/error_log\"\n"
         " -D AP_TYPES_CONFIG_FILE=\"mime.types\"\n"
         " -D SERVER_CONFIG_FILE=\"apache2.conf\"\n";
}

} // namespace balancerd::cli
