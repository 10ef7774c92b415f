#include "server/proxy/interim_response.hpp"

#include "server/proxy/hop_by_hop.hpp"

namespace balancerd::proxy {

void build_interim_head(std::string& out, const backend::BackendResponseHead& head, std::string& scratch,
                        std::string_view via) {
  // Names the backend's Connection fields list: hop-by-hop as well (kept lower-case, '\n'-separated).
  scratch.clear();
  for (const auto& f : head.fields) {
    if (!http::iequals(f.name, "Connection")) continue;
    for_each_connection_token(f.value, [&](std::string_view t) {
      scratch.append(t);
      scratch.push_back('\n');
    });
  }
  auto named = [&](std::string_view name) {
    std::string_view rest(scratch);
    while (!rest.empty()) {
      auto nl = rest.find('\n');
      if (http::iequals(rest.substr(0, nl), name)) return true;
      rest.remove_prefix(nl + 1);
    }
    return false;
  };
  out.assign("HTTP/1.1 ");
  out.append(head.status_line);
  out.append("\r\n");
  for (const auto& f : head.fields) {
    if (is_response_hop_field(f.name, false) || named(f.name)) continue;
    out.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  if (!via.empty()) out.append("Via: ").append(via).append("\r\n");
  out.append("\r\n");
}

} // namespace balancerd::proxy
