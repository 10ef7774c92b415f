#include "server/proxy/backend_request.hpp"

#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/proxy/connection_tokens.hpp"
#include "server/proxy/hop_by_hop.hpp"

#include <array>
#include <cstring>

namespace balancerd::proxy {

using http::iequals;

namespace {

// Fields mod_proxy adds, each merged into the client's first field of that name or appended at the
// end in this order.
enum Added : unsigned { kMaxForwards, kVia, kExpect, kXff, kXfh, kXfs, kAddedCount };
constexpr std::array<std::string_view, kAddedCount> kAddedNames = {
    "Max-Forwards", "Via", "Expect", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Server"};

struct Plan {
  std::array<std::string_view, kAddedCount> value{};
  std::array<bool, kAddedCount> active{};
  std::array<bool, kAddedCount> replace{}; // set (replace) rather than merge
  std::array<bool, kAddedCount> done{};
};

// Writes into room reserved in advance: the head is sized once (an upper bound) and its pieces
// copied without a capacity check each (twenty-odd std::string::append calls were a fifth of the
// request path's instructions here). The room is a per-thread scratch array, always in cache, and
// only the finished head is copied to `out`: sizing `out` itself zero-filled the whole bound, some
// ten cache lines of a buffer that is cold at hundreds of connections (about 5 L2 write misses a
// request for lines the head never used). A head over the scratch size is built in `out` directly.
class HeadWriter {
public:
  HeadWriter(std::string& out, std::size_t bound) : out_(out), start_(out.size()) {
    if (bound <= kScratch) {
      p_ = begin_ = scratch_.data();
    } else {
      out_.resize(start_ + bound);
      p_ = begin_ = out_.data() + start_;
    }
  }
  ~HeadWriter() {
    const auto n = static_cast<std::size_t>(p_ - begin_);
    if (begin_ == scratch_.data())
      out_.append(begin_, n);
    else
      out_.resize(start_ + n);
  }
  HeadWriter(const HeadWriter&) = delete;
  HeadWriter& operator=(const HeadWriter&) = delete;
  void append(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void push_back(char c) { *p_++ = c; }
  void append_decimal(std::uint64_t v) {
    char tmp[24];
    std::size_t n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0);
    while (n) *p_++ = tmp[--n];
  }

private:
  static constexpr std::size_t kScratch = 8192;
  static thread_local std::array<char, kScratch> scratch_;
  std::string& out_;
  std::size_t start_;
  char* begin_;
  char* p_;
};

thread_local std::array<char, HeadWriter::kScratch> HeadWriter::scratch_;

void append_field(HeadWriter& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

bool contains_token(std::string_view value, std::string_view token) {
  bool found = false;
  for_each_connection_token(value, [&](std::string_view t) { found = found || iequals(t, token); });
  return found;
}

} // namespace

void append_host_value(std::string& out, std::string_view host, unsigned port, unsigned default_port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  if (v6) out.push_back('[');
  out.append(host);
  if (v6) out.push_back(']');
  if (port != default_port && port != 0) {
    out.push_back(':');
    http::append_decimal(out, port);
  }
}

void build_backend_request(std::string& buffer, const BackendRequestParams& p,
                           std::span<const Field> client) {
  // An upper bound of the head: every client field once (a merged one moves its value and ", " into
  // the first of its name, within its own ": " + CRLF), every added field as its own line, the
  // framing and Connection lines.
  std::size_t bound = p.method.size() + 1 + p.path_query.size() + 11 + 6 + p.host.size() + 2;
  for (const auto& f : client) bound += f.name.size() + f.value.size() + 4;
  bound +=
      2 + 24 + 4 + p.via_value.size() + 2 + 12 + 4 + p.client_ip.size() + 2 + p.server_hostname.size() + 2;
  // X-Forwarded-Host's value is the client's Host; the names of the added fields.
  bound += 128;
  for (const auto& f : client)
    if (iequals(f.name, "Host")) {
      bound += f.value.size();
      break;
    }
  bound += 16 + 20 + 2 + 28 + 31 + p.upgrade.size() + 4 + 28;
  HeadWriter out(buffer, bound);
  out.append(p.method);
  out.push_back(' ');
  out.append(p.path_query);
  out.append(p.http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
  append_field(out, "Host", p.host);

  Plan plan;
  char maxfwd[24];
  if (p.max_forwards) {
    auto v = *p.max_forwards;
    std::size_t n = 0;
    char tmp[24];
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0 && n < sizeof tmp);
    for (std::size_t i = 0; i < n; ++i) maxfwd[i] = tmp[n - 1 - i];
    plan.value[kMaxForwards] = std::string_view(maxfwd, n);
    plan.active[kMaxForwards] = plan.replace[kMaxForwards] = true;
  }
  if (p.via == ViaMode::On || p.via == ViaMode::Full) {
    plan.value[kVia] = p.via_value;
    plan.active[kVia] = true;
  }
  std::string_view client_host;
  bool expect_present_with_token = false;
  for (const auto& f : client) {
    if (client_host.empty() && iequals(f.name, "Host")) client_host = f.value;
    if (iequals(f.name, "Expect") && contains_token(f.value, "100-Continue"))
      expect_present_with_token = true;
  }
  if (p.expect_100 && !expect_present_with_token) {
    plan.value[kExpect] = "100-Continue";
    plan.active[kExpect] = true;
  }
  if (p.add_forwarded) {
    plan.value[kXff] = p.client_ip;
    plan.active[kXff] = true;
    if (!client_host.empty()) {
      plan.value[kXfh] = client_host;
      plan.active[kXfh] = true;
    }
    plan.value[kXfs] = p.server_hostname;
    plan.active[kXfs] = true;
  }

  // The client's fields in order, with the additions merged into the first of their name.
  const ConnectionTokens connection(client);
  for (const auto& f : client) {
    if (is_request_hop_field(f.name)) continue;
    if (p.via == ViaMode::Block && iequals(f.name, "Via")) continue;
    if (!p.expect_100 && iequals(f.name, "Expect")) continue;
    if (p.drop_proxy_authorization && iequals(f.name, "Proxy-Authorization")) continue;
    if (connection.names(f.name)) continue;
    // Apache merges repeated request fields into the first ("Cookie: a=1, b=2"): skip the later
    // ones here, the first one carries them all.
    bool repeated = false;
    for (const auto* g = client.data(); g != &f; ++g)
      if (iequals(g->name, f.name)) {
        repeated = true;
        break;
      }
    if (repeated) continue;
    int added = -1;
    for (unsigned i = 0; i < kAddedCount; ++i)
      if (plan.active[i] && iequals(f.name, kAddedNames[i])) added = static_cast<int>(i);
    if (added < 0) {
      out.append(f.name);
      out.append(": ");
      out.append(f.value);
      for (const auto* g = &f + 1; g != client.data() + client.size(); ++g)
        if (iequals(g->name, f.name)) {
          out.append(", ");
          out.append(g->value);
        }
      out.append("\r\n");
      continue;
    }
    auto a = static_cast<unsigned>(added);
    plan.done[a] = true;
    out.append(f.name);
    out.append(": ");
    if (plan.replace[a]) {
      out.append(plan.value[a]);
    } else {
      out.append(f.value);
      for (const auto* g = &f + 1; g != client.data() + client.size(); ++g)
        if (iequals(g->name, f.name)) {
          out.append(", ");
          out.append(g->value);
        }
      out.append(", ");
      out.append(plan.value[a]);
    }
    out.append("\r\n");
  }
  for (unsigned i = 0; i < kAddedCount; ++i) {
    if (!plan.active[i] || plan.done[i]) continue;
    if (connection.names(kAddedNames[i])) continue;
    append_field(out, kAddedNames[i], plan.value[i]);
  }

  if (p.body == BodyFraming::Length) {
    out.append("Content-Length: ");
    out.append_decimal(p.content_length);
    out.append("\r\n");
  } else if (p.body == BodyFraming::Chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  }
  if (!p.upgrade.empty()) {
    out.append("Connection: Upgrade\r\nUpgrade: ");
    out.append(p.upgrade);
    out.append("\r\n\r\n");
    return;
  }
  if (p.http10) {
    out.append("\r\n"); // an HTTP/1.0 request closes by default: Apache adds no Connection field
    return;
  }
  out.append(p.keep_alive ? "Connection: Keep-Alive\r\n\r\n" : "Connection: close\r\n\r\n");
}

} // namespace balancerd::proxy
