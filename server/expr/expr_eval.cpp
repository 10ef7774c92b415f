#include "server/expr/expr_eval.hpp"

#include "directives/ci_string.hpp"
#include "directives/model/ip_subnet.hpp"
#include "directives/model/regex.hpp"
#include "server/expr/expr_functions.hpp"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <unordered_map>

namespace balancerd::expr {
namespace {

namespace dx = directives::expr;
using directives::ci_equal;
using directives::IpSubnet;
using directives::Regex;
using Groups = std::vector<std::pair<std::size_t, std::size_t>>;

// Parsed bytes of a textual address: 4 (IPv4) or 16 (IPv6) bytes.
struct IpBytes {
  std::uint8_t bytes[16] = {};
  bool v6 = false;
};

bool parse_ip(std::string_view text, IpBytes& out) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET, buf, out.bytes) == 1) {
    out.v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, out.bytes) == 1) {
    out.v6 = true;
    return true;
  }
  return false;
}

std::int64_t now_us(const RequestFacts& f) {
  if (f.now_us) return f.now_us;
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void append_number(std::string& out, long long v, int width = 0) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%0*lld", width, v);
  out.append(buf, static_cast<std::size_t>(n));
}

// The request header an HTTP_* variable names.
std::string_view header_of_variable(std::string_view name) {
  struct Pair {
    std::string_view var, header;
  };
  static constexpr Pair kMap[] = {{"HTTP_ACCEPT", "Accept"},
                                  {"HTTP_COOKIE", "Cookie"},
                                  {"HTTP_FORWARDED", "Forwarded"},
                                  {"HTTP_HOST", "Host"},
                                  {"HTTP_PROXY_CONNECTION", "Proxy-Connection"},
                                  {"HTTP_REFERER", "Referer"},
                                  {"HTTP_USER_AGENT", "User-Agent"}};
  for (const Pair& p : kMap)
    if (ci_equal(p.var, name)) return p.header;
  return {};
}

} // namespace

struct Evaluator::Impl {
  // Scratch strings by nesting depth; unique_ptr keeps references stable as the pool grows.
  std::vector<std::unique_ptr<std::string>> pool;
  std::size_t depth = 0;
  // Compiled regexes and networks of the expressions seen, keyed by node; the text is compared on
  // each hit because a node address can be reused after a reload frees the old tree.
  std::unordered_map<const dx::Node*, Regex> regexes;
  std::unordered_map<const dx::Node*, std::pair<std::string, IpSubnet>> subnets;
  Groups groups;         // of the last match attempt
  std::string re_source; // subject of the last successful match
  Groups re_groups;
  std::string* error = nullptr;
  ExprContext* ctx = nullptr;

  struct Scratch {
    Impl& impl;
    std::string& s;
    explicit Scratch(Impl& i) : impl(i), s(i.acquire()) {}
    ~Scratch() { --impl.depth; }
  };
  std::string& acquire() {
    if (depth == pool.size()) pool.push_back(std::make_unique<std::string>());
    std::string& s = *pool[depth++];
    s.clear();
    return s;
  }

  const Regex* regex_of(const dx::Node& n) {
    if (regexes.size() > 4096) regexes.clear();
    auto it = regexes.find(&n);
    if (it != regexes.end() && it->second.pattern() == n.text && it->second.caseless() == n.icase)
      return &it->second;
    auto r = Regex::compile(n.text, n.icase ? Regex::Caseless : Regex::None);
    if (!r) return nullptr;
    return &(regexes.insert_or_assign(&n, std::move(*r)).first->second);
  }

  const IpSubnet* subnet_of(const dx::Node& n) {
    if (subnets.size() > 4096) subnets.clear();
    auto it = subnets.find(&n);
    if (it != subnets.end() && it->second.first == n.text) return &it->second.second;
    auto r = directives::parse_ip_subnet(n.text);
    if (!r.subnet) return nullptr;
    return &(subnets.insert_or_assign(&n, std::make_pair(n.text, *r.subnet)).first->second.second);
  }

  bool fail(std::string_view why) {
    if (error && error->empty()) error->assign(why);
    return false;
  }

  // ---- words ----

