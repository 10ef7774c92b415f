// The cases of http_configtest_cases.txt: each config is compiled and must end as apache2 -t ended
// (http_oracle.py recorded that from the real apache2): the same error text and line, or success with
// the same log lines of the http-family modules.
#include "http_test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using balancerd::directives::http_test::compile_text;

struct Case {
  std::string name;
  std::string config;
  std::vector<std::string> expect;
};

std::vector<Case> load_cases() {
  const std::string here = __FILE__;
  std::ifstream in(here.substr(0, here.rfind('/')) + "/http_configtest_cases.txt");
  std::vector<Case> cases;
  std::string line;
  bool in_expect = false;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      std::istringstream words(line.substr(4));
      Case c;
      words >> c.name;
      cases.push_back(std::move(c));
      in_expect = false;
    } else if (cases.empty()) {
      continue;
    } else if (line == "---") {
      in_expect = true;
    } else if (in_expect) {
      cases.back().expect.push_back(line);
    } else {
      cases.back().config += (cases.back().config.empty() ? "" : "\n") + line;
    }
  }
  return cases;
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

bool is_http_module(const std::string& m) {
  return m == "ssl" || m == "http2" || m == "headers" || m == "authz_core";
}

class HttpConfigtest : public ::testing::TestWithParam<Case> {};

TEST_P(HttpConfigtest, MatchesApache) {
  const Case& c = GetParam();
  ASSERT_FALSE(c.expect.empty()) << "no recorded apache2 output";
  const auto result = compile_text(c.config);
  if (c.expect.back() == "Syntax OK") {
    EXPECT_EQ(result.error, "") << c.config;
    std::vector<std::string> want, got;
    for (const std::string& l : c.expect)
      if (l.rfind("[ssl:", 0) == 0 || l.rfind("[http2:", 0) == 0) want.push_back(l);
    for (const auto& r : result.logs)
      if (is_http_module(r.module)) got.push_back("[" + r.module + ":" + r.level + "] " + r.text);
    EXPECT_EQ(got, want) << c.config;
  } else {
    std::string want;
    for (const std::string& l : c.expect) want += (want.empty() ? "" : "\n") + l;
    EXPECT_EQ(result.error, want) << c.config;
  }
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Oracle, HttpConfigtest, ::testing::ValuesIn(load_cases()), case_name);

TEST(HttpConfigtestCases, FileIsPresentAndLarge) {
  EXPECT_GE(load_cases().size(), 250u);
}

} // namespace
