#include "server/expr/expr_context.hpp"

#include "directives/ci_string.hpp"

#include <cstdlib>
#include <string>

namespace balancerd::expr {

std::optional<std::string_view> ExprContext::os_env(std::string_view name) const {
  // getenv needs a terminated name; names are short, so a stack buffer does.
  char buf[256];
  if (name.size() >= sizeof buf) return std::nullopt;
  name.copy(buf, name.size());
  buf[name.size()] = '\0';
  if (const char* v = std::getenv(buf)) return std::string_view(v);
  return std::nullopt;
}

std::optional<std::string_view> RequestContext::request_header(std::string_view name) const {
  if (headers_in) return headers_in->get(name);
  for (const http::Header& h : raw_headers)
    if (directives::ci_equal(h.name, name)) return h.value;
  return std::nullopt;
}

void RequestContext::for_each_request_header(void (*fn)(void*, std::string_view, std::string_view),
                                             void* arg) const {
  if (headers_in) {
    for (const VarTable::Entry& e : *headers_in) fn(arg, e.name, e.value);
    return;
  }
  for (const http::Header& h : raw_headers) fn(arg, h.name, h.value);
}

std::optional<std::string_view> RequestContext::response_header(std::string_view name) const {
  if (headers_out)
    if (auto v = headers_out->get(name)) return v;
  if (err_headers_out) return err_headers_out->get(name);
  return std::nullopt;
}

std::optional<std::string_view> RequestContext::env(std::string_view name) const {
  return environment ? environment->get(name) : std::nullopt;
}
void RequestContext::set_env(std::string_view name, std::string_view value) {
  if (environment) environment->set(name, value);
}
void RequestContext::unset_env(std::string_view name) {
  if (environment) environment->unset(name);
}
std::optional<std::string_view> RequestContext::note(std::string_view name) const {
  return notes ? notes->get(name) : std::nullopt;
}
void RequestContext::set_note(std::string_view name, std::string_view value) {
  if (notes) notes->set(name, value);
}
std::optional<std::string_view> RequestContext::ssl_var(std::string_view name) const {
  return ssl_vars ? ssl_vars->get(name) : std::nullopt;
}
std::optional<std::string_view> RequestContext::os_env(std::string_view name) const {
  if (os_environment) return os_environment->get(name);
  return ExprContext::os_env(name);
}
void RequestContext::add_vary(std::string_view name) {
  if (vary && !vary->get(name)) vary->add(name, {});
}

} // namespace balancerd::expr
