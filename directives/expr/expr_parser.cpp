// ap_expr parser. Apache parses expressions with a bison LALR(1) parser, and its messages
// ("syntax error, unexpected T_ID, expecting $end") depend on where that automaton detects the
// error and which tokens the state could shift. This recursive-descent parser follows the same
// grammar and reports each error at the point, and with the expected-token list, that the LALR
// automaton (with its default reductions) would; a PEG would detect errors elsewhere.
//
// Apache's two message channels are kept: `syntax_` (the bison message; parsing stops) and
// `semantic_` (set while building nodes: unknown variable/function/operator, bad subnet; parsing
// goes on). The final text is "syntax: semantic", or whichever exists.
#include "directives/ci_string.hpp"
#include "directives/expr/expr.hpp"
#include "directives/expr/expr_lexer.hpp"
#include "directives/model/ip_subnet.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <utility>

namespace balancerd::directives::expr {
namespace {

using detail::Lexer;
using detail::Tok;
using detail::Token;

template <std::size_t N> bool in_list(const std::string_view (&list)[N], std::string_view name) {
  return std::any_of(std::begin(list), std::end(list), [&](std::string_view v) { return ci_equal(v, name); });
}

// Variables of the core expression provider, mod_ssl (SSL_*, HTTPS) and mod_http2 (HTTP2), as
// apache2 2.4.71 accepts them (checked one by one with apache2 -t).
constexpr std::string_view kVariables[] = {"HTTP_ACCEPT",
                                           "HTTP_COOKIE",
                                           "HTTP_FORWARDED",
                                           "HTTP_HOST",
                                           "HTTP_PROXY_CONNECTION",
                                           "HTTP_REFERER",
                                           "HTTP_USER_AGENT",
                                           "REQUEST_METHOD",
                                           "REQUEST_SCHEME",
                                           "REQUEST_URI",
                                           "REQUEST_FILENAME",
                                           "REMOTE_HOST",
                                           "REMOTE_IDENT",
                                           "REMOTE_USER",
                                           "SERVER_ADMIN",
                                           "SERVER_NAME",
                                           "SERVER_PORT",
                                           "SERVER_PROTOCOL",
                                           "SCRIPT_FILENAME",
                                           "PATH_INFO",
                                           "QUERY_STRING",
                                           "IS_SUBREQ",
                                           "DOCUMENT_ROOT",
                                           "AUTH_TYPE",
                                           "THE_REQUEST",
                                           "CONTENT_TYPE",
                                           "HANDLER",
                                           "REQUEST_LOG_ID",
                                           "SCRIPT_USER",
                                           "SCRIPT_GROUP",
                                           "DOCUMENT_URI",
                                           "LAST_MODIFIED",
                                           "CONTEXT_PREFIX",
                                           "CONTEXT_DOCUMENT_ROOT",
                                           "REQUEST_STATUS",
                                           "REMOTE_ADDR",
                                           "REMOTE_PORT",
                                           "HTTPS",
                                           "IPV6",
                                           "CONN_LOG_ID",
                                           "CONN_REMOTE_ADDR",
                                           "TIME_YEAR",
                                           "TIME_MON",
                                           "TIME_DAY",
                                           "TIME_HOUR",
                                           "TIME_MIN",
                                           "TIME_SEC",
                                           "TIME_WDAY",
                                           "TIME",
                                           "SERVER_SOFTWARE",
                                           "API_VERSION",
                                           "HTTP2"};

constexpr std::string_view kFunctions[] = {"req",  "http",     "req_novary", "resp",     "reqenv", "osenv",
                                           "note", "env",      "tolower",    "toupper",  "escape", "unescape",
                                           "file", "filesize", "base64",     "unbase64", "sha1",   "md5"};
constexpr std::string_view kExtraFunctions[] = {"ldap"};
constexpr std::string_view kListFunctions[] = {"PeerExtList"};
constexpr std::string_view kUnaryOps[] = {"n", "z", "R", "T", "d", "e", "f",
                                          "s", "L", "h", "x", "F", "U", "A"};
constexpr std::string_view kBinaryOps[] = {"ipmatch", "strmatch", "strcmatch", "fnmatch"};

Node make(Kind k, std::string text = {}) {
  Node n;
  n.kind = k;
  n.text = std::move(text);
  return n;
}

Node make2(Kind k, Node a, Node b) {
  Node n = make(k);
  n.children.push_back(std::move(a));
  n.children.push_back(std::move(b));
  return n;
}

// Thrown to unwind once the parse has failed; the message is already recorded.
struct Abort {};

class Parser {
public:
  Parser(std::string_view text, bool string_mode) : lexer_(text, string_mode) {}

