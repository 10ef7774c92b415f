#include "parser/version_condition.hpp"

#include "parser/words.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <limits>
#include <stdexcept>

namespace balancerd::parser {
namespace {

[[noreturn]] void fail(const std::string& msg) {
  throw std::runtime_error(msg);
}

const char* const kBadVersion = "Version appears to be invalid. It must have the format "
                                "major[.minor[.patch]] where major, minor and patch are "
                                "numbers.";

bool regex_matches(const std::string& pattern, const std::string& subject) {
  int err = 0;
  PCRE2_SIZE off = 0;
  pcre2_code* re =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(), 0, &err, &off, nullptr);
  if (re == nullptr) fail("Unable to compile regular expression");
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(re, nullptr);
  int rc = pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(subject.c_str()), subject.size(), 0, 0, md, nullptr);
  pcre2_match_data_free(md);
  pcre2_code_free(re);
  return rc >= 0;
}

int to_int(std::string_view digits) {
  long long v = 0;
  for (char c : digits) {
    v = v * 10 + (c - '0');
    if (v > std::numeric_limits<int>::max()) return std::numeric_limits<int>::max();
  }
  return static_cast<int>(v);
}

// major[.minor[.patch]]; Apache also accepts empty minor/patch ("2." is 2.0.0).
bool parse_version(std::string_view s, int out[3]) {
  out[0] = out[1] = out[2] = 0;
  std::size_t i = 0;
  auto digits = [&](bool required) -> std::string_view {
    std::size_t b = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (required && i == b) return {};
    return s.substr(b, i - b);
  };
  std::string_view d = digits(true);
  if (d.empty()) return false;
  out[0] = to_int(d);
  for (int k = 1; k < 3 && i < s.size() && s[i] == '.'; ++k) {
    ++i;
    out[k] = to_int(digits(false));
  }
  return i == s.size();
}

int compare(const int a[3], const int b[3]) {
  for (int k = 0; k < 3; ++k)
    if (a[k] != b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}

} // namespace

bool evaluate_ifversion(std::string_view args, EmulatedVersion v) {
  std::string_view rest = args;
  std::string w1 = next_word(rest);
  std::string w2 = next_word(rest);
  std::string w3 = next_word(rest);
  if (w1.empty() || !rest.empty())
    fail("<IfVersion takes one, two or three arguments, a comparison operator, a version (and a delimiter)");

  // The closing '>' ends the version or stands alone as a delimiter word.
  std::string op;
  std::string version;
  if (!w3.empty()) {
    if (w3 != ">") fail("<IfVersion> directive missing closing '>'");
    op = w1;
    version = w2;
  } else if (w2 == ">") {
    op = "=";
    version = w1;
  } else {
    if (w2.empty()) {
      op = "=";
      version = w1;
    } else {
      op = w1;
      version = w2;
    }
    std::size_t gt = version.rfind('>');
    if (gt == std::string::npos) fail("<IfVersion> directive missing closing '>'");
    version.resize(gt);
  }

  std::string_view o = op;
  bool negate = false;
  if (!o.empty() && o.front() == '!') {
    negate = true;
    o.remove_prefix(1);
  }
  const std::string current =
      std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
  const int have[3] = {v.major, v.minor, v.patch};
  bool result = false;
  if (o == "=" || o == "==") {
    if (!version.empty() && version.front() == '/') {
      if (version.size() < 2 || version.back() != '/') fail("Missing delimiting / of regular expression.");
      result = regex_matches(version.substr(1, version.size() - 2), current);
    } else {
      int want[3];
      if (!parse_version(version, want)) fail(kBadVersion);
      result = compare(have, want) == 0;
    }
  } else if (o == "~") {
    result = regex_matches(version, current);
  } else if (o == ">" || o == ">=" || o == "<" || o == "<=") {
    int want[3];
    if (!parse_version(version, want)) fail(kBadVersion);
    int c = compare(have, want);
    result = o == ">" ? c > 0 : o == ">=" ? c >= 0 : o == "<" ? c < 0 : c <= 0;
  } else {
    fail("unrecognized operator '" + op + "'");
  }
  return negate ? !result : result;
}

} // namespace balancerd::parser
