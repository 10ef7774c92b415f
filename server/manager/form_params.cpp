#include "server/manager/form_params.hpp"

#include "directives/ci_string.hpp"
#include "parser/hex_digit.hpp"

namespace balancerd::manager {

namespace {

template <class Keep> void parse(std::string_view input, Params& out, Keep keep) {
  std::size_t pos = 0;
  while (pos <= input.size()) {
    std::size_t amp = input.find('&', pos);
    if (amp == std::string_view::npos) amp = input.size();
    std::string_view piece = input.substr(pos, amp - pos);
    pos = amp + 1;
    if (piece.empty()) continue;
    std::string_view key = piece, value;
    if (auto eq = piece.find('='); eq != std::string_view::npos) {
      key = piece.substr(0, eq);
      value = piece.substr(eq + 1);
    }
    std::string k = unescape_url(key);
    if (!keep(k)) continue;
    out.set(std::move(k), unescape_url(unescape_url(value)));
  }
}

} // namespace

void Params::set(std::string key, std::string value) {
  for (auto& [k, v] : items_) {
    if (directives::ci_equal(k, key)) {
      v = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::move(key), std::move(value));
}

const std::string* Params::get(std::string_view key) const {
  for (const auto& [k, v] : items_)
    if (directives::ci_equal(k, key)) return &v;
  return nullptr;
}

std::string unescape_url(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = parser::hex_digit_value(text[i + 1]), lo = parser::hex_digit_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        c = static_cast<char>(hi * 16 + lo);
        i += 2;
      }
    }
    if (c == '\0') break;
    out.push_back(c);
  }
  return out;
}

void parse_query_params(std::string_view query, Params& out) {
  parse(query, out, [](const std::string& k) { return k == "w" || k == "b" || k == "nonce" || k == "xml"; });
}

void parse_body_params(std::string_view body, Params& out) {
  // Apache parses the body as a C string: a NUL byte ends it.
  if (auto nul = body.find('\0'); nul != std::string_view::npos) body = body.substr(0, nul);
  parse(body, out, [](const std::string&) { return true; });
}

} // namespace balancerd::manager
