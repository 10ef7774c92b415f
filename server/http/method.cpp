#include "server/http/method.hpp"

#include "directives/model/registered_methods.hpp"

#include <array>

namespace balancerd::http {
namespace {

// One list for the whole program: the config layer checks <Limit>/Require method against it too.
constexpr const auto& kNames = directives::kRegisteredMethods;
static_assert(kNames.size() == static_cast<std::size_t>(Method::Other),
              "Method enum and method table differ");

} // namespace

Method method_from_token(std::string_view token) noexcept {
  // The common methods first; the table scan is only reached for the rare ones.
  if (token == "GET") return Method::Get;
  if (token == "POST") return Method::Post;
  if (token == "HEAD") return Method::Head;
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == token) return static_cast<Method>(i);
  return Method::Other;
}

std::string_view method_name(Method m) noexcept {
  auto i = static_cast<std::size_t>(m);
  return i < kNames.size() ? kNames[i] : std::string_view{};
}

int default_handler_status(Method m) noexcept {
  switch (m) {
  case Method::Get:
  case Method::Head:
  case Method::Post:
    return 0;
  case Method::Options:
    return 200;
  case Method::Other:
    return 501;
  default:
    return 405;
  }
}

} // namespace balancerd::http
