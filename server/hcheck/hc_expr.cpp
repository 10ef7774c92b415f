#include "server/hcheck/hc_expr.hpp"

#include "directives/ci_string.hpp"

#include <cctype>

namespace balancerd::hcheck {

namespace {

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

directives::expr::ParseResult parse_hc_expr(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // Inside a quoted string "hc(" is text, not a call.
    if (quote) {
      if (c == '\\' && i + 1 < text.size()) {
        out += c;
        out += text[++i];
        continue;
      }
      if (c == quote) quote = 0;
      out += c;
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    if ((c == 'h' || c == 'H') && i + 1 < text.size() && (text[i + 1] == 'c' || text[i + 1] == 'C') &&
        (i == 0 || !ident_char(text[i - 1]))) {
      std::size_t j = i + 2;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j < text.size() && text[j] == '(') {
        out += "note";
        ++i;
        continue;
      }
    }
    out += c;
  }
  return directives::expr::parse(out);
}

HcExprContext::HcExprContext(int status, std::string_view body,
                             const std::vector<std::pair<std::string, std::string>>* response_headers)
    : body_(body), headers_(response_headers) {
  facts_.status = status;
  facts_.protocol = "HTTP/1.1";
}

std::optional<std::string_view> HcExprContext::response_header(std::string_view name) const {
  if (!headers_) return std::nullopt;
  for (const auto& [n, v] : *headers_)
    if (directives::ci_equal(n, name)) return std::string_view(v);
  return std::nullopt;
}

std::optional<std::string_view> HcExprContext::note(std::string_view name) const {
  if (directives::ci_equal(name, "body")) return body_;
  return std::nullopt;
}

} // namespace balancerd::hcheck
