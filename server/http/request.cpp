#include "server/http/request.hpp"

namespace balancerd::http {

const Header* Request::find(std::string_view name) const noexcept {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

void Request::clear() noexcept {
  auto keep = std::move(headers);
  keep.clear();
  *this = Request{};
  headers = std::move(keep);
}

} // namespace balancerd::http
