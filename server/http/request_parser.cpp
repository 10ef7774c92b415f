#include "server/http/request_parser.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace balancerd::http {
namespace {

const ProtocolOptions kDefaults{};

// Blank lines tolerated before a request line (RFC 9112 §2.2 "SHOULD ignore at least one").
constexpr std::size_t kMaxLeadingBlankLines = 100;

// RFC 9110 tchar.
constexpr bool tchar_of(unsigned char c) noexcept {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
  case '!':
  case '#':
  case '$':
  case '%':
  case '&':
  case '\'':
  case '*':
  case '+':
  case '-':
  case '.':
  case '^':
  case '_':
  case '`':
  case '|':
  case '~':
    return true;
  default:
    return false;
  }
}

// Byte classes as bits of one table, so the per-byte checks of every request line and field are a
// load and a test instead of a chain of compares.
enum : unsigned char {
  kTchar = 1,      // RFC 9110 tchar
  kCtl = 2,        // a control byte (below 0x20, or DEL)
  kHostChar = 4,   // a reg-name byte strict mode accepts: digit, letter, '-', '.', '_'
  kBadValue = 8,   // refused in a field value in Unsafe mode: NUL, CR
  kBadStrict = 16, // refused in a field value in strict mode: any control but HTAB
  kBadName = 32,   // refused in a field name in Unsafe mode: blanks, VT, FF, CR, NUL
  kBadTarget = 64, // refused in a request target: a control byte or '#'
};

constexpr std::array<unsigned char, 256> make_classes() {
  std::array<unsigned char, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    const auto c = static_cast<unsigned char>(i);
    unsigned char v = 0;
    if (tchar_of(c)) v |= kTchar;
    const bool ctl = c < 0x20 || c == 0x7f;
    if (ctl) v |= kCtl;
    if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '-' || c == '.' ||
        c == '_')
      v |= kHostChar;
    if (c == '\0' || c == '\r') v |= kBadValue;
    if (ctl && c != '\t') v |= kBadStrict;
    if (c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\0') v |= kBadName;
    if (ctl || c == '#') v |= kBadTarget;
    t[i] = v;
  }
  return t;
}
constexpr std::array<unsigned char, 256> kClasses = make_classes();

constexpr bool has_class(char c, unsigned char cls) noexcept {
  return (kClasses[static_cast<unsigned char>(c)] & cls) != 0;
}

constexpr bool is_tchar(unsigned char c) noexcept {
  return (kClasses[c] & kTchar) != 0;
}
constexpr bool is_ctl(unsigned char c) noexcept {
  return (kClasses[c] & kCtl) != 0;
}
constexpr bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}
constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

