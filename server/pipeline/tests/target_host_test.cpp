// apply_target_host: an absolute-form or CONNECT request's Host header becomes the target's
// authority for everything that reads the request headers after it (X-Forwarded-Host, %{Host}i).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/pipeline/request_state.hpp"
#include "server/pipeline/target_host.hpp"

namespace balancerd::pipeline {
namespace {

struct Fixture {
  http::Request req;
  RequestState st;
  std::vector<std::pair<std::string, std::string>> seen;
  Fixture() {
    req.headers.push_back({"Host", "other"});
    req.headers.push_back({"X-A", "1"});
    st.ctx.raw_headers = std::span<const http::Header>(req.headers.data(), req.headers.size());
  }
  void collect() {
    seen.clear();
    st.for_each_request_header([this](std::string_view n, std::string_view v) {
      seen.emplace_back(std::string(n), std::string(v));
    });
  }
};

TEST(ApplyTargetHost, AbsoluteFormRewritesHostInPlace) {
  Fixture f;
  f.req.absolute_uri = true;
  f.req.host = "LocalHost";
  f.req.port = "8080";
  apply_target_host(f.st, f.req);
  ASSERT_EQ(f.st.ctx.request_header("Host").value_or(""), "localhost:8080");
  f.collect();
  ASSERT_EQ(f.seen.size(), 2u); // order and other fields kept
  EXPECT_EQ(f.seen[0].first, "Host");
  EXPECT_EQ(f.seen[0].second, "localhost:8080");
  EXPECT_EQ(f.seen[1].second, "1");
}

TEST(ApplyTargetHost, OriginFormUntouchedAndUncopied) {
  Fixture f;
  f.req.host = "other";
  apply_target_host(f.st, f.req);
  EXPECT_EQ(f.st.ctx.headers_in, nullptr); // no copy of the headers for the usual request
  EXPECT_EQ(f.st.ctx.request_header("Host").value_or(""), "other");
}

TEST(ApplyTargetHost, KeepsEarlierHeaderEdits) {
  Fixture f;
  f.req.method = http::Method::Connect;
  f.req.host = "v1";
  f.req.port = "443";
  f.st.headers_in.add("Host", "other");
  f.st.headers_in.add("X-Edited", "yes");
  f.st.ctx.headers_in = &f.st.headers_in;
  apply_target_host(f.st, f.req);
  EXPECT_EQ(f.st.ctx.request_header("Host").value_or(""), "v1:443");
  EXPECT_EQ(f.st.ctx.request_header("X-Edited").value_or(""), "yes");
}

} // namespace
} // namespace balancerd::pipeline
