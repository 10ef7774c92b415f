#include "directives/model/regex.hpp"

#include <algorithm>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace balancerd::directives {

std::optional<Regex> Regex::compile(std::string_view pattern, unsigned flags) {
  int err = 0;
  PCRE2_SIZE off = 0;
  uint32_t options = (flags & Caseless) ? PCRE2_CASELESS : 0;
  if (flags & NoSub) options |= PCRE2_NO_AUTO_CAPTURE;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                                   &err, &off, nullptr);
  if (!code) return std::nullopt;
  Regex r;
  r.pattern_ = std::string(pattern);
  r.flags_ = flags;
  r.code_ = std::shared_ptr<void>(code, [](void* p) { pcre2_code_free(static_cast<pcre2_code*>(p)); });
  return r;
}

namespace {

// Matches run per request (<LocationMatch>, SetEnvIf, Header edit...): one match-data block per
// thread, grown to the largest pattern seen, so a match allocates nothing.
pcre2_match_data* thread_match_data(const pcre2_code* code) {
  struct Holder {
    pcre2_match_data* md = nullptr;
    uint32_t pairs = 0;
    ~Holder() { pcre2_match_data_free(md); }
  };
  thread_local Holder holder;
  uint32_t captures = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
  if (captures + 1 > holder.pairs) {
    pcre2_match_data_free(holder.md);
    holder.pairs = std::max<uint32_t>(captures + 1, 16);
    holder.md = pcre2_match_data_create(holder.pairs, nullptr);
  }
  return holder.md;
}

} // namespace

bool Regex::search(std::string_view subject, std::vector<std::pair<std::size_t, std::size_t>>* groups) const {
  auto* code = static_cast<pcre2_code*>(code_.get());
  if (!code) return false;
  pcre2_match_data* md = thread_match_data(code);
  const int rc =
      pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0, md, nullptr);
  if (rc >= 0 && groups) {
    groups->clear();
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    uint32_t n = 0; // the pattern's groups, not the (larger) shared block's
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &n);
    ++n;
    for (uint32_t i = 0; i < n; ++i) {
      if (ov[2 * i] == PCRE2_UNSET)
        groups->emplace_back(std::string_view::npos, 0);
      else
        groups->emplace_back(ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
    }
  }
  return rc >= 0;
}

std::vector<std::pair<std::string, int>> Regex::named_groups() const {
  std::vector<std::pair<std::string, int>> out;
  auto* code = static_cast<pcre2_code*>(code_.get());
  if (!code) return out;
  uint32_t count = 0, entry_size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
  for (uint32_t i = 0; i < count; ++i) {
    PCRE2_SPTR e = table + i * entry_size;
    const int number = (e[0] << 8) | e[1];
    out.emplace_back(reinterpret_cast<const char*>(e + 2), number);
  }
  return out;
}

} // namespace balancerd::directives
