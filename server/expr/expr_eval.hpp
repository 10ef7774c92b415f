#pragma once
// Evaluation of a parsed ap_expr (directives/expr/expr.hpp) against one request, with Apache's
// semantics: missing values are empty strings, numeric comparisons read a leading integer (0 when
// none), `=~` keeps the match for $0..$9, -ipmatch/-R test the client against a constant network.
// An Evaluator keeps scratch buffers and compiled regexes between calls, so reusing one per thread
// makes evaluation allocation-free once warm. Not thread-safe: one per thread (see this_thread()).
#include "directives/expr/expr.hpp"
#include "server/expr/expr_context.hpp"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balancerd::expr {

class Evaluator {
public:
  Evaluator();
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // A boolean expression; nothing on a run-time error (error() has Apache's reason). The $N
  // captures of its last successful =~ stay readable until the next evaluation.
  std::optional<bool> eval_bool(const directives::expr::Expr& e, ExprContext& ctx);
  // A string expression (Header ... expr=..., SetEnvIfExpr values) into `out` (replaced). A
  // boolean expression yields "true"/"false". False on a run-time error.
  bool eval_string(const directives::expr::Expr& e, ExprContext& ctx, std::string& out);
  // Convenience for <If>/Require expr: errors count as false.
  bool matches(const directives::expr::Expr& e, ExprContext& ctx) {
    return eval_bool(e, ctx).value_or(false);
  }

  const std::string& error() const { return error_; }
  // $n of the last successful regex match ("" if none or unset).
  std::string_view backref(int n) const;
  // Keep captures across evaluations (Apache keeps them for the request); cleared by default at
  // the start of each evaluation.
  void keep_backrefs(bool keep) { keep_backrefs_ = keep; }

  // One evaluator per thread.
  static Evaluator& this_thread();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
  bool keep_backrefs_ = false;
};

// Apache's ap_pregsub: `$0`..`$9` in `pattern` replaced by the groups of a match of `subject`
// (groups as directives::Regex::search fills them), "\$" and "\\" escape; appends to `out`.
void append_pregsub(std::string& out, std::string_view pattern, std::string_view subject,
                    const std::vector<std::pair<std::size_t, std::size_t>>& groups);

} // namespace balancerd::expr
