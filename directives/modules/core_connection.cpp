// Connection and request limits: Timeout, KeepAlive*, LimitRequest*, HttpProtocolOptions,
// TraceEnable, Protocols, MergeSlashes, AllowEncodedSlashes.
#include "directives/ci_string.hpp"
#include "directives/modules/core_handlers.hpp"

#include <cerrno>
#include <cstdlib>

namespace balancerd::directives::core {

namespace {
Result non_negative(CmdParms& cmd, const std::string& arg, std::optional<int>& slot) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  const int value = apache_atoi(arg);
  if (value < 0) return std::string(cmd.def.name) + " \"" + arg + "\" must be a non-negative integer";
  slot = value;
  return std::nullopt;
}
} // namespace

Result timeout(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  // Apache reads Timeout with atoi: "abc" is 0, "10s" is 10 seconds.
  cmd.server.core.timeout = std::chrono::seconds(apache_atoi(args[0]));
  return std::nullopt;
}

Result keep_alive(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  cmd.server.core.keep_alive = !ci_equal(args[0], "off");
  return std::nullopt;
}

Result keep_alive_timeout(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  const auto ms = parse_time_ms(args[0]);
  if (!ms) return std::string("KeepAliveTimeout has wrong format");
  cmd.server.core.keep_alive_timeout = std::chrono::milliseconds(*ms);
  return std::nullopt;
}

Result max_keep_alive_requests(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  cmd.server.core.max_keep_alive_requests = apache_atoi(args[0]);
  return std::nullopt;
}

Result limit_request_line(CmdParms& cmd, Args args) {
  return non_negative(cmd, args[0], cmd.server.core.limit_request_line);
}
Result limit_request_field_size(CmdParms& cmd, Args args) {
  return non_negative(cmd, args[0], cmd.server.core.limit_request_field_size);
}
Result limit_request_fields(CmdParms& cmd, Args args) {
  return non_negative(cmd, args[0], cmd.server.core.limit_request_fields);
}

Result limit_request_body(CmdParms& cmd, Args args) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(args[0].c_str(), &end, 10);
  if (errno != 0) return std::string("LimitRequestBody argument is not parsable.");
  if (*end != '\0' || value < 0) return std::string("LimitRequestBody requires a non-negative integer.");
  cmd.dir().core->limit_request_body = value;
  return std::nullopt;
}

Result http_protocol_options(CmdParms& cmd, Args args) {
  CoreServerConf& core = cmd.server.core;
  const std::string& w = args[0];
  if (ci_equal(w, "Strict"))
    core.http_protocol_strict = true;
  else if (ci_equal(w, "Unsafe"))
    core.http_protocol_strict = false;
  else if (ci_equal(w, "RegisteredMethods"))
    core.http_protocol_register_methods = true;
  else if (ci_equal(w, "LenientMethods"))
    core.http_protocol_register_methods = false;
  else if (ci_equal(w, "Require1.0"))
    core.http_protocol_allow_09 = false;
  else if (ci_equal(w, "Allow0.9"))
    core.http_protocol_allow_09 = true;
  else
    return std::string("HttpProtocolOptions accepts 'Unsafe' or 'Strict' (default), 'RegisteredMethods' or "
                       "'LenientMethods' (default), and 'Require1.0' or 'Allow0.9' (default)");
  return std::nullopt;
}

Result trace_enable(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  const std::string v = ascii_lower(args[0]);
  if (v != "on" && v != "off" && v != "extended")
    return std::string("TraceEnable must be one of 'on', 'off', or 'extended'");
  cmd.server.core.trace_enable = v;
  return std::nullopt;
}

Result protocols(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  cmd.server.core.protocols.push_back(ascii_lower(args[0]));
  return std::nullopt;
}

Result protocols_honor_order(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  cmd.server.core.protocols_honor_order = !ci_equal(args[0], "off");
  return std::nullopt;
}

Result merge_slashes(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  cmd.server.core.merge_slashes = !ci_equal(args[0], "off");
  return std::nullopt;
}

Result allow_encoded_slashes(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  const std::string v = ascii_lower(args[0]);
  if (v != "on" && v != "off" && v != "nodecode") return "AllowEncodedSlashes must be On, Off, or NoDecode";
  cmd.server.core.allow_encoded_slashes = v;
  return std::nullopt;
}

} // namespace balancerd::directives::core
