#pragma once
// The value of one hexadecimal digit in either case, -1 for any other byte: what decoding a %XX
// escape needs (URLs, form fields, heartbeat lines, the expression unescape() function).
namespace balancerd::parser {

inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

} // namespace balancerd::parser
