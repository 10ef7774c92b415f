#pragma once
// Session route extraction (mod_proxy_balancer's get_path_param / get_cookie_param and the
// separator rule) and the route -> member lookup with redirects.
#include "server/balancer/balancer_state.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace balancerd::balancer {

// The value of URL parameter `name` in `url`: the first occurrence of `name` followed by '=' and a
// non-empty rest; the value is the first token of that rest delimited by "?&" (";?&" with
// scolonpathdelim). No boundary check before `name`, as Apache.
std::optional<std::string> url_param_value(std::string_view url, std::string_view name, bool scolonsep);
// The value of cookie `name` in a Cookie header: `name` at the start or after ';', ',' or a space,
// optional spaces, '=', a non-empty value ending at the first ';' or ','.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

struct StickyRoute {
  std::string route;  // text after the separator (or the whole value with stickysessionsep=Off)
  std::string sticky; // the name it was found under
};
// URL first, then cookie; then the separator rule (a value without the separator has no route).
// nullopt = no route. An empty route is returned (Apache still reports it in BALANCER_SESSION_*).
std::optional<StickyRoute> find_sticky_route(const BalancerSettings& s, std::string_view url,
                                             std::string_view cookie);

// find_route_worker: non-standby members first, then standbys; a member with this route that is
// unusable gets its retry check; still unusable with a redirect -> that route's member, found the
// same way (so chains r1 -> r2 -> r3 are followed, verified with apache2: "Route changed from r1 to
// r3"; the depth is bounded by the member count so a redirect loop ends), if usable after its retry
// check. Caller holds the balancer lock.
WorkerState* find_route_worker(BalancerState& b, std::string_view route, const LazyNow& now,
                               std::size_t depth = 0);

} // namespace balancerd::balancer
