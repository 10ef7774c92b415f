#pragma once
// ProxyHCExpr conditions: parsing the ap_expr text with mod_proxy_hcheck's hc() function, and the
// ExprContext a check's response is evaluated in (%{REQUEST_STATUS}, hc('body'), resp('Name')).
//
// The shared ap_expr parser and evaluator do not know hc(); it is rewritten to note() before parsing
// and HcExprContext answers note('body') (any case) with the response body, as hc('body') does in
// Apache. Deviation: an expression that itself calls note('body') also sees the body (Apache's fake
// check request has no notes, so it would see ""); other note names are empty as in Apache.
#include "directives/expr/expr.hpp"
#include "server/expr/expr_context.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balancerd::hcheck {

// The text with every hc( call turned into note(, then parsed as a boolean ap_expr.
directives::expr::ParseResult parse_hc_expr(std::string_view text);

class HcExprContext : public expr::ExprContext {
public:
  HcExprContext(int status, std::string_view body,
                const std::vector<std::pair<std::string, std::string>>* response_headers = nullptr);

  const expr::RequestFacts& facts() const override { return facts_; }
  std::optional<std::string_view> request_header(std::string_view) const override { return std::nullopt; }
  void for_each_request_header(void (*)(void*, std::string_view, std::string_view), void*) const override {}
  std::optional<std::string_view> response_header(std::string_view name) const override;
  std::optional<std::string_view> env(std::string_view) const override { return std::nullopt; }
  void set_env(std::string_view, std::string_view) override {}
  void unset_env(std::string_view) override {}
  std::optional<std::string_view> note(std::string_view name) const override;

private:
  expr::RequestFacts facts_;
  std::string_view body_;
  const std::vector<std::pair<std::string, std::string>>* headers_;
};

} // namespace balancerd::hcheck
