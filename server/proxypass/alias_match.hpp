#pragma once
// The two prefix comparisons of a ProxyPass path against the request path (mod_proxy's alias_match
// and alias_match_servlet).
#include <cstddef>
#include <string>
#include <string_view>

namespace balancerd::proxypass {

// How many characters of `uri` the prefix `fake` covers, 0 when it does not match. A '/' in either
// matches a run of '/' in the other; the match must end at a segment boundary unless `fake` ends
// in '/'; `uri` must not end before `fake` does.
std::size_t alias_match(std::string_view uri, std::string_view fake);

// mapping=servlet: the same question after Servlet normalisation of `uri` (";params" dropped from
// every segment, "." and ".." resolved, '/' runs merged). On a match, `normalised` receives the
// normalised path (the new r->uri) and the result is the offset in the original `uri` where the
// rest to forward starts (the last matched segment's parameters go with it).
std::size_t alias_match_servlet(std::string_view uri, std::string_view alias, std::string& normalised);

} // namespace balancerd::proxypass
