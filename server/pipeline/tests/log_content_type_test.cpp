// %{Content-Type}o in an access log: mod_log_config logs the response's type without its
// parameters (apache2 2.4.71 logs "text/html" for its own 404 page, sent as
// "text/html; charset=iso-8859-1"; compat-tests/http-core access-log-format).
#include <gtest/gtest.h>

#include <string>

#include "directives/modules/http_log_config.hpp"
#include "server/log/access_format.hpp"
#include "server/log/request_log_view.hpp"

namespace balancerd::log {
namespace {

std::string render_ct(std::optional<std::string_view> type) {
  directives::LogFormat f;
  EXPECT_FALSE(directives::http::parse_log_format("[%{Content-Type}o]", f).has_value());
  RequestLogView v;
  v.content_type = type;
  std::string out;
  render_access_line(compile_access_format(f), v, out);
  return out;
}

TEST(AccessLogContentType, ParametersAreNotLogged) {
  EXPECT_EQ(render_ct("text/html; charset=iso-8859-1"), "[text/html]");
  EXPECT_EQ(render_ct("text/plain ;charset=utf-8"), "[text/plain]");
  EXPECT_EQ(render_ct("application/json"), "[application/json]");
}

TEST(AccessLogContentType, NoTypeIsADash) {
  EXPECT_EQ(render_ct(std::nullopt), "[-]");
}

} // namespace
} // namespace balancerd::log
