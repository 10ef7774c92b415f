// Replays data/reverse_cases.txt: Location and Set-Cookie values a loopback backend answered with
// through apache2 2.4.71, and what the client received (recorded by pass_oracle.py; the client sent
// "Host: front.example", so the front end's own URL is http://front.example).
#include "server/proxypass/reverse_map.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace balancerd::proxypass {
namespace {

TEST(ReverseCases, MatchApache) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "data" / "reverse_cases.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  std::string config, line;
  bool in_config = false;
  std::vector<std::string> rows;
  while (std::getline(in, line)) {
    if (line == "#config")
      in_config = true;
    else if (line == "#cases")
      in_config = false;
    else if (in_config)
      config += line + "\n";
    else if (!line.empty())
      rows.push_back(line);
  }
  const auto c = test::compile_ok(config);
  ASSERT_TRUE(c.config);
  const auto& server = c.config->main.proxy;
  const auto& dir = *c.config->main.dir.proxy;
  const SelfUrl self{"http", "front.example", 80};
  std::size_t locations = 0, cookies = 0;
  for (const auto& row : rows) {
    const auto t1 = row.find('\t');
    const auto t2 = row.find('\t', t1 + 1);
    const std::string kind = row.substr(0, t1);
    const std::string in_value = row.substr(t1 + 1, t2 - t1 - 1);
    const std::string expected = row.substr(t2 + 1);
    if (kind == "L") {
      EXPECT_EQ(reverse_url(server, dir, in_value, self), expected) << "Location: " << in_value;
      ++locations;
    } else {
      // The response parser drops the blanks before a header value.
      const std::string value = in_value.substr(in_value.find_first_not_of(' '));
      EXPECT_EQ(reverse_cookie(dir, value), expected) << "Set-Cookie: " << in_value;
      ++cookies;
    }
  }
  EXPECT_EQ(locations, 150u);
  EXPECT_EQ(cookies, 150u);
}

} // namespace
} // namespace balancerd::proxypass
