#include "server/manager/json_params.hpp"

#include "directives/ci_string.hpp"

namespace balancerd::manager {

namespace {

class Reader {
public:
  explicit Reader(std::string_view text) : s_(text) {}

  void blanks() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    blanks();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool at_end() {
    blanks();
    return i_ == s_.size();
  }
  char peek() {
    blanks();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  bool literal(std::string_view word) {
    blanks();
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  std::optional<std::string> string() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return std::nullopt;
      char e = s_[i_++];
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        unsigned cp = 0;
        if (!hex4(cp)) return std::nullopt;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned lo = 0;
          if (s_.substr(i_, 2) != "\\u") return std::nullopt;
          i_ += 2;
          if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return std::nullopt;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return std::nullopt;
        }
        utf8(out, cp);
        break;
      }
      default:
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // A JSON number's literal text.
  std::optional<std::string> number() {
    blanks();
    const std::size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !digit(s_[i_])) return std::nullopt;
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (i_ >= s_.size() || !digit(s_[i_])) return std::nullopt;
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size() || !digit(s_[i_])) return std::nullopt;
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    return std::string(s_.substr(start, i_ - start));
  }

private:
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  bool hex4(unsigned& v) {
    if (i_ + 4 > s_.size()) return false;
    v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

} // namespace

std::optional<std::string> parse_json_params(std::string_view body, Params& out) {
  Reader r(body);
  if (!r.eat('{')) return std::string("expected a JSON object");
  if (!r.eat('}')) {
    for (;;) {
      auto key = r.string();
      if (!key) return std::string("expected a string key");
      if (!r.eat(':')) return std::string("expected ':' after \"" + *key + "\"");
      const char c = r.peek();
      if (c == '"') {
        auto v = r.string();
        if (!v) return std::string("bad string value for \"" + *key + "\"");
        out.set(std::move(*key), std::move(*v));
      } else if (c == 't' && r.literal("true")) {
        out.set(std::move(*key), "1");
      } else if (c == 'f' && r.literal("false")) {
        out.set(std::move(*key), "0");
      } else if (c == 'n' && r.literal("null")) {
        // dropped
      } else if (auto n = r.number()) {
        out.set(std::move(*key), std::move(*n));
      } else {
        return std::string("unsupported value for \"" + *key + "\" (strings, numbers, true, false, null)");
      }
      if (r.eat(',')) continue;
      if (r.eat('}')) break;
      return std::string("expected ',' or '}'");
    }
  }
  if (!r.at_end()) return std::string("trailing text after the object");
  return std::nullopt;
}

bool is_json_content_type(std::string_view ct) {
  if (auto semi = ct.find(';'); semi != std::string_view::npos) ct = ct.substr(0, semi);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  return directives::ci_equal(ct, "application/json");
}

} // namespace balancerd::manager
