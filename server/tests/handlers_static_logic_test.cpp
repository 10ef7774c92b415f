// ETag, HTTP dates, conditional requests, byte ranges, MIME lookup and mod_alias rules.
#include <gtest/gtest.h>

#include "server/handlers/byte_ranges.hpp"
#include "server/handlers/file_validators.hpp"
#include "server/handlers/mime_types.hpp"
#include "server/handlers/redirects.hpp"
#include "server/handlers/server_status.hpp"

using namespace balancerd::handlers;
using balancerd::directives::AliasRule;
using balancerd::directives::MimeMapping;
using balancerd::directives::Regex;

TEST(HandlersEtag, SizeDashMtimeMicrosecondsInHex) {
  std::string e;
  // 2024-01-02 03:04:05 UTC = 1704164645 s; the compat suite's fixed mtime
  append_etag(e, {12, 1704164645LL * 1000000}, 1704164645LL * 1000000 + 5000000);
  EXPECT_EQ(e, "\"c-60dedc04dd340\"");
}

TEST(HandlersEtag, WeakWhenChangedWithinTheSecond) {
  std::string e;
  append_etag(e, {1, 1000000}, 1500000);
  EXPECT_EQ(e, "W/\"1-f4240\"");
}

TEST(HandlersDate, ParsesTheThreeFormats) {
  EXPECT_EQ(parse_http_date("Tue, 02 Jan 2024 03:04:05 GMT"), 1704164645);
  EXPECT_EQ(parse_http_date("Tuesday, 02-Jan-24 03:04:05 GMT"), 1704164645);
  EXPECT_EQ(parse_http_date("Tue Jan  2 03:04:05 2024"), 1704164645);
  EXPECT_EQ(parse_http_date("yesterday"), -1);
  EXPECT_EQ(parse_http_date("Tue, 02 Foo 2024 03:04:05 GMT"), -1);
}

namespace {
Condition eval(const char* im, const char* ius, const char* inm, const char* ims, bool get = true) {
  std::string_view a = im ? im : "", b = ius ? ius : "", c = inm ? inm : "", d = ims ? ims : "";
  ConditionalHeaders h;
  if (im) h.if_match = &a;
  if (ius) h.if_unmodified_since = &b;
  if (inm) h.if_none_match = &c;
  if (ims) h.if_modified_since = &d;
  return evaluate_conditions(h, "\"c-1\"", 1704164645, 1800000000, get);
}
} // namespace

TEST(HandlersConditions, IfNoneMatch) {
  EXPECT_EQ(eval(nullptr, nullptr, "\"c-1\"", nullptr), Condition::NotModified);
  EXPECT_EQ(eval(nullptr, nullptr, "\"x\", W/\"c-1\"", nullptr), Condition::NotModified);
  EXPECT_EQ(eval(nullptr, nullptr, "*", nullptr), Condition::NotModified);
  EXPECT_EQ(eval(nullptr, nullptr, "\"stale\"", nullptr), Condition::Proceed);
  EXPECT_EQ(eval(nullptr, nullptr, "\"c-1\"", nullptr, false), Condition::PreconditionFailed);
  // If-None-Match wins over If-Modified-Since
  EXPECT_EQ(eval(nullptr, nullptr, "\"stale\"", "Tue, 02 Jan 2024 03:04:05 GMT"), Condition::Proceed);
}

TEST(HandlersConditions, IfModifiedSince) {
  EXPECT_EQ(eval(nullptr, nullptr, nullptr, "Tue, 02 Jan 2024 03:04:05 GMT"), Condition::NotModified);
  EXPECT_EQ(eval(nullptr, nullptr, nullptr, "Tue, 02 Jan 2024 03:04:04 GMT"), Condition::Proceed);
  EXPECT_EQ(eval(nullptr, nullptr, nullptr, "garbage"), Condition::Proceed);
  // a date in the future is ignored
  EXPECT_EQ(eval(nullptr, nullptr, nullptr, "Tue, 02 Jan 2035 03:04:05 GMT"), Condition::Proceed);
}

TEST(HandlersConditions, IfMatchAndIfUnmodifiedSince) {
  EXPECT_EQ(eval("\"c-1\"", nullptr, nullptr, nullptr), Condition::Proceed);
  EXPECT_EQ(eval("\"other\"", nullptr, nullptr, nullptr), Condition::PreconditionFailed);
  EXPECT_EQ(eval("W/\"c-1\"", nullptr, nullptr, nullptr), Condition::PreconditionFailed); // strong compare
  EXPECT_EQ(eval(nullptr, "Tue, 02 Jan 2024 03:04:04 GMT", nullptr, nullptr), Condition::PreconditionFailed);
  EXPECT_EQ(eval(nullptr, "Tue, 02 Jan 2024 03:04:05 GMT", nullptr, nullptr), Condition::Proceed);
}

TEST(HandlersRanges, SingleSuffixOpenAndMerged) {
  std::vector<ByteRange> r;
  ASSERT_EQ(parse_ranges("bytes=0-4", 12, r), RangeOutcome::Partial);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first, 0u);
  EXPECT_EQ(r[0].last, 4u);
  ASSERT_EQ(parse_ranges("bytes=-3", 12, r), RangeOutcome::Partial);
  EXPECT_EQ(r[0].first, 9u);
  EXPECT_EQ(r[0].last, 11u);
  ASSERT_EQ(parse_ranges("bytes=5-", 12, r), RangeOutcome::Partial);
  EXPECT_EQ(r[0].last, 11u);
  ASSERT_EQ(parse_ranges("bytes=0-100", 12, r), RangeOutcome::Partial);
  EXPECT_EQ(r[0].last, 11u);
  ASSERT_EQ(parse_ranges("bytes=0-2,3-5,8-9", 12, r), RangeOutcome::Partial);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].last, 5u);
  EXPECT_EQ(r[1].first, 8u);
}