  ParseResult run_bool(std::string_view source) {
    ParseResult r;
    try {
      Node root = parse_or();
      if (la().tok != Tok::End) syntax_error({Tok::End});
      if (semantic_.empty()) {
        auto e = std::make_shared<Expr>();
        e->source = std::string(source);
        e->is_bool = true;
        e->root = std::move(root);
        r.expr = std::move(e);
        return r;
      }
    } catch (const Abort&) {
    }
    r.error = message();
    return r;
  }

  ParseResult run_string(std::string_view source) {
    ParseResult r;
    try {
      Node root;
      if (la().tok == Tok::End) {
        root = make(Kind::String);
      } else {
        root = parse_string_parts(true);
        if (la().tok != Tok::End) syntax_error({Tok::End});
      }
      if (semantic_.empty()) {
        auto e = std::make_shared<Expr>();
        e->source = std::string(source);
        e->is_bool = false;
        e->root = std::move(root);
        r.expr = std::move(e);
        return r;
      }
    } catch (const Abort&) {
    }
    r.error = message();
    return r;
  }

private:
  const Token& la() {
    if (!have_la_) {
      la_ = lexer_.next();
      if (la_.tok == Tok::Error) semantic_ = lexer_.error();
      have_la_ = true;
    }
    return la_;
  }
  Token shift() {
    la();
    have_la_ = false;
    return std::move(la_);
  }

  std::string message() const {
    if (syntax_.empty()) return semantic_;
    if (semantic_.empty()) return syntax_;
    return syntax_ + ": " + semantic_;
  }

  // bison lists the expected tokens only when there are at most four of them.
  [[noreturn]] void syntax_error(std::initializer_list<Tok> expected = {}) {
    syntax_ = "syntax error, unexpected ";
    syntax_ += detail::token_name(la().tok);
    bool first = true;
    for (Tok t : expected) {
      syntax_ += first ? ", expecting " : " or ";
      syntax_ += detail::token_name(t);
      first = false;
    }
    throw Abort{};
  }
  // A T_ERROR token where the grammar accepts one: bison aborts without a message of its own.
  [[noreturn]] void silent_abort() { throw Abort{}; }

  static bool starts_word(Tok t) {
    return t == Tok::Digit || t == Tok::StrBegin || t == Tok::VarBegin || t == Tok::Backref || t == Tok::Id;
  }

  // expr: expr || expr (right associative, lowest)
  Node parse_or() {
    Node left = parse_and();
    if (la().tok != Tok::OpOr) return left;
    shift();
    Node right = parse_or();
    return make2(Kind::Or, std::move(left), std::move(right));
  }

  Node parse_and() {
    Node left = parse_not();
    if (la().tok != Tok::OpAnd) return left;
    shift();
    Node right = parse_and();
    return make2(Kind::And, std::move(left), std::move(right));
  }

  Node parse_not() {
    switch (la().tok) {
    case Tok::True:
      shift();
      return make(Kind::True);
    case Tok::False:
      shift();
      return make(Kind::False);
    case Tok::OpNot: {
      shift();
      Node n = make(Kind::Not);
      n.children.push_back(parse_not());
      return n;
    }
    case Tok::LParen: {
      shift();
      Node inner = parse_or();
      if (la().tok != Tok::RParen) syntax_error({Tok::OpOr, Tok::OpAnd, Tok::RParen});
      shift();
      return inner;
    }
    case Tok::OpUnary: {
      std::string op = shift().text;
      Node arg = parse_word();
      return make_unary(std::move(op), std::move(arg));
    }
    case Tok::Error:
      silent_abort();
    default:
      break;
    }
    if (!starts_word(la().tok)) syntax_error();
    Node left = parse_word();
    return parse_comparison(std::move(left));
  }

