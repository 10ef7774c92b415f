// The cases of proxy_configtest_cases.txt: each config is compiled and must end as apache2 -t ended
// (proxy_oracle.py recorded that from the real apache2): the same error text and line, or success with
// the same proxy log lines.
#include "proxy_test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using balancerd::directives::proxy_test::compile_text;

struct Case {
  std::string name;
  bool hcheck = false;
  std::string config;
  std::vector<std::string> expect;
};

std::vector<Case> load_cases() {
  const std::string here = __FILE__;
  std::ifstream in(here.substr(0, here.rfind('/')) + "/proxy_configtest_cases.txt");
  std::vector<Case> cases;
  std::string line;
  bool in_expect = false;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      std::istringstream words(line.substr(4));
      Case c;
      words >> c.name;
      std::string flag;
      while (words >> flag) c.hcheck = c.hcheck || flag == "hcheck";
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

// Readable failure output: gtest would otherwise print the parameter as bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class ProxyConfigtest : public ::testing::TestWithParam<Case> {};

TEST_P(ProxyConfigtest, MatchesApache) {
  const Case& c = GetParam();
  ASSERT_FALSE(c.expect.empty()) << "no recorded apache2 output";
  const auto result = compile_text(c.config, c.hcheck);
  if (c.expect.back() == "Syntax OK") {
    EXPECT_EQ(result.error, "") << c.config;
    // Apache's proxy log lines (worker sharing warnings...) must be ours too.
    std::vector<std::string> want, got;
    for (const std::string& l : c.expect)
      if (l.rfind("[proxy:", 0) == 0) want.push_back(l);
    for (const auto& r : result.logs)
      if (r.module == "proxy") got.push_back("[proxy:" + r.level + "] " + r.text);
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

INSTANTIATE_TEST_SUITE_P(Oracle, ProxyConfigtest, ::testing::ValuesIn(load_cases()), case_name);

TEST(ProxyConfigtestCases, FileIsPresentAndLarge) {
  EXPECT_GE(load_cases().size(), 200u);
}

} // namespace