  bool word(const dx::Node& n, std::string& out) {
    switch (n.kind) {
    case dx::Kind::String:
    case dx::Kind::Digit:
      out.append(n.text);
      return true;
    case dx::Kind::Concat:
      return word(n.children[0], out) && word(n.children[1], out);
    case dx::Kind::Var:
      variable(n.text, out);
      return true;
    case dx::Kind::VarFunc:
    case dx::Kind::StrFunc: {
      Scratch arg(*this);
      if (!word(n.children[0], arg.s)) return false;
      return function(n.text, arg.s, out);
    }
    case dx::Kind::Backref: {
      const auto i = static_cast<std::size_t>(n.number);
      if (i < re_groups.size() && re_groups[i].first != std::string_view::npos)
        out.append(re_source, re_groups[i].first, re_groups[i].second);
      return true;
    }
    case dx::Kind::True:
    case dx::Kind::False:
    case dx::Kind::Not:
    case dx::Kind::And:
    case dx::Kind::Or:
    case dx::Kind::Compare:
    case dx::Kind::Unary:
    case dx::Kind::Binary: {
      // A condition used as a word only happens for a boolean expression asked for as a string.
      bool v = false;
      if (!boolean(n, v)) return false;
      out.append(v ? "true" : "false");
      return true;
    }
    case dx::Kind::List:
    case dx::Kind::ListFunc:
    case dx::Kind::Regex:
      return fail("Internal evaluation error: unexpected node");
    }
    return true;
  }

  void variable(std::string_view name, std::string& out) {
    const RequestFacts& f = ctx->facts();
    auto put = [&](std::string_view v) { out.append(v); };
    auto on_off = [&](bool b) { out.append(b ? "on" : "off"); };
    if (std::string_view h = header_of_variable(name); !h.empty()) {
      if (auto v = ctx->request_header(h)) put(*v);
      return;
    }
    if (name.size() > 4 && ci_equal(name.substr(0, 4), "SSL_")) {
      if (auto v = ctx->ssl_var(name)) put(*v);
      return;
    }
    if (name.size() >= 4 && ci_equal(name.substr(0, 4), "TIME")) {
      const std::time_t secs = static_cast<std::time_t>(now_us(f) / 1000000);
      std::tm tm{};
      localtime_r(&secs, &tm);
      if (ci_equal(name, "TIME_YEAR")) return append_number(out, tm.tm_year + 1900, 4);
      if (ci_equal(name, "TIME_MON")) return append_number(out, tm.tm_mon + 1, 2);
      if (ci_equal(name, "TIME_DAY")) return append_number(out, tm.tm_mday, 2);
      if (ci_equal(name, "TIME_HOUR")) return append_number(out, tm.tm_hour, 2);
      if (ci_equal(name, "TIME_MIN")) return append_number(out, tm.tm_min, 2);
      if (ci_equal(name, "TIME_SEC")) return append_number(out, tm.tm_sec, 2);
      if (ci_equal(name, "TIME_WDAY")) return append_number(out, tm.tm_wday);
      if (ci_equal(name, "TIME")) {
        char buf[32];
        const int n = std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900,
                                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        out.append(buf, static_cast<std::size_t>(n));
        return;
      }
    }
    if (ci_equal(name, "REQUEST_METHOD")) return put(f.method);
    if (ci_equal(name, "REQUEST_SCHEME")) return put(f.scheme);
    if (ci_equal(name, "REQUEST_URI")) return put(f.uri);
    if (ci_equal(name, "REQUEST_FILENAME") || ci_equal(name, "SCRIPT_FILENAME")) return put(f.filename);
    if (ci_equal(name, "REMOTE_HOST")) {
      if (!f.remote_host.empty()) return put(f.remote_host);
      if (f.lookup_remote_host) {
        const std::string_view found = f.lookup_remote_host(f.lookup_remote_host_arg);
        if (!found.empty()) return put(found);
      }
      return put(f.useragent_ip);
    }
    if (ci_equal(name, "REMOTE_USER")) return put(f.remote_user);
    if (ci_equal(name, "SERVER_ADMIN")) return put(f.server_admin);
    if (ci_equal(name, "SERVER_NAME")) return put(f.server_name);
    if (ci_equal(name, "SERVER_PORT")) return append_number(out, f.server_port);
    if (ci_equal(name, "SERVER_PROTOCOL")) return put(f.protocol);
    if (ci_equal(name, "PATH_INFO")) return put(f.path_info);
    if (ci_equal(name, "QUERY_STRING")) return put(f.query);
    if (ci_equal(name, "IS_SUBREQ")) return put(f.is_subreq ? "true" : "false");
    if (ci_equal(name, "DOCUMENT_ROOT")) return put(f.document_root);
    if (ci_equal(name, "AUTH_TYPE")) return put(f.auth_type);
    if (ci_equal(name, "THE_REQUEST")) return put(f.the_request);
    if (ci_equal(name, "CONTENT_TYPE")) return put(f.content_type);
    if (ci_equal(name, "HANDLER")) return put(f.handler);
    if (ci_equal(name, "REQUEST_LOG_ID")) return put(f.request_log_id);
    if (ci_equal(name, "CONN_LOG_ID")) return put(f.conn_log_id);
    if (ci_equal(name, "DOCUMENT_URI")) return put(f.document_uri.empty() ? f.uri : f.document_uri);
    if (ci_equal(name, "CONTEXT_PREFIX")) return put(f.context_prefix);
    if (ci_equal(name, "CONTEXT_DOCUMENT_ROOT")) return put(f.context_document_root);
    if (ci_equal(name, "REQUEST_STATUS")) return append_number(out, f.status);
    if (ci_equal(name, "REMOTE_ADDR")) return put(f.useragent_ip);
    if (ci_equal(name, "REMOTE_PORT")) return append_number(out, f.remote_port);
    if (ci_equal(name, "CONN_REMOTE_ADDR")) return put(f.client_ip.empty() ? f.useragent_ip : f.client_ip);
    if (ci_equal(name, "HTTPS")) return on_off(f.https);
    if (ci_equal(name, "HTTP2")) return on_off(f.http2);
    if (ci_equal(name, "IPV6")) {
      IpBytes ip;
      return on_off(parse_ip(f.useragent_ip, ip) && ip.v6);
    }
    if (ci_equal(name, "SERVER_SOFTWARE")) return put(f.server_software);
    if (ci_equal(name, "API_VERSION")) return put("20120211:137");
    // REMOTE_IDENT, SCRIPT_USER, SCRIPT_GROUP, LAST_MODIFIED: nothing here provides them.
  }