std::string_view trim(std::string_view v) noexcept {
  while (!v.empty() && is_blank(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_blank(v.back())) v.remove_suffix(1);
  return v;
}

bool parse_version(std::string_view v, bool strict, Request& req) noexcept {
  // HTTP-version = "HTTP/" DIGIT "." DIGIT; Apache takes any major 1-9 (and answers as HTTP/1.1);
  // Unsafe only relaxes the case of "HTTP".
  if (v.size() != 8 || v[6] != '.' || v[4] != '/') return false;
  if (strict ? v.substr(0, 4) != "HTTP" : !iequals(v.substr(0, 4), "HTTP")) return false;
  if (!is_digit(v[5]) || !is_digit(v[7]) || v[5] == '0') return false;
  req.version_major = v[5] - '0';
  req.version_minor = v[7] - '0';
  return true;
}

// Comma-separated tokens; calls f(token) for each non-empty trimmed one.
template <class F> void for_each_token(std::string_view v, F&& f) {
  while (!v.empty()) {
    auto comma = v.find(',');
    auto tok = trim(v.substr(0, comma));
    if (!tok.empty()) f(tok);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
}

bool parse_content_length(std::string_view v, std::uint64_t& out) noexcept {
  if (v.empty()) return false;
  std::uint64_t n = 0;
  for (char c : v) {
    if (!is_digit(c)) return false;
    if (n > (UINT64_C(0x7fffffffffffffff) - static_cast<unsigned>(c - '0')) / 10) return false;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  out = n;
  return true;
}

// Rejects what Apache rejects in the path: bad %-escapes, and ".." segments that climb above "/".
bool path_acceptable(std::string_view path) noexcept {
  // one pass: each segment's escapes are checked while it is measured
  long depth = 0;
  const std::size_t n = path.size();
  std::size_t i = 0;
  while (i < n) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const std::size_t start = i;
    for (; i < n && path[i] != '/'; ++i)
      if (path[i] == '%' && (i + 2 >= n || !is_hex(path[i + 1]) || !is_hex(path[i + 2]))) return false;
    const std::size_t len = i - start;
    if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
      if (--depth < 0) return false;
    } else if (!(len == 1 && path[start] == '.')) {
      ++depth;
    }
  }
  return true;
}

// "GET /path" with no protocol: an HTTP/0.9 simple request.
bool is_simple_request(std::string_view line, bool strict) noexcept {
  if (strict) {
    // only ' ' separates: two words are exactly one space (a trailing one included)
    const void* first = std::memchr(line.data(), ' ', line.size());
    if (!first) return false;
    const char* after = static_cast<const char*>(first) + 1;
    return !std::memchr(after, ' ', static_cast<std::size_t>(line.data() + line.size() - after));
  }
  auto sep = [strict](char c) { return c == ' ' || (!strict && c == '\t'); };
  std::size_t p = 0;
  while (p < line.size() && !sep(line[p])) ++p;
  if (p == line.size()) return false;
  ++p;
  if (!strict)
    while (p < line.size() && sep(line[p])) ++p;
  while (p < line.size() && !sep(line[p])) ++p;
  if (!strict)
    while (p < line.size() && sep(line[p])) ++p;
  return p == line.size();
}

} // namespace