TEST(HandlersRanges, UnsatisfiableAndIgnored) {
  std::vector<ByteRange> r;
  EXPECT_EQ(parse_ranges("bytes=100-200", 12, r), RangeOutcome::Unsatisfiable);
  EXPECT_EQ(parse_ranges("bytes=5-2", 12, r), RangeOutcome::Whole);
  EXPECT_EQ(parse_ranges("items=0-1", 12, r), RangeOutcome::Whole);
  EXPECT_EQ(parse_ranges("bytes=a-b", 12, r), RangeOutcome::Whole);
  EXPECT_EQ(parse_ranges("bytes=", 12, r), RangeOutcome::Whole);
}

TEST(HandlersMime, TypesFileAddTypeForceType) {
  MimeTypes m;
  m.add("txt", "text/plain");
  m.add("gz", "application/gzip");
  m.add("html", "text/html");
  std::vector<MimeMapping> dir;
  EXPECT_EQ(m.lookup("a.txt", dir, nullptr), "text/plain");
  EXPECT_EQ(m.lookup("A.TXT", dir, nullptr), "text/plain");
  EXPECT_EQ(m.lookup("noext", dir, nullptr), "");
  EXPECT_EQ(m.lookup("a.html.gz", dir, nullptr), "application/gzip"); // the last extension with a type
  EXPECT_EQ(m.lookup("a.gz.html", dir, nullptr), "text/html");
  MimeMapping add;
  add.kind = MimeMapping::Kind::Type;
  add.value = "application/x-custom";
  add.extensions = {"txt"};
  dir.push_back(add);
  EXPECT_EQ(m.lookup("a.txt", dir, nullptr), "application/x-custom");
  std::string force = "image/png";
  EXPECT_EQ(m.lookup("a.txt", dir, &force), "image/png");
  std::string none = "none";
  EXPECT_EQ(m.lookup("a.txt", dir, &none), "application/x-custom");
}

TEST(HandlersMime, ReadsSystemMimeTypes) {
  MimeTypes m;
  if (!m.load_file("/etc/mime.types")) GTEST_SKIP() << "no /etc/mime.types";
  EXPECT_EQ(m.lookup("s.css", {}, nullptr), "text/css");
}

namespace {
AliasRule redirect(const char* from, const char* to, int status, bool regex = false) {
  AliasRule r;
  r.kind = AliasRule::Kind::Redirect;
  r.fake = from;
  r.real = to;
  r.status = status;
  if (regex) r.regex = Regex::compile(from);
  return r;
}
} // namespace

TEST(HandlersRedirects, PrefixKeepsRestAndQuery) {
  std::vector<AliasRule> rules{redirect("/old", "http://x/new", 301)};
  auto r = match_redirects(rules, "/old/sub/p.html", "a=1");
  EXPECT_EQ(r.kind, AliasResult::Kind::Redirect);
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.target, "http://x/new/sub/p.html?a=1");
  EXPECT_EQ(match_redirects(rules, "/older", "").kind, AliasResult::Kind::None); // segment boundary
}

TEST(HandlersRedirects, MatchSubstitutesGroupsAndGone) {
  std::vector<AliasRule> rules{redirect("^/img/(.*)\\.gif$", "http://x/png/$1.png", 302, true),
                               redirect("/gone", "", 410)};
  auto r = match_redirects(rules, "/img/a.gif", "");
  EXPECT_EQ(r.target, "http://x/png/a.png");
  EXPECT_EQ(match_redirects(rules, "/gone", "").kind, AliasResult::Kind::Gone);
  EXPECT_EQ(match_redirects(rules, "/gone", "").status, 410);
}

TEST(HandlersAliases, PrefixAndSlashRuns) {
  AliasRule a;
  a.fake = "/icons/";
  a.real = "/usr/share/icons/";
  std::vector<AliasRule> rules{a};
  auto r = match_aliases(rules, "/icons/a.png");
  EXPECT_EQ(r.kind, AliasResult::Kind::File);
  EXPECT_EQ(r.target, "/usr/share/icons/a.png");
  EXPECT_EQ(alias_prefix("/icons/", "/icons"), std::string_view::npos);
  EXPECT_EQ(alias_prefix("/a", "/a//b"), 2u);
}

TEST(HandlersStatus, AutoKeysInApacheOrder) {
  StatusInfo info;
  info.server_name = "localhost";
  info.started_sec = 1000;
  std::string out;
  append_status_auto(out, info, 1000 + 3661);
  EXPECT_EQ(out.rfind("localhost\nServerVersion: ", 0), 0u);
  EXPECT_NE(out.find("ServerUptime: 1 hour 1 minute 1 second\n"), std::string::npos);
  EXPECT_LT(out.find("Total Accesses: "), out.find("Scoreboard: "));
  std::string zero;
  append_uptime(zero, 0);
  EXPECT_EQ(zero, "");
}