  Node parse_comparison(Node left) {
    const Tok t = la().tok;
    Cmp cmp;
    switch (t) {
    case Tok::OpEq:
      cmp = Cmp::NumEq;
      break;
    case Tok::OpNe:
      cmp = Cmp::NumNe;
      break;
    case Tok::OpLt:
      cmp = Cmp::NumLt;
      break;
    case Tok::OpLe:
      cmp = Cmp::NumLe;
      break;
    case Tok::OpGt:
      cmp = Cmp::NumGt;
      break;
    case Tok::OpGe:
      cmp = Cmp::NumGe;
      break;
    case Tok::OpStrEq:
      cmp = Cmp::StrEq;
      break;
    case Tok::OpStrNe:
      cmp = Cmp::StrNe;
      break;
    case Tok::OpStrLt:
      cmp = Cmp::StrLt;
      break;
    case Tok::OpStrLe:
      cmp = Cmp::StrLe;
      break;
    case Tok::OpStrGt:
      cmp = Cmp::StrGt;
      break;
    case Tok::OpStrGe:
      cmp = Cmp::StrGe;
      break;
    case Tok::OpReg:
      cmp = Cmp::RegexMatch;
      break;
    case Tok::OpNre:
      cmp = Cmp::RegexNoMatch;
      break;
    case Tok::OpIn:
      cmp = Cmp::In;
      break;
    case Tok::OpBinary: {
      std::string op = shift().text;
      Node right = parse_word();
      return make_binary(std::move(op), std::move(left), std::move(right));
    }
    default:
      syntax_error();
    }
    shift();
    Node right;
    if (cmp == Cmp::RegexMatch || cmp == Cmp::RegexNoMatch) {
      right = parse_regex();
    } else if (cmp == Cmp::In) {
      right = parse_wordlist();
    } else {
      right = parse_word();
    }
    Node n = make2(Kind::Compare, std::move(left), std::move(right));
    n.cmp = cmp;
    return n;
  }

  Node parse_regex() {
    const Tok t = la().tok;
    if (t != Tok::Regex && t != Tok::RegexI) syntax_error({Tok::Regex, Tok::RegexI});
    Node n = make(Kind::Regex, shift().text);
    n.icase = t == Tok::RegexI;
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(n.text.data()), n.text.size(),
                                     n.icase ? PCRE2_CASELESS : 0, &err, &off, nullptr);
    if (!code) {
      // Apache sets the main error and leaves through bison's error recovery, which aborts.
      syntax_ = "Failed to compile regular expression";
      throw Abort{};
    }
    pcre2_code_free(code);
    return n;
  }

  Node parse_wordlist() {
    if (la().tok == Tok::LBrace) {
      shift();
      Node list = make(Kind::List);
      list.children.push_back(parse_word());
      for (;;) {
        if (la().tok == Tok::Comma) {
          shift();
          list.children.push_back(parse_word());
        } else if (la().tok == Tok::RBrace) {
          shift();
          return list;
        } else {
          syntax_error({Tok::RBrace, Tok::Comma});
        }
      }
    }
    if (la().tok != Tok::Id) syntax_error({Tok::Id, Tok::LBrace});
    std::string name = shift().text;
    Node arg = parse_call_argument();
    if (!in_list(kListFunctions, name)) semantic_ = "List-returning function '" + name + "' does not exist";
    Node n = make(Kind::ListFunc, std::move(name));
    n.children.push_back(std::move(arg));
    return n;
  }

  // '(' word ')' after a function name.
  Node parse_call_argument() {
    if (la().tok != Tok::LParen) syntax_error({Tok::LParen});
    shift();
    Node arg = parse_word();
    if (la().tok != Tok::RParen) syntax_error({Tok::OpConcat, Tok::RParen});
    shift();
    return arg;
  }

  // word: a primary, then '.' word (right associative).
  Node parse_word() {
    Node left = parse_word_primary();
    if (la().tok != Tok::OpConcat) return left;
    shift();
    Node right = parse_word();
    return make2(Kind::Concat, std::move(left), std::move(right));
  }

  Node parse_word_primary() {
    switch (la().tok) {
    case Tok::Digit:
      return make(Kind::Digit, shift().text);
    case Tok::Backref:
      return make_backref(shift().text);
    case Tok::VarBegin:
      return parse_var();
    case Tok::StrBegin: {
      shift();
      if (la().tok == Tok::StrEnd) {
        shift();
        return make(Kind::String);
      }
      Node s = parse_string_parts(false);
      if (la().tok != Tok::StrEnd) syntax_error({Tok::String, Tok::Backref, Tok::StrEnd, Tok::VarBegin});
      shift();
      return s;
    }
    case Tok::Id: {
      std::string name = shift().text;
      Node arg = parse_call_argument();
      if (!is_known_function(name)) semantic_ = "Function '" + name + "' does not exist";
      Node n = make(Kind::StrFunc, std::move(name));
      n.children.push_back(std::move(arg));
      return n;
    }
    default:
      syntax_error();
    }
  }

