// ProxyHCExpr conditions with hc('body') and %{REQUEST_STATUS}, as the manual's examples use them.
#include "server/expr/expr_eval.hpp"
#include "server/hcheck/hc_expr.hpp"

#include <gtest/gtest.h>

using namespace balancerd;

namespace {
bool eval(std::string_view text, int status, std::string_view body,
          const std::vector<std::pair<std::string, std::string>>* headers = nullptr) {
  auto parsed = hcheck::parse_hc_expr(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error;
  if (!parsed.ok()) return false;
  hcheck::HcExprContext ctx(status, body, headers);
  expr::Evaluator ev;
  auto r = ev.eval_bool(*parsed.expr, ctx);
  EXPECT_TRUE(r.has_value()) << ev.error();
  return r.value_or(false);
}
} // namespace

TEST(HcExpr, RequestStatus) {
  EXPECT_TRUE(eval("%{REQUEST_STATUS} =~ /^[234]/", 404, ""));
  EXPECT_FALSE(eval("%{REQUEST_STATUS} =~ /^[234]/", 503, ""));
  EXPECT_TRUE(eval("%{REQUEST_STATUS} -eq 503", 503, ""));
}

TEST(HcExpr, BodyThroughHc) {
  EXPECT_TRUE(eval("hc('body') !~ /Under maintenance/", 200, "all fine"));
  EXPECT_FALSE(eval("hc('body') !~ /Under maintenance/", 200, "<p>Under maintenance</p>"));
  EXPECT_TRUE(eval("HC('BODY') == 'ok'", 200, "ok"));
  // Only 'body' names something; other arguments are empty, as in Apache.
  EXPECT_TRUE(eval("-z hc('other')", 200, "ok"));
  EXPECT_TRUE(eval("%{REQUEST_STATUS} == 200 && hc('body') =~ /ok/", 200, "ok"));
}

TEST(HcExpr, HcInsideStringsIsText) {
  EXPECT_TRUE(eval("'hc(body)' == 'hc(body)'", 200, "x"));
  EXPECT_TRUE(eval("'xhc(' =~ /hc\\(/ && -n hc('body')", 200, "x"));
}

TEST(HcExpr, ResponseHeaders) {
  std::vector<std::pair<std::string, std::string>> h{{"X-State", "ready"}};
  EXPECT_TRUE(eval("resp('x-state') == 'ready'", 200, "", &h));
}

TEST(HcExpr, ParseErrorsReported) {
  EXPECT_FALSE(hcheck::parse_hc_expr("hc('body' =~").ok());
}
