#include "server/runtime/dir_options.hpp"

#include <sstream>
#include <string_view>

namespace balancerd::runtime {
namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

unsigned option_bit(std::string_view w) {
  if (ieq(w, "Indexes")) return kOptIndexes;
  if (ieq(w, "Includes")) return kOptIncludes;
  if (ieq(w, "IncludesNOEXEC")) return kOptIncludes | kOptIncNoExec;
  if (ieq(w, "FollowSymLinks")) return kOptSymLinks;
  if (ieq(w, "SymLinksIfOwnerMatch")) return kOptSymOwner;
  if (ieq(w, "ExecCGI")) return kOptExecCGI;
  if (ieq(w, "MultiViews")) return kOptMultiViews;
  if (ieq(w, "All")) return kOptIndexes | kOptIncludes | kOptSymLinks | kOptExecCGI;
  return 0;
}

} // namespace

unsigned effective_options(const std::optional<std::string>& merged_words) {
  unsigned opts = kOptSymLinks;
  if (!merged_words) return opts;
  std::istringstream in(*merged_words);
  bool in_absolute_run = false;
  for (std::string w; in >> w;) {
    if (w[0] == '+' || w[0] == '-') {
      const unsigned bit = option_bit(std::string_view(w).substr(1));
      if (w[0] == '+')
        opts |= bit;
      else
        opts &= ~bit;
      in_absolute_run = false;
      continue;
    }
    if (!in_absolute_run) opts = 0; // an absolute list starts from nothing
    in_absolute_run = true;
    if (!ieq(w, "None")) opts |= option_bit(w);
  }
  return opts;
}

} // namespace balancerd::runtime
