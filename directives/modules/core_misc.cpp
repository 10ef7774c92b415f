// The rest of core.c that balancerd reads: ServerTokens, ServerSignature, Options, AllowOverride,
// ErrorDocument, SetHandler, AddDefaultCharset, PidFile, Mutex, Error; User/Group (mod_unixd).
#include "directives/ci_string.hpp"
#include "directives/config_error.hpp"
#include "directives/dispatcher.hpp"
#include "directives/modules/core_handlers.hpp"
#include "parser/words.hpp"

#include <algorithm>
#include <array>
#include <grp.h>
#include <pwd.h>

namespace balancerd::directives::core {

Result server_tokens(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  const std::string& v = args[0];
  std::string tokens;
  if (ci_equal(v, "Full")) {
    tokens = "Full";
  } else if (ci_equal(v, "OS")) {
    tokens = "OS";
  } else if (ci_equal(v, "Min") || ci_equal(v, "Minimal")) {
    tokens = "Min";
  } else if (ci_equal(v, "Major")) {
    tokens = "Major";
  } else if (ci_equal(v, "Minor")) {
    tokens = "Minor";
  } else if (ci_equal(v, "Prod") || ci_equal(v, "ProductOnly")) {
    tokens = "Prod";
  } else {
    return std::string(
        "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or "
        "'Full'");
  }
  cmd.config.main.core.server_tokens = tokens;
  return std::nullopt;
}

Result server_signature(CmdParms& cmd, Args args) {
  const std::string v = ascii_lower(args[0]);
  if (v != "on" && v != "off" && v != "email")
    return std::string("ServerSignature: use one of: off | on | email");
  cmd.dir().core->server_signature = v;
  return std::nullopt;
}

Result options(CmdParms& cmd, Args args) {
  static constexpr std::array<std::string_view, 10> known = {"Indexes",
                                                             "Includes",
                                                             "IncludesNOEXEC",
                                                             "FollowSymLinks",
                                                             "SymLinksIfOwnerMatch",
                                                             "ExecCGI",
                                                             "MultiViews",
                                                             "RunScripts",
                                                             "All",
                                                             "None"};
  std::string_view rest = args[0];
  bool first = true, signed_opts = false;
  while (!rest.empty()) {
    std::string w = parser::next_word(rest);
    const bool has_sign = !w.empty() && (w.front() == '+' || w.front() == '-');
    if (first)
      signed_opts = has_sign;
    else if (has_sign != signed_opts)
      return std::string("Either all Options must start with + or -, or no Option may.");
    first = false;
    const std::string name = has_sign ? w.substr(1) : w;
    if (std::none_of(known.begin(), known.end(), [&](std::string_view k) { return ci_equal(k, name); }))
      return "Illegal option " + name;
  }
  cmd.dir().core->options = args[0];
  return std::nullopt;
}

Result allow_override(CmdParms& cmd, Args args) {
  // Only <Directory> gives it a meaning; Apache accepts it elsewhere with a warning.
  if (cmd.check_context(NOT_IN_LOCATION | NOT_IN_FILES))
    cmd.dispatcher.log("core", "warn",
                       "AH00114: Useless use of AllowOverride in line " + std::to_string(cmd.node.line) +
                           " of " + (cmd.node.file ? *cmd.node.file : std::string()) + ".");
  static constexpr std::array<std::string_view, 7> known = {"None",     "All",        "Limit",  "Options",
                                                            "FileInfo", "AuthConfig", "Indexes"};
  std::vector<std::string> words = parser::split_words(args[0]);
  for (const std::string& w : words) {
    std::string name = w.substr(0, w.find('='));
    if (ci_equal(name, "Nonfatal")) continue;
    if (std::none_of(known.begin(), known.end(), [&](std::string_view k) { return ci_equal(k, name); }))
      return "Illegal override option " + w;
  }
  cmd.dir().core->allow_override = std::move(words);
  return std::nullopt;
}

namespace {
bool known_status(int code) {
  static constexpr std::array<int, 62> codes = {
      100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306,
      307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418,
      421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510};
  return code == 511 || std::find(codes.begin(), codes.end(), code) != codes.end();
}
} // namespace

Result error_document(CmdParms& cmd, Args args) {
  const int code = apache_atoi(args[0]);
  if (!known_status(code)) return "Unsupported HTTP response code " + args[0];
  auto& docs = cmd.dir().core->error_documents;
  if (ci_equal(args[1], "default")) {
    docs[code] = ErrorDocument{code, "default"};
    return std::nullopt;
  }
  docs[code] = ErrorDocument{code, args[1]};
  return std::nullopt;
}

Result set_handler(CmdParms& cmd, Args args) {
  cmd.dir().core->set_handler = ascii_lower(args[0]);
  return std::nullopt;
}

Result add_default_charset(CmdParms& cmd, Args args) {
  cmd.dir().core->add_default_charset = ci_equal(args[0], "on") ? std::string("iso-8859-1") : args[0];
  return std::nullopt;
}

Result default_type(CmdParms& cmd, Args args) {
  if (!ci_equal(args[0], "none"))
    cmd.dispatcher.log("core", "warn",
                       "AH00117: Ignoring deprecated use of DefaultType in line " +
                           std::to_string(cmd.node.line) + " of " +
                           (cmd.node.file ? *cmd.node.file : std::string()) + ".");
  cmd.dir().core->default_type = args[0];
  return std::nullopt;
}

Result force_type(CmdParms& cmd, Args args) {
  cmd.dir().core->force_type = args[0];
  return std::nullopt;
}

Result file_etag(CmdParms& cmd, Args args) {
  cmd.dir().core->etag_none = ci_equal(args[0], "none");
  return std::nullopt;
}

Result pid_file(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  cmd.config.main.core.pid_file = server_root_relative(cmd, args[0]);
  return std::nullopt;
}

Result mutex(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  std::vector<std::string> words = parser::split_words(args[0]);
  if (words.empty()) return std::string("Mutex requires at least a mechanism argument (default)");
  const std::string mech_text = words[0];
  const auto colon = mech_text.find(':');
  std::string mech = ascii_lower(mech_text.substr(0, colon));
  static constexpr std::array<std::string_view, 9> mechs = {"default", "none",     "flock",   "fcntl", "file",
                                                            "sysvsem", "posixsem", "pthread", "sem"};
  if (std::find(mechs.begin(), mechs.end(), mech) == mechs.end())
    return "Invalid Mutex argument " + mech_text +
           " (Mutex mechanisms are: 'none', 'default', 'flock:/path/to/file', "
           "'fcntl:/path/to/file', 'file:/path/to/file', 'pthread', 'sysvsem', 'posixsem', 'sem')";
  if (mech == "file") mech = "fcntl"; // APR's default file-based mechanism on Linux
  std::string dir =
      colon == std::string::npos ? std::string() : server_root_relative(cmd, mech_text.substr(colon + 1));
  if (words.size() == 1) words.push_back("default");
  for (std::size_t i = 1; i < words.size(); ++i)
    cmd.config.main.core.mutexes.push_back(MutexConf{words[i], mech, dir});
  return std::nullopt;
}

Result error_directive(CmdParms&, Args args) {
  std::string msg = args[0];
  if (msg.empty()) return std::string("The Error directive was used with no message.");
  // Only one pair of surrounding quotes is removed.
  if (msg.size() > 1 && (msg.front() == '"' || msg.front() == '\'') && msg.back() == msg.front())
    msg = msg.substr(1, msg.size() - 2);
  return msg;
}

// mod_unixd resolves the name while reading (ap_uname2id/ap_gname2id) and ends the program at once
// on an unknown one, before any "Syntax OK"; "#N" is a numeric id and is never looked up.
Result user(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  if (args[0].empty() || (args[0][0] != '#' && ::getpwnam(args[0].c_str()) == nullptr))
    throw ConfigError(ConfigError::Kind::Other,
                      "AH00543: " + cmd.dispatcher.diagnostics().program() + ": bad user name " + args[0]);
  cmd.config.main.core.user = args[0];
  return std::nullopt;
}

Result group(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  if (args[0].empty() || (args[0][0] != '#' && ::getgrnam(args[0].c_str()) == nullptr))
    throw ConfigError(ConfigError::Kind::Other,
                      "AH00544: " + cmd.dispatcher.diagnostics().program() + ": bad group name " + args[0]);
  cmd.config.main.core.group = args[0];
  return std::nullopt;
}

Result global_only(CmdParms& cmd, Args) {
  return cmd.check_context(GLOBAL_ONLY);
}

Result name_virtual_host(CmdParms& cmd, Args) {
  cmd.dispatcher.diagnostics().plain(
      "AH00548: NameVirtualHost has no effect and will be removed in the next release " +
      (cmd.node.file ? *cmd.node.file : std::string()) + ":" + std::to_string(cmd.node.line));
  return std::nullopt;
}

} // namespace balancerd::directives::core
