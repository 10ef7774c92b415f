// libFuzzer target: the request parser (whole and split input, both strictness modes), the chunked
// decoder on whatever follows the head, and the error page for whatever the parser rejects. Checks
// that every view stays inside the buffer and that splitting never changes the answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

// The library bd_server is built without coverage instrumentation (server/CMakeLists.txt adds
// -fsanitize=fuzzer to this file only), so the code under test is compiled into this translation unit
// to give libFuzzer its coverage feedback. The linker then never pulls these objects from the library.
#include "server/http/chunked_decoder.cpp"
#include "server/http/error_page.cpp"
#include "server/http/method.cpp"
#include "server/http/request.cpp"
#include "server/http/request_parser.cpp"
#include "server/http/response.cpp"
#include "server/http/status.cpp"

using namespace balancerd::http;

namespace {

void check_inside(std::string_view v, const char* base, std::size_t len) {
  if (v.empty()) return;
  if (v == "/") return; // the literal path of an absolute URI without one
  if (v.data() < base || v.data() + v.size() > base + len) std::abort();
}

void check_views(const Request& r, const char* base, std::size_t len) {
  check_inside(r.method_text, base, len);
  check_inside(r.target, base, len);
  check_inside(r.path, base, len);
  check_inside(r.query, base, len);
  check_inside(r.protocol, base, len);
  check_inside(r.host, base, len);
  check_inside(r.port, base, len);
  for (const auto& h : r.headers) {
    check_inside(h.name, base, len);
    check_inside(h.value, base, len);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ProtocolOptions opts;
  opts.strict = (data[0] & 1) == 0;
  opts.allow_http09 = (data[0] & 2) == 0;
  opts.registered_methods = (data[0] & 4) != 0;
  if (data[0] & 8) {
    opts.limit_request_line = 64;
    opts.limit_request_field_size = 64;
    opts.limit_request_fields = 4;
  }
  const std::size_t split = size > 1 ? data[1] % size : 0;
  std::vector<char> whole(data, data + size);
  std::vector<char> parts(data, data + size);

  RequestParser a(&opts), b(&opts);
  Request ra, rb;
  auto res_a = a.parse(whole.data(), whole.size(), ra);
  auto res_b = RequestParser::Result::NeedMore;
  if (split > 0) res_b = b.parse(parts.data(), split, rb);
  if (res_b == RequestParser::Result::NeedMore) res_b = b.parse(parts.data(), parts.size(), rb);
  if (res_a != res_b) std::abort();
  if (res_a == RequestParser::Result::Error && a.error().status != b.error().status) std::abort();

  if (res_a == RequestParser::Result::Done) {
    if (a.head_size() > size || a.head_size() != b.head_size()) std::abort();
    check_views(ra, whole.data(), whole.size());
    (void)ra.find("host");
    if (ra.body == BodyKind::Chunked) {
      ChunkedDecoder dec(1000);
      std::span<const char> rest(whole.data() + a.head_size(), size - a.head_size());
      std::uint64_t total = 0;
      for (int guard = 0; guard < 100000; ++guard) {
        auto s = dec.step(rest);
        if (s.consumed > rest.size()) std::abort();
        if (s.status == ChunkedDecoder::Status::Data) {
          if (s.data.data() < rest.data() || s.data.data() + s.data.size() > rest.data() + rest.size())
            std::abort();
          total += s.data.size();
        }
        rest = rest.subspan(s.consumed);
        if (s.status != ChunkedDecoder::Status::Data) break;
      }
      if (total > 1000) std::abort();
    }
  } else if (res_a == RequestParser::Result::Error) {
    ErrorPageInfo info;
    info.note = a.error().note;
    info.expect = a.error().expect;
    info.method = ra.method_text;
    ErrorResponseOptions o;
    ResponseHead scratch;
    std::string out;
    append_error_response(out, a.error().status, info, o, scratch);
    if (out.empty()) std::abort();
  }
  return 0;
}
