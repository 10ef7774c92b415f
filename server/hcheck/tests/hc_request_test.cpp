// The request a check sends, compared with what apache2 2.4.71 sent to a recording listener.
#include "server/hcheck/hc_request.hpp"

#include <gtest/gtest.h>

using namespace balancerd::hcheck;
using balancerd::directives::HcMethod;

TEST(HcRequest, WorkerPathFromName) {
  EXPECT_EQ(worker_url_path("http://127.0.0.1:8080/base"), "/base");
  EXPECT_EQ(worker_url_path("http://127.0.0.1:8080"), "");
  EXPECT_EQ(worker_url_path("http://[::1]:8080/q/"), "/q/");
  EXPECT_EQ(worker_url_path("http://h"), "");
}

TEST(HcRequest, TargetAsApacheBuildsIt) {
  // Captured: worker path + "/" + hcuri when both are set, no slash merging.
  EXPECT_EQ(hc_request_target(HcMethod::Get, "/base", "/hc"), "/base//hc");
  EXPECT_EQ(hc_request_target(HcMethod::Get, "/q/", "hc"), "/q//hc");
  EXPECT_EQ(hc_request_target(HcMethod::Get, "", "hc"), "hc");
  EXPECT_EQ(hc_request_target(HcMethod::Head, "/base", "hc"), "/base/hc");
  EXPECT_EQ(hc_request_target(HcMethod::Get, "/", "/hc"), "///hc");
  EXPECT_EQ(hc_request_target(HcMethod::Get11, "/q/", ""), "/q/");
  EXPECT_EQ(hc_request_target(HcMethod::Head11, "", ""), "");
  EXPECT_EQ(hc_request_target(HcMethod::Options, "/base", "/hc"), "*");
  EXPECT_EQ(hc_request_target(HcMethod::Options11, "", ""), "*");
}

TEST(HcRequest, RequestBytes) {
  EXPECT_EQ(hc_request_text(HcMethod::Get, "/base//hc", "127.0.0.1:27481"),
            "GET /base//hc HTTP/1.0\r\nHost: 127.0.0.1:27481\r\n\r\n");
  EXPECT_EQ(hc_request_text(HcMethod::Head11, "", "127.0.0.1:27482"),
            "HEAD  HTTP/1.1\r\nHost: 127.0.0.1:27482\r\n\r\n");
  EXPECT_EQ(hc_request_text(HcMethod::Options, "*", "127.0.0.1:27483"),
            "OPTIONS * HTTP/1.0\r\nHost: 127.0.0.1:27483\r\n\r\n");
  EXPECT_EQ(hc_request_text(HcMethod::Get11, "/q/", "127.0.0.1:27485"),
            "GET /q/ HTTP/1.1\r\nHost: 127.0.0.1:27485\r\n\r\n");
  EXPECT_EQ(hc_host_header("::1", 80), "[::1]:80");
  EXPECT_EQ(hc_host_header("backend", 8080), "backend:8080");
}

TEST(HcRequest, MethodKinds) {
  EXPECT_FALSE(hc_is_http(HcMethod::Tcp));
  EXPECT_FALSE(hc_is_http(HcMethod::None));
  EXPECT_FALSE(hc_is_http(HcMethod::Cping));
  EXPECT_TRUE(hc_is_http(HcMethod::Options11));
  EXPECT_TRUE(hc_reads_body(HcMethod::Get11));
  EXPECT_FALSE(hc_reads_body(HcMethod::Head));
  EXPECT_TRUE(hc_is_http11(HcMethod::Get11));
  EXPECT_FALSE(hc_is_http11(HcMethod::Get));
}
