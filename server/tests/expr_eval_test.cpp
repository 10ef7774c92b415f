// ap_expr evaluation. Expected values come from apache2 2.4.71 run with a private config on
// 127.0.0.1 (e.g. `<Location /v> Require expr %{REQUEST_METHOD} == 'GET' && %{HTTP:X-T} =~ /^ok/`,
// `Header set X-Val "expr=%{toupper:%{HTTP:X-In}}-%{REQUEST_URI}"`, then
// `curl -H 'X-In: hi' http://127.0.0.1:28581/e/f` -> "X-Val: HI-/e/f") and from the ap_expr
// documentation's definitions where a direct probe was not practical.
#include "directives/expr/expr.hpp"
#include "server/expr/expr_eval.hpp"
#include "server/expr/expr_functions.hpp"

#include <gtest/gtest.h>

namespace balancerd::expr {
namespace {

struct Fixture {
  VarTable in, out, env, notes, os;
  RequestContext ctx;
  Evaluator ev;
  Fixture() {
    ctx.info.method = "GET";
    ctx.info.uri = "/e/f";
    ctx.info.query = "a=1";
    ctx.info.protocol = "HTTP/1.1";
    ctx.info.the_request = "GET /e/f?a=1 HTTP/1.1";
    ctx.info.scheme = "http";
    ctx.info.useragent_ip = "127.0.0.1";
    ctx.info.server_name = "test.local";
    ctx.info.server_port = 28581;
    ctx.info.status = 200;
    ctx.info.now_us = 1700000000LL * 1000000; // 2023-11-14 22:13:20 UTC
    in.add("Host", "test.local");
    in.add("User-Agent", "curl/8.0");
    in.add("X-In", "hi");
    out.add("Content-Type", "text/plain");
    ctx.headers_in = &in;
    ctx.headers_out = &out;
    ctx.environment = &env;
    ctx.notes = &notes;
    ctx.os_environment = &os;
  }
  std::optional<bool> b(std::string_view text) {
    auto r = directives::expr::parse(text);
    EXPECT_TRUE(r.ok()) << text << ": " << r.error;
    if (!r.ok()) return std::nullopt;
    return ev.eval_bool(*r.expr, ctx);
  }
  std::string s(std::string_view text) {
    auto r = directives::expr::parse_string(text);
    EXPECT_TRUE(r.ok()) << text << ": " << r.error;
    std::string o;
    if (r.ok()) {
      EXPECT_TRUE(ev.eval_string(*r.expr, ctx, o));
    }
    return o;
  }
};

TEST(ExprEval, TrueFalseNotAndOr) {
  Fixture f;
  EXPECT_EQ(f.b("true"), true);
  EXPECT_EQ(f.b("false"), false);
  EXPECT_EQ(f.b("!false"), true);
  EXPECT_EQ(f.b("true && false"), false);
  EXPECT_EQ(f.b("false || true"), true);
  EXPECT_EQ(f.b("!(true && !false) || false"), false);
}

TEST(ExprEval, StringComparisons) {
  Fixture f;
  EXPECT_EQ(f.b("%{REQUEST_METHOD} == 'GET'"), true);
  EXPECT_EQ(f.b("%{REQUEST_METHOD} = 'GET'"), true);
  EXPECT_EQ(f.b("%{REQUEST_METHOD} != 'GET'"), false);
  EXPECT_EQ(f.b("'abc' < 'abd'"), true);
  EXPECT_EQ(f.b("'b' <= 'a'"), false);
  EXPECT_EQ(f.b("'b' > 'a'"), true);
  EXPECT_EQ(f.b("'a' >= 'a'"), true);
}

TEST(ExprEval, NumericComparisonsReadLeadingIntegers) {
  Fixture f;
  EXPECT_EQ(f.b("10 -gt 9"), true); // strings would say "10" < "9"
  EXPECT_EQ(f.b("'10' gt '9'"), true);
  EXPECT_EQ(f.b("-5 -lt 3"), true);
  EXPECT_EQ(f.b("'12abc' -eq 12"), true);
  EXPECT_EQ(f.b("'abc' -eq 0"), true);
  EXPECT_EQ(f.b("3 -ne 3"), false);
  EXPECT_EQ(f.b("3 -le 3 && 4 -ge 5"), false);
  EXPECT_EQ(f.b("%{REQUEST_STATUS} -eq 200"), true);
}

TEST(ExprEval, RegexMatchAndBackrefs) {
  Fixture f;
  EXPECT_EQ(f.b("%{REQUEST_URI} =~ m#^/(e)/(.*)#"), true);
  EXPECT_EQ(f.ev.backref(0), "/e/f");
  EXPECT_EQ(f.ev.backref(1), "e");
  EXPECT_EQ(f.ev.backref(2), "f");
  EXPECT_EQ(f.ev.backref(3), "");
  EXPECT_EQ(f.b("%{REQUEST_URI} !~ m#^/x#"), true);
  EXPECT_EQ(f.b("%{HTTP:X-In} =~ /^HI$/"), false);
  EXPECT_EQ(f.b("%{HTTP:X-In} =~ /^HI$/i"), true);
  // $1 usable later in the same expression
  EXPECT_EQ(f.b("%{REQUEST_URI} =~ m#^/(e)# && $1 == 'e'"), true);
}

TEST(ExprEval, InList) {
  Fixture f;
  EXPECT_EQ(f.b("%{REQUEST_METHOD} -in {'POST', 'GET'}"), true);
  EXPECT_EQ(f.b("%{REQUEST_METHOD} in {'POST', 'PUT'}"), false);
}

TEST(ExprEval, UnaryOperators) {
  Fixture f;
  EXPECT_EQ(f.b("-n %{HTTP:X-In}"), true);
  EXPECT_EQ(f.b("-z %{HTTP:X-Missing}"), true);
  EXPECT_EQ(f.b("-T 'off'"), false);
  EXPECT_EQ(f.b("-T 'No'"), false);
  EXPECT_EQ(f.b("-T '0'"), false);
  EXPECT_EQ(f.b("-T 'yes'"), true);
  EXPECT_EQ(f.b("-R '127.0.0.0/8'"), true);
  EXPECT_EQ(f.b("-R '10.0.0.0/8'"), false);
  EXPECT_EQ(f.b("-d '/tmp'"), true);
  EXPECT_EQ(f.b("-f '/tmp'"), false);
  EXPECT_EQ(f.b("-e '/nonexistent/x'"), false);
  EXPECT_EQ(f.b("-U '/x'"), false); // no subrequests
}

TEST(ExprEval, BinaryOperators) {
  Fixture f;
  EXPECT_EQ(f.b("%{REMOTE_ADDR} -ipmatch '127.0.0.1/32'"), true);
  EXPECT_EQ(f.b("'192.168.1.7' -ipmatch '192.168'"), true);
  EXPECT_EQ(f.b("'::ffff:10.1.2.3' -ipmatch '10.0.0.0/8'"), true);
  EXPECT_EQ(f.b("'2001:db8::1' -ipmatch '2001:db8::/32'"), true);
  EXPECT_EQ(f.b("'nonsense' -ipmatch '10.0.0.0/8'"), false);
  EXPECT_EQ(f.b("'abc.TXT' -strmatch '*.txt'"), false);
  EXPECT_EQ(f.b("'abc.TXT' -strcmatch '*.txt'"), true);
  EXPECT_EQ(f.b("'a/b.txt' -fnmatch '*.txt'"), false); // '*' does not cross '/'
  EXPECT_EQ(f.b("'a/b.txt' -strmatch '*.txt'"), true);
}

TEST(ExprEval, Variables) {
  Fixture f;
  EXPECT_EQ(f.s("%{REQUEST_METHOD} %{REQUEST_URI} %{QUERY_STRING} %{SERVER_PROTOCOL}"),
            "GET /e/f a=1 HTTP/1.1");
  EXPECT_EQ(f.s("%{THE_REQUEST}"), "GET /e/f?a=1 HTTP/1.1");
  EXPECT_EQ(f.s("%{REQUEST_SCHEME}://%{SERVER_NAME}:%{SERVER_PORT}"), "http://test.local:28581");
  EXPECT_EQ(f.s("%{HTTPS} %{IPV6} %{IS_SUBREQ}"), "off off false");
  EXPECT_EQ(f.s("%{HTTP_USER_AGENT}|%{HTTP_HOST}"), "curl/8.0|test.local");
  EXPECT_EQ(f.s("[%{REMOTE_USER}]"), "[]");
  f.ctx.info.useragent_ip = "::1";
  EXPECT_EQ(f.s("%{IPV6}"), "on");
}

TEST(ExprEval, TimeVariables) {
  Fixture f;
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(f.s("%{TIME_YEAR}-%{TIME_MON}-%{TIME_DAY} %{TIME_HOUR}:%{TIME_MIN}:%{TIME_SEC} %{TIME_WDAY}"),
            "2023-11-14 22:13:20 2");
  EXPECT_EQ(f.s("%{TIME}"), "20231114221320");
}

TEST(ExprEval, LookupFunctions) {
  Fixture f;
  f.env.set("E1", "env1");
  f.notes.set("N1", "note1");
  f.os.set("O1", "os1");
  f.notes.set("BOTH", "from-note");
  f.env.set("BOTH", "from-env");
  EXPECT_EQ(f.s("%{req:x-in}|%{http:X-IN}|%{req_novary:X-In}|%{resp:content-type}"), "hi|hi|hi|text/plain");
  EXPECT_EQ(f.s("%{reqenv:E1}|%{note:N1}|%{osenv:O1}"), "env1|note1|os1");
  EXPECT_EQ(f.s("%{env:BOTH}|%{env:E1}|%{env:O1}|%{env:NONE}"), "from-note|env1|os1|");
}

TEST(ExprEval, HttpFunctionAddsVary) {
  Fixture f;
  VarTable vary;
  f.ctx.vary = &vary;
  f.b("%{HTTP:X-In} == 'hi' && req_novary('X-Other') == ''");
  ASSERT_EQ(vary.size(), 1u);
  EXPECT_EQ(vary[0].name, "X-In");
}

TEST(ExprEval, StringFunctions) {
  Fixture f;
  EXPECT_EQ(f.s("%{tolower:AbC}%{toupper:dEf}"), "abcDEF");
  EXPECT_EQ(f.s("%{escape:a b/c?d}"), "a%20b/c%3fd");
  EXPECT_EQ(f.s("%{unescape:a%20b%2Fc}"), "a b%2Fc");
  EXPECT_EQ(f.s("%{unescape:bad%zz}"), "bad%zz");
  EXPECT_EQ(f.s("%{base64:hello}|%{unbase64:aGVsbG8=}"), "aGVsbG8=|hello");
  EXPECT_EQ(f.s("%{md5:abc}"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(f.s("%{sha1:abc}"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(f.s("%{filesize:/nonexistent}"), "0");
}

TEST(ExprEval, FunctionCallSyntaxInBooleans) {
  Fixture f;
  EXPECT_EQ(f.b("tolower(%{HTTP:X-In}) == 'hi' && toupper('a') == 'A'"), true);
  EXPECT_EQ(f.b("md5('') == 'd41d8cd98f00b204e9800998ecf8427e'"), true);
}

TEST(ExprEval, ConcatenationAndStrings) {
  Fixture f;
  EXPECT_EQ(f.b("'a' . 'b' . %{REQUEST_METHOD} == 'abGET'"), true);
  EXPECT_EQ(f.b("\"x%{REQUEST_METHOD}y\" == 'xGETy'"), true);
  EXPECT_EQ(f.s("pre-%{REQUEST_METHOD}-post"), "pre-GET-post");
}

TEST(ExprEval, BoolExpressionAsStringIsTrueFalse) {
  Fixture f;
  auto r = directives::expr::parse("1 -eq 1");
  ASSERT_TRUE(r.ok());
  std::string out;
  ASSERT_TRUE(f.ev.eval_string(*r.expr, f.ctx, out));
  EXPECT_EQ(out, "true");
}

TEST(ExprEval, FileFunctionErrorIsAnEvaluationError) {
  Fixture f;
  auto r = directives::expr::parse("file('/nonexistent/zz') == ''");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(f.ev.eval_bool(*r.expr, f.ctx).has_value());
  EXPECT_FALSE(f.ev.error().empty());
}

TEST(ExprEval, ReusedEvaluatorGivesSameAnswers) {
  Fixture f;
  auto r = directives::expr::parse("%{HTTP:X-In} =~ /h(i)/ && $1 == 'i'");
  ASSERT_TRUE(r.ok());
  for (int i = 0; i < 100; ++i) ASSERT_EQ(f.ev.eval_bool(*r.expr, f.ctx), true);
  f.in.set("X-In", "ho");
  EXPECT_EQ(f.ev.eval_bool(*r.expr, f.ctx), false);
}

TEST(ExprFunctions, PregsubAndHelpers) {
  std::string out;
  append_pregsub(out, "[$1|$0|\\$1|$9]", "abc", {{0, 3}, {1, 1}});
  EXPECT_EQ(out, "[b|abc|$1|]");
  EXPECT_EQ(leading_integer("  -42xyz"), -42);
  EXPECT_EQ(leading_integer("x"), 0);
  EXPECT_TRUE(is_true_text("on"));
  EXPECT_FALSE(is_true_text("FALSE"));
}

TEST(VarTable, AprTableSemantics) {
  VarTable t;
  t.add("A", "1");
  t.add("b", "2");
  t.add("a", "3");
  EXPECT_EQ(t.get("A"), "1");
  EXPECT_EQ(t.count("a"), 2u);
  t.merge("a", "x");
  EXPECT_EQ(t[0].value, "1, x");
  EXPECT_EQ(t[2].value, "3");
  t.set("A", "new");
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].value, "new");
  t.unset("a");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "b");
}

} // namespace
} // namespace balancerd::expr