  bool function(std::string_view name, std::string_view arg, std::string& out) {
    auto put = [&](std::optional<std::string_view> v) {
      if (v) out.append(*v);
      return true;
    };
    if (ci_equal(name, "req") || ci_equal(name, "http")) {
      ctx->add_vary(arg);
      return put(ctx->request_header(arg));
    }
    if (ci_equal(name, "req_novary")) return put(ctx->request_header(arg));
    if (ci_equal(name, "resp")) return put(ctx->response_header(arg));
    if (ci_equal(name, "reqenv")) return put(ctx->env(arg));
    if (ci_equal(name, "osenv")) return put(ctx->os_env(arg));
    if (ci_equal(name, "note")) return put(ctx->note(arg));
    if (ci_equal(name, "env")) {
      if (auto v = ctx->note(arg)) return put(v);
      if (auto v = ctx->env(arg)) return put(v);
      return put(ctx->os_env(arg));
    }
    if (ci_equal(name, "tolower")) return append_lower(out, arg), true;
    if (ci_equal(name, "toupper")) return append_upper(out, arg), true;
    if (ci_equal(name, "escape")) return append_uri_escaped(out, arg), true;
    if (ci_equal(name, "unescape")) {
      if (!append_uri_unescaped(out, arg)) out.append(arg); // Apache keeps the input on a bad escape
      return true;
    }
    if (ci_equal(name, "base64")) return append_base64(out, arg), true;
    if (ci_equal(name, "unbase64")) return append_unbase64(out, arg), true;
    if (ci_equal(name, "md5")) return append_md5_hex(out, arg), true;
    if (ci_equal(name, "sha1")) return append_sha1_hex(out, arg), true;
    if (ci_equal(name, "ldap")) return append_ldap_escaped(out, arg), true;
    if (ci_equal(name, "file") || ci_equal(name, "filesize")) {
      const std::string path(arg);
      struct stat st {};
      const bool regular = ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
      if (ci_equal(name, "filesize")) return append_number(out, regular ? st.st_size : 0), true;
      std::ifstream in(path, std::ios::binary);
      if (!regular || !in) return fail("Cannot open file " + path);
      out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      return true;
    }
    return fail("Function '" + std::string(name) + "' does not exist");
  }