bool split_host(std::string_view value, bool strict, std::string_view& host,
                std::string_view& port) noexcept {
  host = {};
  port = {};
  if (value.empty()) return false;
  std::string_view rest;
  if (value.front() == '[') {
    auto close = value.find(']');
    if (close == std::string_view::npos) return false;
    host = value.substr(0, close + 1);
    for (char c : host.substr(1, host.size() - 2))
      if (!is_hex(c) && c != ':' && c != '.') return false;
    rest = value.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
  } else {
    auto colon = value.rfind(':');
    if (!strict && colon != std::string_view::npos && colon + 1 < value.size() &&
        !std::all_of(value.begin() + static_cast<std::ptrdiff_t>(colon) + 1, value.end(), is_digit))
      colon = std::string_view::npos; // Unsafe: no number after the colon, an address without port
    host = value.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : value.substr(colon);
    if (strict)
      for (char c : host)
        if (!has_class(c, kHostChar)) return false;
    while (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (host.empty() && strict) return false;
  }
  if (!rest.empty()) {
    port = rest.substr(1);
    unsigned long n = 0;
    for (char c : port) {
      if (!is_digit(c)) return false;
      n = n * 10 + static_cast<unsigned>(c - '0');
      if (n > 65535) return false;
    }
  }
  return true;
}

RequestParser::RequestParser(const ProtocolOptions* options) noexcept
    : opts_(options ? options : &kDefaults) {}

void RequestParser::set_options(const ProtocolOptions* options) noexcept {
  opts_ = options ? options : &kDefaults;
}

void RequestParser::reset() noexcept {
  scan_ = line_start_ = rl_start_ = rl_end_ = rl_next_ = head_end_ = fields_ = blank_lines_ = 0;
  in_request_line_ = true;
  started_ = false;
  error_ = {};
}

RequestParser::Result RequestParser::fail(int status, std::string_view note) noexcept {
  error_.status = status;
  error_.note = note;
  return Result::Error;
}

RequestParser::Result RequestParser::parse(char* data, std::size_t len, Request& req) {
  if (error_.status) return Result::Error;
  if (head_end_) return Result::Done;
  const std::size_t line_limit = opts_->limit_request_line;
  const std::size_t field_limit = opts_->limit_request_field_size;
  // Apache measures a line with its terminator against limit+2 bytes: the visible text may be one byte
  // longer than the limit (measured: 8191 accepted, 8192 rejected with the default 8190).
  while (scan_ < len) {
    const void* nl = std::memchr(data + scan_, '\n', len - scan_);
    if (!nl) {
      if (in_request_line_ && len > line_start_ && !(len - line_start_ == 1 && data[line_start_] == '\r'))
        started_ = true;
      scan_ = len;
      break;
    }
    std::size_t i = static_cast<std::size_t>(static_cast<const char*>(nl) - data);
    std::size_t end = (i > line_start_ && data[i - 1] == '\r') ? i - 1 : i;
    std::size_t n = end - line_start_;
    if (in_request_line_) {
      if (n == 0) {
        if (++blank_lines_ > kMaxLeadingBlankLines) return fail(400);
      } else {
        started_ = true;
        if (n > line_limit + 1) return fail(414);
        rl_start_ = line_start_;
        rl_end_ = end;
        rl_next_ = i + 1;
        in_request_line_ = false;
        if (is_simple_request(std::string_view(data + rl_start_, n), opts_->strict)) {
          // HTTP/0.9 has no header section: the request line is the whole request.
          head_end_ = scan_ = i + 1;
          return finish(data, req);
        }
      }
    } else {
      if (n == 0) {
        head_end_ = i + 1;
        scan_ = head_end_;
        return finish(data, req);
      }
      if (n > field_limit + 1) return fail(400, kNoteFieldTooLong);
      if (!is_blank(data[line_start_]) && opts_->limit_request_fields &&
          ++fields_ > opts_->limit_request_fields)
        return fail(400, kNoteTooManyFields);
    }
    line_start_ = scan_ = i + 1;
  }
  const std::size_t partial = len - line_start_;
  if (in_request_line_ && partial > line_limit + 2) return fail(414);
  if (!in_request_line_ && partial > field_limit + 2) return fail(400, kNoteFieldTooLong);
  return Result::NeedMore;
}

bool RequestParser::parse_target(Request& req) {
  std::string_view t = req.target;
  for (char c : t)
    if (has_class(c, kBadTarget)) return false;
  if (req.method == Method::Connect) { // authority-form only, and the port is required
    req.path = "/"; // Apache maps and serves it as "/" (405 from the default handler, or proxied)
    return t.front() != '/' && split_host(t, opts_->strict, req.host, req.port) && !req.port.empty();
  }
  if (t.front() == '/') {
    auto q = t.find('?');
    req.path = t.substr(0, q);
    if (q != std::string_view::npos) req.query = t.substr(q + 1);
    return path_acceptable(req.path);
  }
  if (t == "*") {
    req.path = t;
    return req.method == Method::Options;
  }
  // "unix:/socket|http://...": passed on for mod_proxy to refuse (400, or 500 with ProxyRequests On).
  if (t.size() > 5 && iequals(t.substr(0, 5), "unix:")) {
    req.path = t;
    return true;
  }
  // absolute-form: only http and https name this server (other schemes are answered 400).
  auto sep = t.find("://");
  if (sep == std::string_view::npos) return false;
  auto scheme = t.substr(0, sep);
  if (!iequals(scheme, "http") && !iequals(scheme, "https")) return false;
  auto rest = t.substr(sep + 3);
  auto pend = rest.find_first_of("/?");
  auto authority = rest.substr(0, pend);
  if (authority.find('@') != std::string_view::npos) return false;
  if (!split_host(authority, opts_->strict, req.host, req.port)) return false;
  req.absolute_uri = true;
  std::string_view pq = pend == std::string_view::npos ? std::string_view{} : rest.substr(pend);
  auto q = pq.find('?');
  req.path = pq.substr(0, q);
  if (req.path.empty()) req.path = "/";
  if (q != std::string_view::npos) req.query = pq.substr(q + 1);
  return path_acceptable(req.path);
}

bool RequestParser::parse_request_line(char* data, Request& req) {
  std::string_view line(data + rl_start_, rl_end_ - rl_start_);
  const bool strict = opts_->strict;
  if (strict && data[rl_end_] != '\r') return false; // bare LF
  // only a space separates the words, in Unsafe mode too (apache2 answers 400 to a tab there)
  auto is_sep = [](char c) { return c == ' '; };
  std::size_t p = 0;
  while (p < line.size() && !is_sep(line[p])) ++p;
  req.method_text = line.substr(0, p);
  if (req.method_text.empty()) return false;
  for (char c : req.method_text)
    if (strict ? !is_tchar(static_cast<unsigned char>(c)) : is_ctl(static_cast<unsigned char>(c)))
      return false;
  req.method = method_from_token(req.method_text);
  if (p == line.size()) return false; // a method alone
  ++p;
  if (!strict)
    while (p < line.size() && is_sep(line[p])) ++p;
  std::size_t t0 = p;
  while (p < line.size() && !is_sep(line[p])) ++p;
  req.target = line.substr(t0, p - t0);
  if (req.target.empty()) return false;
  if (p == line.size()) {
    // HTTP/0.9 simple request: GET only, and only when allowed.
    if (!opts_->allow_http09 || req.method != Method::Get) return false;
    req.protocol = {};
    req.version_major = 0;
    req.version_minor = 9;
  } else {
    ++p;
    std::string_view v = line.substr(p);
    if (!strict) { // surrounding spaces, not tabs
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    }
    if (!parse_version(v, strict, req)) return false;
    req.protocol = v;
  }
  return parse_target(req);
}

RequestParser::Result RequestParser::finish(char* data, Request& req) {
  req.clear();
  if (!parse_request_line(data, req)) return fail(400);
  if (req.http09()) return Result::Done; // no headers, never kept alive
  const bool strict = opts_->strict;
  const std::size_t field_limit = opts_->limit_request_field_size;
  // strict refuses every control byte but HTAB in a value (NUL and CR among them); Unsafe NUL and CR
  const unsigned char bad_value = strict ? kBadStrict : kBadValue;

  // Header lines: [rl_next_, head_end_) ends with the empty line.
  std::size_t pos = rl_next_;
  std::size_t last_line_start = 0;
  while (true) {
    auto* nl = static_cast<char*>(std::memchr(data + pos, '\n', head_end_ - pos));
    std::size_t i = static_cast<std::size_t>(nl - data);
    bool cr = i > pos && data[i - 1] == '\r';
    if (strict && !cr) return fail(400); // bare LF
    std::size_t end = cr ? i - 1 : i;
    if (end == pos) break; // the empty line
    std::string_view line(data + pos, end - pos);
    if (is_blank(line.front())) {
      // obs-fold: join to the previous value with one space, in place (the buffer only shrinks leftwards).
      auto more = trim(line);
      if (req.headers.empty() || more.empty()) return fail(400);
      for (char c : more)
        if (has_class(c, bad_value)) return fail(400);
      Header& h = req.headers.back();
      char* vend = const_cast<char*>(h.value.data() + h.value.size());
      if (h.value.empty()) vend = const_cast<char*>(h.value.data());
      std::size_t add = h.value.empty() ? 0 : 1;
      if (add) *vend = ' ';
      std::memmove(vend + add, more.data(), more.size());
      h.value = std::string_view(h.value.data(), h.value.size() + add + more.size());
      if (static_cast<std::size_t>(h.value.data() + h.value.size() - (data + last_line_start)) >
          field_limit + 1)
        return fail(400, kNoteFieldTooLong);
    } else {
      // The name's bytes are checked on the way to the colon (one pass over a short name instead of
      // a memchr call and a second loop): a line without a colon fails either way.
      // "Name :" is a smuggling vector; Apache refuses it always. Strict: tchar only (no blank is
      // one). Unsafe: any byte but whitespace (apache2 refuses \v \f \r there, accepts other controls)
      std::size_t colon = 0;
      for (; colon < line.size() && line[colon] != ':'; ++colon) {
        const char c = line[colon];
        if (strict ? !has_class(c, kTchar) : has_class(c, kBadName)) return fail(400);
      }
      if (colon == line.size() || colon == 0) return fail(400);
      auto name = line.substr(0, colon);
      auto value = trim(line.substr(colon + 1));
      for (char c : value)
        if (has_class(c, bad_value)) return fail(400);
      if (value.empty()) value = std::string_view(line.data() + line.size(), 0);
      req.headers.push_back(Header{name, value});
      last_line_start = pos;
    }
    pos = i + 1;
  }

  // Semantics of the framing and routing headers.
  const Header* host = nullptr;
  bool have_cl = false, have_te = false, te_chunked_last = false, close = false;
  const Header* expect = nullptr;
  // the names that matter differ in length: most fields are passed over on a size compare
  for (const auto& h : req.headers) {
    const std::size_t len = h.name.size();
    if (len != 4 && len != 6 && len != 10 && len != 14 && len != 17) continue;
    if (iequals(h.name, "Host")) {
      if (host) return fail(400);
      host = &h;
    } else if (iequals(h.name, "Expect")) {
      if (!expect) expect = &h;
    } else if (iequals(h.name, "Content-Length")) {
      if (have_cl) return fail(400); // even two equal values: Apache refuses
      have_cl = true;
      if (!parse_content_length(h.value, req.content_length)) return fail(400);
    } else if (iequals(h.name, "Transfer-Encoding")) {
      have_te = true;
      if (trim(h.value).empty()) return fail(400);
      for_each_token(h.value, [&](std::string_view tok) { te_chunked_last = iequals(tok, "chunked"); });
    } else if (iequals(h.name, "Connection")) {
      for_each_token(h.value, [&](std::string_view tok) {
        if (iequals(tok, "close"))
          close = true;
        else if (iequals(tok, "keep-alive"))
          req.keep_alive_sent = true;
      });
    }
  }
  if (host) {
    std::string_view hh, hp;
    if (!split_host(host->value, strict, hh, hp)) return fail(400);
    if (!req.absolute_uri && req.method != Method::Connect) {
      req.host = hh;
      req.port = hp;
    }
  } else if (req.version() >= 1001) {
    return fail(400);
  }
  if (have_te) {
    // Only chunked as the final coding frames a request body (RFC 9112 §6.3); it overrides
    // Content-Length, and the connection is closed afterwards so a smuggled tail is never read.
    if (!te_chunked_last) return fail(400);
    req.body = BodyKind::Chunked;
    if (have_cl) {
      req.must_close = true;
      req.content_length = 0;
    }
  } else if (have_cl && req.content_length > 0) {
    req.body = BodyKind::Length;
  }
  if (req.version() >= 1001)
    req.keep_alive = !close;
  else if (req.version() == 1000)
    req.keep_alive = req.keep_alive_sent && !close;
  if (req.must_close) req.keep_alive = false;

  if (const Header* e = expect; e && !e->value.empty()) {
    if (iequals(e->value, "100-continue")) {
      req.expect_continue = req.version() >= 1001;
      req.expect_100 = true;
    } else {
      error_.expect = e->value;
      return fail(417);
    }
  }
  if (opts_->registered_methods && req.method == Method::Other) return fail(501);
  return Result::Done;
}

} // namespace balancerd::http
