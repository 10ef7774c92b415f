// The access log of a request answered by an ErrorDocument's internal redirect: mod_log_config takes
// %r %U %s %R %D %T %L from the original request unless '>' asks for the last one, and every other
// item from the last request (the redirect) unless '<' asks for the original (apache2 2.4.71;
// compat-tests/http-core errordocument-redirect-access-log).
#include <gtest/gtest.h>

#include <string>

#include "directives/modules/http_log_config.hpp"
#include "server/log/access_format.hpp"
#include "server/log/request_log_view.hpp"

namespace balancerd::log {
namespace {

std::string render(std::string_view format, const RequestLogView& v) {
  directives::LogFormat f;
  EXPECT_FALSE(directives::http::parse_log_format(format, f).has_value());
  std::string out;
  render_access_line(compile_access_format(f), v, out);
  return out;
}

struct Views {
  RequestLogView original, last;
  Views() {
    original.path = "/nothing";
    original.query = "a=1";
    original.method = "POST";
    original.status = 404;
    original.handler = "proxy-server";
    original.filename = "/srv/nothing";
    last.path = "/errors/404.html";
    last.query = "z=9";
    last.method = "GET";
    last.status = 403;
    last.original_status = 404;
    last.filename = "/srv/errors/404.html";
    last.body_bytes = 22;
    last.original = &original;
  }
};

TEST(AccessLogRedirect, DefaultsMixTheOriginalAndTheLastRequest) {
  Views v;
  EXPECT_EQ(render("%s %>s %U %q %m %f %R %b", v.last),
            "404 403 /nothing ?z=9 GET /srv/errors/404.html proxy-server 22");
}

TEST(AccessLogRedirect, ModifiersChooseTheRequest) {
  Views v;
  EXPECT_EQ(render("%<s %>U %<q %<m %<f %>R %<b", v.last), "404 /errors/404.html ?a=1 POST /srv/nothing - -");
}

TEST(AccessLogRedirect, WithoutARedirectEveryItemReadsTheRequest) {
  Views v;
  v.last.original = nullptr;
  v.last.original_status = 0;
  EXPECT_EQ(render("%<s %>s %<U %U %<m", v.last), "403 403 /errors/404.html /errors/404.html GET");
}

} // namespace
} // namespace balancerd::log
