#include "server/log/log_escape.hpp"

namespace balancerd::log {
namespace {

template <bool kQuote> void append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\' && (!kQuote || c != '"')) {
      out += ch;
      continue;
    }
    out += '\\';
    switch (c) {
    case '\\':
      out += '\\';
      break;
    case '"':
      out += '"';
      break;
    case '\b':
      out += 'b';
      break;
    case '\n':
      out += 'n';
      break;
    case '\r':
      out += 'r';
      break;
    case '\t':
      out += 't';
      break;
    case '\v':
      out += 'v';
      break;
    default:
      out += 'x';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

} // namespace

void append_access_escaped(std::string& out, std::string_view text) {
  append_escaped<true>(out, text);
}

void append_error_escaped(std::string& out, std::string_view text) {
  append_escaped<false>(out, text);
}

} // namespace balancerd::log
