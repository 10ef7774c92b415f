#pragma once
// mod_setenvif, mod_env and mod_remoteip at run time.
//
// SetEnvIf: each rule reads its subject (Remote_Host, Remote_Addr, Server_Addr, Request_Method,
// Request_Protocol, Request_URI, a request header by name, falling back to an environment variable
// of that name, or every header whose name matches a regex) and, when the value regex matches,
// applies its assignments in order ("!VAR" unsets, values take $1..$9). A missing subject is
// matched as "" (apache2: `SetEnvIf X-Missing ^$ M=yes` sets M). SetEnvIfExpr evaluates its
// expression. SetEnv/UnsetEnv run in config order; PassEnv copies the process environment.
//
// RemoteIPHeader: the header is walked right to left while the address it was received from is a
// trusted or internal proxy (with no proxy lists configured every peer counts as internal, so
// private addresses are accepted, as apache2 does); a trusted (non-internal) proxy may not present
// a private or reserved address. The last accepted address becomes the client address; what was
// not consumed stays in the header (the header is removed when everything was consumed).
#include "directives/model/env_conf.hpp"
#include "server/expr/expr_context.hpp"
#include "server/expr/expr_eval.hpp"
#include "server/expr/var_table.hpp"

#include <string>
#include <string_view>

namespace balancerd::headers {

// SetEnvIf* rules over ctx's environment, from rule `first` on (Apache runs the server level's
// rules at post_read_request and the sections' at header_parser; merged lists keep that order).
void apply_setenvif(const directives::EnvDirConf& conf, expr::ExprContext& ctx,
                    expr::Evaluator* evaluator = nullptr, std::size_t first = 0);
// SetEnv / UnsetEnv / PassEnv.
void apply_setenv(const directives::EnvDirConf& conf, expr::ExprContext& ctx);

struct RemoteIpResult {
  bool changed = false;
  std::string useragent_ip;     // the client address to use from now on (unchanged if !changed)
  std::string proxies;          // RemoteIPProxiesHeader value: trusted proxies passed, comma-joined
  bool header_consumed = false; // everything consumed: remove the header
  std::string header_rest;      // else: the header's new value
};

// `peer_ip`: the TCP peer (c->client_ip). `header_value`: the RemoteIPHeader's value.
RemoteIpResult apply_remoteip(const directives::EnvServerConf& conf, std::string_view peer_ip,
                              std::string_view header_value);

} // namespace balancerd::headers
