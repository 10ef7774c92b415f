#pragma once
// A PCRE2 pattern compiled once at config time and shared by the immutable model (the runtime
// never compiles a regex per request). PCRE2 itself stays out of this header.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives {

class Regex {
public:
  // Apache's ap_pregcomp flags that configs can ask for.
  enum Flags : unsigned { None = 0, Caseless = 1, NoSub = 2 };

  // Nothing if PCRE2 rejects the pattern.
  static std::optional<Regex> compile(std::string_view pattern, unsigned flags = None);

  const std::string& pattern() const { return pattern_; }
  bool caseless() const { return (flags_ & Caseless) != 0; }

  // Unanchored search. On a match, fills `groups` (if given) with (offset, length) per capture
  // group, group 0 first; an unset group is (npos, 0).
  bool search(std::string_view subject,
              std::vector<std::pair<std::size_t, std::size_t>>* groups = nullptr) const;
  // Named groups in number order ("(?<name>...)" -> {name, number}), for MATCH_NAME variables.
  std::vector<std::pair<std::string, int>> named_groups() const;

private:
  std::string pattern_;
  unsigned flags_ = None;
  std::shared_ptr<void> code_; // pcre2_code*
};

} // namespace balancerd::directives
