#pragma once
// The effective `Options` of a request, from the merged words (see dir_merge.cpp: an absolute list
// replaces what is inherited, +/- words adjust it). Without any Options line Apache's default is
// FollowSymlinks.
#include <optional>
#include <string>

namespace balancerd::runtime {

enum DirOption : unsigned {
  kOptIndexes = 1,
  kOptIncludes = 2,
  kOptSymLinks = 4,
  kOptExecCGI = 8,
  kOptIncNoExec = 16,
  kOptSymOwner = 32,
  kOptMultiViews = 64,
};

unsigned effective_options(const std::optional<std::string>& merged_words);

} // namespace balancerd::runtime