  // string: strpart+ where strpart is T_STRING, a variable or a backreference. A T_ERROR where
  // the string starts ends the parse silently (Apache's grammar accepts it there).
  Node parse_string_parts(bool top_level) {
    Node acc;
    bool have = false;
    for (;;) {
      Node part;
      const Tok t = la().tok;
      if (t == Tok::String) {
        part = make(Kind::String, shift().text);
      } else if (t == Tok::VarBegin) {
        part = parse_var();
      } else if (t == Tok::Backref) {
        part = make_backref(shift().text);
      } else if (!have) {
        if (t == Tok::Error) silent_abort();
        if (top_level) syntax_error();
        syntax_error({Tok::Error, Tok::String, Tok::Backref, Tok::VarBegin});
      } else {
        return acc;
      }
      acc = have ? make2(Kind::Concat, std::move(acc), std::move(part)) : std::move(part);
      have = true;
    }
  }

  Node parse_var() {
    shift(); // %{
    if (la().tok != Tok::Id) syntax_error({Tok::Id});
    std::string name = shift().text;
    if (la().tok == Tok::VarEnd) {
      shift();
      if (!is_known_variable(name)) semantic_ = "Variable '" + name + "' does not exist";
      return make(Kind::Var, std::move(name));
    }
    if (la().tok != Tok::Colon) syntax_error({Tok::VarEnd, Tok::Colon});
    shift();
    Node arg = parse_string_parts(false);
    if (la().tok != Tok::VarEnd) syntax_error({Tok::String, Tok::Backref, Tok::VarBegin, Tok::VarEnd});
    shift();
    if (!is_known_function(name)) semantic_ = "Function '" + name + "' does not exist";
    Node n = make(Kind::VarFunc, std::move(name));
    n.children.push_back(std::move(arg));
    return n;
  }

  static Node make_backref(const std::string& digit) {
    Node n = make(Kind::Backref);
    n.number = digit.empty() ? 0 : digit[0] - '0';
    return n;
  }

  // -R and -ipmatch take a constant network, checked when the expression is parsed.
  void check_subnet_operand(const std::string& op, const Node& arg) {
    if (arg.kind != Kind::String) {
      semantic_ = "-" + op + " requires subnet/netmask as constant argument";
      return;
    }
    if (!parse_ip_subnet(arg.text).subnet) semantic_ = "parsing of subnet/netmask failed";
  }

  Node make_unary(std::string op, Node arg) {
    if (!is_known_unary_op(op)) {
      semantic_ = "Unary operator '-" + op + "' does not exist";
    } else if (ci_equal(op, "R")) {
      check_subnet_operand(op, arg);
    }
    Node n = make(Kind::Unary, std::move(op));
    n.children.push_back(std::move(arg));
    return n;
  }

  Node make_binary(std::string op, Node left, Node right) {
    if (!is_known_binary_op(op)) {
      semantic_ = "Binary operator '-" + op + "' does not exist";
    } else if (ci_equal(op, "ipmatch")) {
      check_subnet_operand(op, right);
    }
    Node n = make2(Kind::Binary, std::move(left), std::move(right));
    n.text = std::move(op);
    return n;
  }

  Lexer lexer_;
  Token la_;
  bool have_la_ = false;
  std::string syntax_;
  std::string semantic_;
};

} // namespace

bool is_known_variable(std::string_view name) {
  return in_list(kVariables, name) || ci_starts_with(name, "SSL_");
}

bool is_known_function(std::string_view name) {
  return in_list(kFunctions, name) || in_list(kExtraFunctions, name);
}

bool is_known_unary_op(std::string_view name) {
  // Unary operators are single letters and, unlike the rest, case-sensitive ("-r" is unknown).
  return std::find(std::begin(kUnaryOps), std::end(kUnaryOps), name) != std::end(kUnaryOps);
}

bool is_known_binary_op(std::string_view name) {
  return in_list(kBinaryOps, name);
}

ParseResult parse(std::string_view text) {
  return Parser(text, false).run_bool(text);
}

ParseResult parse_string(std::string_view text) {
  return Parser(text, true).run_string(text);
}

} // namespace balancerd::directives::expr