  // ---- conditions ----

  bool boolean(const dx::Node& n, bool& result) {
    switch (n.kind) {
    case dx::Kind::True:
      result = true;
      return true;
    case dx::Kind::False:
      result = false;
      return true;
    case dx::Kind::Not:
      if (!boolean(n.children[0], result)) return false;
      result = !result;
      return true;
    case dx::Kind::And:
      if (!boolean(n.children[0], result)) return false;
      return !result || boolean(n.children[1], result);
    case dx::Kind::Or:
      if (!boolean(n.children[0], result)) return false;
      return result || boolean(n.children[1], result);
    case dx::Kind::Compare:
      return compare(n, result);
    case dx::Kind::Unary:
      return unary(n, result);
    case dx::Kind::Binary:
      return binary(n, result);
    default: {
      // A word where a condition belongs (string expressions evaluated as booleans): non-empty.
      Scratch s(*this);
      if (!word(n, s.s)) return false;
      result = !s.s.empty();
      return true;
    }
    }
  }

  bool regex_match(const dx::Node& re, std::string_view subject, bool& matched) {
    const Regex* r = regex_of(re);
    if (!r) return fail("Failed to compile regular expression");
    matched = r->search(subject, &groups);
    if (matched) {
      re_source.assign(subject);
      re_groups.swap(groups);
    }
    return true;
  }

  bool compare(const dx::Node& n, bool& result) {
    Scratch left(*this);
    if (!word(n.children[0], left.s)) return false;
    const dx::Node& rhs = n.children[1];
    if (n.cmp == dx::Cmp::RegexMatch || n.cmp == dx::Cmp::RegexNoMatch) {
      bool m = false;
      if (!regex_match(rhs, left.s, m)) return false;
      result = n.cmp == dx::Cmp::RegexMatch ? m : !m;
      return true;
    }
    if (n.cmp == dx::Cmp::In) {
      result = false;
      if (rhs.kind != dx::Kind::List) return true; // list functions (PeerExtList) need TLS peers: empty
      for (const dx::Node& item : rhs.children) {
        Scratch s(*this);
        if (!word(item, s.s)) return false;
        if (s.s == left.s) {
          result = true;
          break;
        }
      }
      return true;
    }
    Scratch right(*this);
    if (!word(rhs, right.s)) return false;
    const int c = left.s.compare(right.s);
    const long long a = leading_integer(left.s), b = leading_integer(right.s);
    switch (n.cmp) {
    case dx::Cmp::NumEq:
      result = a == b;
      break;
    case dx::Cmp::NumNe:
      result = a != b;
      break;
    case dx::Cmp::NumLt:
      result = a < b;
      break;
    case dx::Cmp::NumLe:
      result = a <= b;
      break;
    case dx::Cmp::NumGt:
      result = a > b;
      break;
    case dx::Cmp::NumGe:
      result = a >= b;
      break;
    case dx::Cmp::StrEq:
      result = c == 0;
      break;
    case dx::Cmp::StrNe:
      result = c != 0;
      break;
    case dx::Cmp::StrLt:
      result = c < 0;
      break;
    case dx::Cmp::StrLe:
      result = c <= 0;
      break;
    case dx::Cmp::StrGt:
      result = c > 0;
      break;
    case dx::Cmp::StrGe:
      result = c >= 0;
      break;
    default:
      result = false;
      break;
    }
    return true;
  }

  bool ip_in(std::string_view ip_text, const dx::Node& net, bool& result) {
    const IpSubnet* s = subnet_of(net);
    if (!s) return fail("parsing of subnet/netmask failed");
    IpBytes ip;
    result = parse_ip(ip_text, ip) && s->contains(ip.bytes, ip.v6);
    return true;
  }

