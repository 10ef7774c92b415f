// The ServerSignature footer names the host in lower case, as apache2's ap_get_server_name gives
// r->hostname (compat-tests/http-core host-case-self-urls: "Host: LOCALHOST" -> "at localhost").
#include <gtest/gtest.h>

#include <string>

#include "server/http/error_page.hpp"

namespace balancerd::http {
namespace {

std::string footer(ServerSignature sig, std::string_view host) {
  ErrorPageInfo info;
  info.signature = sig;
  info.banner = "Apache/2.4.71 (Debian)";
  info.host = host;
  info.server_admin = "Admin@Example.COM";
  std::string out;
  append_error_body(out, 404, info);
  const auto at = out.find("<address>");
  return at == std::string::npos ? std::string() : out.substr(at);
}

TEST(SignatureHost, LowerCase) {
  EXPECT_EQ(footer(ServerSignature::On, "LOCALHOST"),
            "<address>Apache/2.4.71 (Debian) Server at localhost Port 80</address>\n</body></html>\n");
}

TEST(SignatureHost, EMailKeepsTheAddressAsWritten) {
  EXPECT_EQ(
      footer(ServerSignature::EMail, "Www.Example.com"),
      "<address>Apache/2.4.71 (Debian) Server at <a href=\"mailto:Admin@Example.COM\">www.example.com</a> "
      "Port 80</address>\n</body></html>\n");
}

TEST(SignatureHost, OffHasNoFooter) {
  EXPECT_EQ(footer(ServerSignature::Off, "LOCALHOST"), "");
}

} // namespace
} // namespace balancerd::http

namespace balancerd::http {
namespace {

// Redirect pages are Apache error responses: the link (escaped), then the footer.
TEST(RedirectPage, MovedAndSeeOther) {
  ErrorPageInfo info;
  info.location = "http://localhost/d/?a=<b>";
  info.signature = ServerSignature::On;
  info.banner = "Apache";
  info.host = "localhost";
  std::string out;
  append_error_body(out, 301, info);
  EXPECT_NE(out.find("<title>301 Moved Permanently</title>"), std::string::npos);
  EXPECT_NE(out.find("<p>The document has moved <a href=\"http://localhost/d/?a=&lt;b&gt;\">here</a>.</p>\n"
                     "<hr>\n<address>Apache Server at localhost Port 80</address>\n</body></html>\n"),
            std::string::npos);
  out.clear();
  append_error_body(out, 303, info);
  EXPECT_NE(out.find("<p>The answer to your request is located <a href="), std::string::npos);
}

} // namespace
} // namespace balancerd::http
