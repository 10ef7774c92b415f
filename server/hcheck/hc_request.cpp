#include "server/hcheck/hc_request.hpp"

namespace balancerd::hcheck {

using directives::HcMethod;

bool hc_is_http(HcMethod m) {
  return !hc_http_method(m).empty();
}

std::string_view hc_http_method(HcMethod m) {
  switch (m) {
  case HcMethod::Options:
  case HcMethod::Options11:
    return "OPTIONS";
  case HcMethod::Head:
  case HcMethod::Head11:
    return "HEAD";
  case HcMethod::Get:
  case HcMethod::Get11:
    return "GET";
  default:
    return "";
  }
}

bool hc_is_http11(HcMethod m) {
  return m == HcMethod::Options11 || m == HcMethod::Head11 || m == HcMethod::Get11;
}

bool hc_reads_body(HcMethod m) {
  return m == HcMethod::Get || m == HcMethod::Get11;
}

std::string_view worker_url_path(std::string_view name) {
  const auto scheme_end = name.find("://");
  const std::size_t authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto slash = name.find('/', authority);
  return slash == std::string_view::npos ? std::string_view{} : name.substr(slash);
}

std::string hc_request_target(HcMethod m, std::string_view worker_path, std::string_view hcuri) {
  if (hc_http_method(m) == "OPTIONS") return "*";
  std::string target(worker_path);
  if (!hcuri.empty()) {
    if (!target.empty()) target += '/';
    target += hcuri;
  }
  return target;
}

std::string hc_host_header(std::string_view hostname, std::uint16_t port) {
  std::string out;
  const bool v6 = hostname.find(':') != std::string_view::npos;
  if (v6) out += '[';
  out += hostname;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string hc_request_text(HcMethod m, std::string_view target, std::string_view host_header) {
  std::string out;
  out.reserve(64 + target.size() + host_header.size());
  out += hc_http_method(m);
  out += ' ';
  out += target;
  out += hc_is_http11(m) ? " HTTP/1.1\r\nHost: " : " HTTP/1.0\r\nHost: ";
  out += host_header;
  out += "\r\n\r\n";
  return out;
}

} // namespace balancerd::hcheck
