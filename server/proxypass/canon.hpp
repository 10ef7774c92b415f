#pragma once
// mod_proxy's canonicalisation of a mapped URL (the scheme canon handlers proxy_http_canon /
// proxy_balancer_canon and ap_proxy_canonenc_ex): the path is %-encoded again from its decoded form,
// the host part checked and normalised, the client query appended.
#include <optional>
#include <string>
#include <string_view>

namespace balancerd::proxypass {

// How the path part of the mapped URL is treated (mod_proxy's request notes).
enum class PathMode {
  Encode,   // default: re-encode the decoded path (proxy_http_canon's ap_proxy_canonenc_ex)
  NoCanon,  // "proxy-nocanon": the raw client path (with its raw query) is sent as it is
  NoEncode, // "proxy-noencode" (mapping=encoded): the path is already encoded; query appended
  Forward,  // a forward-proxy request: the client's URL is not touched (its query is in the path)
};

// ap_proxy_canonenc_ex for a reverse-proxied path (enc_path rules): characters outside Apache's
// allowed set become %XX (upper-case hex); an existing "%XX" is decoded and re-encoded only when it
// names a character that needs it. `keep_encoded_slashes`: AllowEncodedSlashes On/NoDecode kept a
// "%2F" that must stay encoded. Nothing for a malformed "%" escape (Apache answers 400).
std::optional<std::string> canon_encode_path(std::string_view path, bool keep_encoded_slashes = false);

struct CanonResult {
  int status = 0;  // 0: ok; else the HTTP status Apache answers (400)
  std::string url; // the canonical URL ("http://host[:port]/path[?query]")
};

// Canonicalises a mapped URL ("http://Host:80/a b", "balancer://app/x") for a reverse-proxy request:
// host check (ap_proxy_canon_netloc), default port dropped, path per `mode`, then "?query" appended
// when `query` is set (the client's r->args; not for NoCanon, whose raw path already carries it).
// http, https, ws, wss and ajp are handled like mod_proxy_http; balancer:// like mod_proxy_balancer
// (no port kept); fcgi/scgi/uwsgi get no query (their modules pass it separately; not verified);
// any other scheme is returned unchanged with the query.
CanonResult canonicalise(std::string_view url, PathMode mode, const std::optional<std::string_view>& query,
                         bool keep_encoded_slashes = false);
// The same, written into `out` (cleared first; its capacity is reused): returns the status (0: ok,
// `out` holds the URL; else `out` is empty). The request path canonicalises into a pooled buffer.
int canonicalise_into(std::string& out, std::string_view url, PathMode mode,
                      const std::optional<std::string_view>& query, bool keep_encoded_slashes = false);

} // namespace balancerd::proxypass
