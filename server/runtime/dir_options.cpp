#include "server/runtime/dir_options.hpp"

#include "directives/ci_string.hpp"

#include <sstream>
#include <string_view>

namespace balancerd::runtime {
namespace {

using directives::ci_equal;

unsigned option_bit(std::string_view w) {
  if (ci_equal(w, "Indexes")) return kOptIndexes;
  if (ci_equal(w, "Includes")) return kOptIncludes;
  if (ci_equal(w, "IncludesNOEXEC")) return kOptIncludes | kOptIncNoExec;
  if (ci_equal(w, "FollowSymLinks")) return kOptSymLinks;
  if (ci_equal(w, "SymLinksIfOwnerMatch")) return kOptSymOwner;
  if (ci_equal(w, "ExecCGI")) return kOptExecCGI;
  if (ci_equal(w, "MultiViews")) return kOptMultiViews;
  if (ci_equal(w, "All")) return kOptIndexes | kOptIncludes | kOptSymLinks | kOptExecCGI;
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
    if (!ci_equal(w, "None")) opts |= option_bit(w);
  }
  return opts;
}

} // namespace balancerd::runtime
