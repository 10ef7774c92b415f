// mod_dir: DirectoryIndex, DirectorySlash, FallbackResource, DirectoryCheckHandler,
// DirectoryIndexRedirect.
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

#include <cctype>

namespace balancerd::directives::http {
namespace {

// Works for both the raw form (all names in args[0]) and a per-word call.
Result directory_index(CmdParms& cmd, std::span<const std::string> args) {
  auto& list = cmd.dir().mapping->directory_index;
  if (!list) list.emplace();
  for (const std::string& a : args) {
    for (std::string& w : words_of(a)) {
      if (ci_equal(w, "disabled"))
        list->clear(); // "disabled" turns the index off (names given before it are dropped)
      else
        list->push_back(std::move(w));
    }
  }
  return std::nullopt;
}

Result directory_slash(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().mapping->directory_slash = !a.empty() && ci_equal(a[0], "on");
  return std::nullopt;
}

Result directory_check_handler(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().mapping->directory_check_handler = !a.empty() && ci_equal(a[0], "on");
  return std::nullopt;
}

Result fallback_resource(CmdParms& cmd, std::span<const std::string> a) {
  if (!a.empty()) cmd.dir().mapping->fallback_resource = a[0];
  return std::nullopt;
}

Result directory_index_redirect(CmdParms& cmd, std::span<const std::string> a) {
  const std::string v = a.empty() ? std::string() : a[0];
  int status;
  if (ci_equal(v, "on"))
    status = 302;
  else if (ci_equal(v, "off"))
    status = 0;
  else if (ci_equal(v, "permanent"))
    status = 301;
  else if (ci_equal(v, "temp"))
    status = 302;
  else if (ci_equal(v, "seeother"))
    status = 303;
  else if (!v.empty() && std::isdigit(static_cast<unsigned char>(v[0]))) {
    status = loose_atoi(v);
    if (status < 300 || status > 399) return "DirectoryIndexRedirect only accepts values between 300 and 399";
  } else {
    return "DirectoryIndexRedirect ON|OFF|permanent|temp|seeother|3xx";
  }
  cmd.dir().mapping->directory_index_redirect = status;
  return std::nullopt;
}

constexpr HandlerBinding kDir[] = {
    {"DirectoryIndex", Support::Implemented, directory_index},
    {"DirectorySlash", Support::Implemented, directory_slash},
    {"FallbackResource", Support::Unsupported, fallback_resource},
    {"DirectoryCheckHandler", Support::NoEffect, directory_check_handler},
    {"DirectoryIndexRedirect", Support::Unsupported, directory_index_redirect},
};

} // namespace

std::span<const HandlerBinding> dir_bindings() {
  return kDir;
}

} // namespace balancerd::directives::http
