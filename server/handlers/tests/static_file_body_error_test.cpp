// A request body to a static file is read and dropped before the file is sent; an error found while
// reading it (413 for a chunked body over LimitRequestBody, 400 for a bad chunk) goes to the caller's
// body_error hook (the pipeline's ErrorDocument path) when one is set, else to Apache's plain page.
#include <gtest/gtest.h>

#include <string>

#include "server/handlers/static_file.hpp"

namespace balancerd::handlers {
namespace {

// Delivers one body piece with `error` to the handler's first read_body, and records what it answers.
class BodyErrorExchange final : public net::Exchange {
public:
  explicit BodyErrorExchange(int error) : error_(error) {
    req.method = http::Method::Post;
    req.method_text = "POST";
    req.target = req.path = "/a.txt";
    req.body = http::BodyKind::Chunked;
  }
  http::Request req;
  net::PeerInfo peer_info{"127.0.0.1", 40000, "127.0.0.1", 8080};
  http::ResponseHead head;
  std::uint64_t limit = 0;
  int error_status = 0;
  bool wrote = false;
  const http::Request& request() const override { return req; }
  const net::PeerInfo& peer() const override { return peer_info; }
  void set_body_limit(std::uint64_t l) override { limit = l; }
  void read_body(net::BodyCallback cb) override {
    net::BodyPiece p;
    p.error = error_;
    cb(p);
  }
  http::ResponseHead& response() override { return head; }
  void write(std::span<const char>, bool, net::WriteCallback) override { wrote = true; }
  void send_error(int status, const http::ErrorPageInfo&, std::string_view) override {
    error_status = status;
  }
  bool head_sent() const override { return wrote || error_status != 0; }

private:
  int error_;
};

struct HookCalls {
  net::Exchange* ex = nullptr;
  int status = 0;
  int calls = 0;
};

StaticFile file_with_limit(std::uint64_t limit) {
  StaticFile f;
  f.path = "/nonexistent/never-opened";
  f.st.st_mode = S_IFREG | 0644;
  f.body_limit = limit;
  return f;
}

TEST(StaticFileBodyError, AnOverLimitChunkedBodyGoesToTheHook) {
  BodyErrorExchange ex(413);
  HookCalls calls;
  StaticFile f = file_with_limit(2);
  f.body_error = [](net::Exchange& e, void* arg, int status) {
    auto& c = *static_cast<HookCalls*>(arg);
    c.ex = &e;
    c.status = status;
    ++c.calls;
  };
  f.body_error_arg = &calls;
  serve_static_file(ex, std::move(f));
  EXPECT_EQ(ex.limit, 2u);
  EXPECT_EQ(calls.calls, 1);
  EXPECT_EQ(calls.status, 413);
  EXPECT_EQ(calls.ex, &ex);
  EXPECT_EQ(ex.error_status, 0); // the hook answers, not the plain page
  EXPECT_FALSE(ex.wrote);        // and the file is not sent
}

TEST(StaticFileBodyError, ANegativeErrorIsA400ThroughTheHook) {
  BodyErrorExchange ex(-1); // a negative error is answered as 400, as a bad chunk
  HookCalls calls;
  StaticFile f = file_with_limit(0);
  f.body_error = [](net::Exchange&, void* arg, int status) { static_cast<HookCalls*>(arg)->status = status; };
  f.body_error_arg = &calls;
  serve_static_file(ex, std::move(f));
  EXPECT_EQ(calls.status, 400);
}

TEST(StaticFileBodyError, WithoutAHookThePlainPageIsSent) {
  BodyErrorExchange ex(413);
  serve_static_file(ex, file_with_limit(2));
  EXPECT_EQ(ex.error_status, 413);
  EXPECT_FALSE(ex.wrote);
}

} // namespace
} // namespace balancerd::handlers
