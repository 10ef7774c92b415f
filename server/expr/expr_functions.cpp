#include "server/expr/expr_functions.hpp"

#include "directives/ci_string.hpp"
#include "parser/hex_digit.hpp"

#include <openssl/evp.h>

#include <cctype>

namespace balancerd::expr {
namespace {

constexpr char kHexLower[] = "0123456789abcdef";

void append_hex_byte(std::string& out, unsigned char c) {
  out.push_back(kHexLower[c >> 4]);
  out.push_back(kHexLower[c & 15]);
}

void append_digest(std::string& out, std::string_view in, const EVP_MD* md) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(in.data(), in.size(), buf, &len, md, nullptr);
  for (unsigned i = 0; i < len; ++i) append_hex_byte(out, buf[i]);
}

} // namespace

void append_lower(std::string& out, std::string_view in) {
  for (char c : in) out.push_back(directives::ascii_lower(c));
}

void append_upper(std::string& out, std::string_view in) {
  for (char c : in) out.push_back(directives::ascii_upper(c));
}

void append_uri_escaped(std::string& out, std::string_view in) {
  constexpr std::string_view safe = "$-_.+!*'(),:@&=/~";
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || safe.find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      append_hex_byte(out, c);
    }
  }
}

bool append_uri_unescaped(std::string& out, std::string_view in) {
  const std::size_t mark = out.size();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    const int hi = i + 2 < in.size() ? parser::hex_digit_value(in[i + 1]) : -1;
    const int lo = i + 2 < in.size() ? parser::hex_digit_value(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      out.resize(mark);
      return false;
    }
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '/') {
      out.append(in.substr(i, 3)); // %2F stays encoded
    } else {
      out.push_back(c);
    }
    i += 2;
  }
  return true;
}

void append_base64(std::string& out, std::string_view in) {
  constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out.push_back(tbl[(v >> 18) & 63]);
    out.push_back(tbl[(v >> 12) & 63]);
    out.push_back(tbl[(v >> 6) & 63]);
    out.push_back(tbl[v & 63]);
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(tbl[(v >> 18) & 63]);
    out.push_back(tbl[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? tbl[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
}

void append_unbase64(std::string& out, std::string_view in) {
  // apr_base64_decode: stops at the first character outside the alphabet.
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = val(c);
    if (v < 0) break;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
}

void append_md5_hex(std::string& out, std::string_view in) {
  append_digest(out, in, EVP_md5());
}

void append_sha1_hex(std::string& out, std::string_view in) {
  append_digest(out, in, EVP_sha1());
}

void append_ldap_escaped(std::string& out, std::string_view in) {
  constexpr std::string_view special = "\\*()\",#+<>;=";
  for (char ch : in) {
    if (ch == '\0' || special.find(ch) != std::string_view::npos) {
      out.push_back('\\');
      append_hex_byte(out, static_cast<unsigned char>(ch));
    } else {
      out.push_back(ch);
    }
  }
}

long long leading_integer(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  long long v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) v = v * 10 + (s[i] - '0');
  return neg ? -v : v;
}

bool is_true_text(std::string_view s) noexcept {
  using directives::ci_equal;
  return !(s.empty() || s == "0" || ci_equal(s, "off") || ci_equal(s, "no") || ci_equal(s, "false"));
}

} // namespace balancerd::expr
