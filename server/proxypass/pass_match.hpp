#pragma once
// mod_proxy's translate step (proxy_trans / ap_proxy_trans_match): which ProxyPass rule maps a
// request, and to what backend URL. Also the other ways a request becomes a proxy request:
// `SetHandler "proxy:..."` and forward proxying of an absolute URI (ProxyRequests On).
#include <optional>
#include <string>
#include <string_view>

#include "directives/model/proxy_conf.hpp"
#include "server/proxypass/env_lookup.hpp"
#include "server/proxypass/proxy_target.hpp"

namespace balancerd::proxypass {

// The request as the translate step sees it.
struct RequestUri {
  // r->unparsed_uri: the request-target exactly as received, %-encoded, with its "?query"; for an
  // absolute-form target the whole URI (then no nocanon rule matches it: AH01136, re-encoded).
  std::string_view raw_target;
  std::string_view uri; // r->uri: decoded, normalised path
  // r->args: the query without '?'; nothing when the target had no '?' ("/x?" gives "").
  std::optional<std::string_view> query;
  // AllowEncodedSlashes NoDecode: "%2F" stays in r->uri and must stay encoded. Leave it false for
  // On (which decodes "%2F" to '/') and Off (which refuses it with 404).
  bool keep_encoded_slashes = false;
  bool no_proxy_env = false; // the "no-proxy" env variable is set: decline
  // The request has no Upgrade field: under ProxyWebsocketFallbackToProxyHttp Off (of `dir`),
  // mod_proxy_wstunnel's check_trans turns down ws:// and wss:// rules for it, and the search goes
  // on with the next rule (the legacy "ProxyPass /ws/ ws://b/" + "ProxyPass /ws/ http://b/" pair).
  bool no_upgrade = false;
};

enum class PassResult {
  None,     // no rule matched (or declined): not a proxy request
  Excluded, // a "!" rule matched: served locally
  Proxy,    // mapped: `target` is filled
  Error,    // Apache answers `status`: 400 for a URL its canon handler rejects (bad host, a
            // malformed escape under NoDecode, a blank in a raw path), 500 for a bad "unix:" handler
            // or a forward URL no proxy module serves
};

struct PassMatch {
  PassMatch() = default;
  PassMatch(const PassMatch&) = default;
  PassMatch(PassMatch&&) noexcept = default;
  PassMatch& operator=(const PassMatch&) = default;
  PassMatch& operator=(PassMatch&&) noexcept = default;
  // Gives the URL's and the filename's buffers back to the thread's pool (string_pool.hpp).
  ~PassMatch();

  PassResult result = PassResult::None;
  ProxyTarget target;
  int status = 0;
  // r->filename as Apache has it after translate+canon: "proxy:" + target.url.
  std::string filename;
  // AH01136 "Unescaped URL path matched ProxyPass; ignoring unsafe nocanon" should be logged (warn).
  bool nocanon_ignored = false;
  // mapping=servlet: the servlet-normalised path that replaces r->uri (empty otherwise).
  std::string servlet_uri;
};

// Runs Apache's translate-name mapping: the Location-level rule (dir->pass) first, then the server
// rules in order, first match wins. `server` is the merged server conf (vhost rules, then the main
// server's when ProxyPassInherit is On); `dir` the merged per-directory conf of the request's
// <Location> walk (null: none), which also gives ProxyPassInterpolateEnv. `env` serves `interpolate`.
// `pre_translate`: the pre-translate pass, where only mapping=encoded and mapping=servlet rules apply
// (pass uri = pre_translate_path(raw path) then); the normal pass skips those rules. Apache runs the
// pre-translate pass first and the normal one unless it mapped the request (Proxy) or failed (Error):
// an Excluded from the pre-translate pass still lets the normal pass run.
PassMatch match_proxy_pass(const directives::ProxyServerConf& server, const directives::ProxyDirConf* dir,
                           const RequestUri& req, const EnvLookup& env = {}, bool pre_translate = false);

// Whether the pre-translate pass can match anything: some rule (server level or `dir->pass`) has
// mapping=encoded or mapping=servlet (servlet includes encoded in Apache). Use this rather than
// ProxyServerConf::map_encoded_one, which the config model sets for mapping=encoded only.
bool needs_pre_translate(const directives::ProxyServerConf& server, const directives::ProxyDirConf* dir);

// The path Apache's pre-translate pass sees (what mapping=encoded rules match): the raw path with
// %XX of unreserved characters (letters, digits, "-._~") decoded and nothing else, "." and ".."
// segments removed and runs of '/' merged (MergeSlashes On). Nothing when ".." climbs above the
// root (Apache answers 400).
std::optional<std::string> pre_translate_path(std::string_view raw_path, bool merge_slashes = true);

// The second half of pre_translate_path alone: "." and ".." segments removed, '/' runs merged, no
// decoding. apache2 runs it again after %-decoding when AllowEncodedSlashes On decoded a "%2F"
// (a decoded '/' can form new "//" or "/../"). Nothing when ".." climbs above the root (400).
std::optional<std::string> remove_dot_segments(std::string_view path, bool merge_slashes = true);

// `SetHandler "proxy:..."` ("proxy:fcgi://127.0.0.1:9000", "proxy:unix:/run/php.sock|fcgi://localhost",
// "proxy:balancer://app"): Apache's handler prepends the handler string to r->filename (the path the
// core mapped the request to, e.g. "/var/www/x.php") and canonicalises that, with the client query.
// Nothing when `handler` does not start with "proxy:".
std::optional<PassMatch> match_handler(const directives::ProxyServerConf& server, std::string_view handler,
                                       std::string_view filename, const RequestUri& req);

// ProxyRequests On: a forward-proxy request for an absolute URI ("http://host/path?q" as received).
// The URL is sent as the client wrote it (host lower-cased, default port dropped; the path and query
// are not re-encoded). Error 500 for a scheme no loaded proxy module serves here (Apache's AH01144:
// anything but http, https, ws, wss).
PassMatch forward_target(const directives::ProxyServerConf& server, std::string_view absolute_uri);

// A client request-target naming a Unix socket ("unix:/path|http://host/", any case). apache2 2.4.71
// never connects to a socket a client names: with ProxyRequests On the "unix" scheme has no protocol
// handler (500, AH01144); with ProxyRequests Off the core refuses the non-http absolute URI (400).
// Returns that status, or 0 when `target` does not name a socket.
int check_client_uds(std::string_view target, bool proxy_requests);

} // namespace balancerd::proxypass
