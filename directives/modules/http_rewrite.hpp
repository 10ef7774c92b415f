#pragma once
// mod_rewrite's directives judged at configtest time as apache2 -t judges them. balancerd does not
// rewrite requests yet (Support::Unsupported): the handlers only check and report Apache's messages.
#include "directives/registry.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace balancerd::directives::http {

std::span<const HandlerBinding> rewrite_bindings(); // mod_rewrite.c

// mod_rewrite's own argument splitter (not ap_getword_conf): up to three words, '"' or '\'' quoting
// without unescaping, a backslash keeps the following blank in the word. False when the pattern is
// not followed by anything ("bad argument line"). `third` is empty when absent.
struct RewriteArgs {
  std::string first, second;
  std::optional<std::string> third;
};
bool split_rewrite_args(std::string_view line, RewriteArgs& out);

// The checks of one RewriteRule / RewriteCond flag field ("[NC,L]"): Apache's message or nothing.
std::optional<std::string> check_rule_flags(std::string_view field, bool* nocase = nullptr);
std::optional<std::string> check_cond_flags(std::string_view field, bool* nocase = nullptr);

} // namespace balancerd::directives::http