  bool unary(const dx::Node& n, bool& result) {
    const std::string& op = n.text;
    if (op == "R") return ip_in(ctx->facts().useragent_ip, n.children[0], result);
    Scratch arg(*this);
    if (!word(n.children[0], arg.s)) return false;
    const char c = op.empty() ? '\0' : op[0];
    switch (c) {
    case 'n':
      result = !arg.s.empty();
      return true;
    case 'z':
      result = arg.s.empty();
      return true;
    case 'T':
      result = is_true_text(arg.s);
      return true;
    case 'U':
    case 'A':
      // URL access through a subrequest: there are no subrequests here.
      result = false;
      return true;
    default:
      break;
    }
    struct stat st {};
    const bool link_test = c == 'L' || c == 'h';
    const int rc = link_test ? ::lstat(arg.s.c_str(), &st) : ::stat(arg.s.c_str(), &st);
    if (rc != 0 || arg.s.empty()) {
      result = false;
      return true;
    }
    switch (c) {
    case 'd':
      result = S_ISDIR(st.st_mode);
      break;
    case 'e':
      result = true;
      break;
    case 'f':
    case 'F':
      result = S_ISREG(st.st_mode);
      break;
    case 's':
      result = S_ISREG(st.st_mode) && st.st_size > 0;
      break;
    case 'L':
    case 'h':
      result = S_ISLNK(st.st_mode);
      break;
    case 'x':
      result = !S_ISDIR(st.st_mode) && (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
      break;
    default:
      result = false;
      break;
    }
    return true;
  }

  bool binary(const dx::Node& n, bool& result) {
    Scratch left(*this);
    if (!word(n.children[0], left.s)) return false;
    if (ci_equal(n.text, "ipmatch")) return ip_in(left.s, n.children[1], result);
    Scratch right(*this);
    if (!word(n.children[1], right.s)) return false;
    int flags = 0;
    if (ci_equal(n.text, "strcmatch"))
      flags = FNM_CASEFOLD;
    else if (ci_equal(n.text, "fnmatch"))
      flags = FNM_PATHNAME;
    else if (!ci_equal(n.text, "strmatch"))
      return fail("Binary operator '-" + n.text + "' does not exist");
    // Apache's pattern is the right operand.
    result = ::fnmatch(right.s.c_str(), left.s.c_str(), flags) == 0;
    return true;
  }
};

Evaluator::Evaluator() : impl_(std::make_unique<Impl>()) {}
Evaluator::~Evaluator() = default;

std::optional<bool> Evaluator::eval_bool(const directives::expr::Expr& e, ExprContext& ctx) {
  error_.clear();
  impl_->error = &error_;
  impl_->ctx = &ctx;
  impl_->depth = 0;
  if (!keep_backrefs_) impl_->re_groups.clear();
  bool result = false;
  if (!impl_->boolean(e.root, result)) return std::nullopt;
  return result;
}

bool Evaluator::eval_string(const directives::expr::Expr& e, ExprContext& ctx, std::string& out) {
  error_.clear();
  impl_->error = &error_;
  impl_->ctx = &ctx;
  impl_->depth = 0;
  if (!keep_backrefs_) impl_->re_groups.clear();
  out.clear();
  if (e.is_bool) {
    bool b = false;
    if (!impl_->boolean(e.root, b)) return false;
    out.append(b ? "true" : "false");
    return true;
  }
  return impl_->word(e.root, out);
}

std::string_view Evaluator::backref(int n) const {
  const auto i = static_cast<std::size_t>(n);
  if (n < 0 || i >= impl_->re_groups.size() || impl_->re_groups[i].first == std::string_view::npos) return {};
  return std::string_view(impl_->re_source).substr(impl_->re_groups[i].first, impl_->re_groups[i].second);
}

Evaluator& Evaluator::this_thread() {
  thread_local Evaluator ev;
  return ev;
}

void append_pregsub(std::string& out, std::string_view pattern, std::string_view subject,
                    const Groups& groups) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '$' && i + 1 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9') {
      const auto g = static_cast<std::size_t>(pattern[++i] - '0');
      if (g < groups.size() && groups[g].first != std::string_view::npos)
        out.append(subject.substr(groups[g].first, groups[g].second));
      continue;
    }
    if (c == '\\' && i + 1 < pattern.size() && (pattern[i + 1] == '$' || pattern[i + 1] == '\\')) {
      out.push_back(pattern[++i]);
      continue;
    }
    out.push_back(c);
  }
}

} // namespace balancerd::expr
