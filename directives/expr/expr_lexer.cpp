#include "directives/expr/expr_lexer.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace balancerd::directives::expr::detail {
namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident(char c) {
  return is_alpha(c) || is_digit(c) || c == '_';
}

// Characters that may follow 'm' to open a regex ("m#...#").
constexpr std::string_view kRegexDelims = "/#$%^,;:_?|-!.'\"";

struct Keyword {
  std::string_view word;
  Tok tok;
};
constexpr std::array<Keyword, 13> kWords = {{
    {"and", Tok::OpAnd},
    {"or", Tok::OpOr},
    {"not", Tok::OpNot},
    {"lt", Tok::OpLt},
    {"le", Tok::OpLe},
    {"gt", Tok::OpGt},
    {"ge", Tok::OpGe},
    {"ne", Tok::OpNe},
    {"eq", Tok::OpEq},
    {"in", Tok::OpIn},
    {"true", Tok::True},
    {"false", Tok::False},
    {"", Tok::End},
}};
constexpr std::array<Keyword, 7> kDashWords = {{
    {"in", Tok::OpIn},
    {"eq", Tok::OpEq},
    {"ne", Tok::OpNe},
    {"ge", Tok::OpGe},
    {"le", Tok::OpLe},
    {"gt", Tok::OpGt},
    {"lt", Tok::OpLt},
}};

} // namespace

std::string_view token_name(Tok t) {
  switch (t) {
  case Tok::End:
    return "$end";
  case Tok::Error:
    return "T_ERROR";
  case Tok::True:
    return "T_TRUE";
  case Tok::False:
    return "T_FALSE";
  case Tok::Digit:
    return "T_DIGIT";
  case Tok::Id:
    return "T_ID";
  case Tok::String:
    return "T_STRING";
  case Tok::Regex:
    return "T_REGEX";
  case Tok::RegexI:
    return "T_REGEX_I";
  case Tok::Backref:
    return "T_REGEX_BACKREF";
  case Tok::OpUnary:
    return "T_OP_UNARY";
  case Tok::OpBinary:
    return "T_OP_BINARY";
  case Tok::StrBegin:
    return "T_STR_BEGIN";
  case Tok::StrEnd:
    return "T_STR_END";
  case Tok::VarBegin:
    return "T_VAR_BEGIN";
  case Tok::VarEnd:
    return "T_VAR_END";
  case Tok::OpEq:
    return "T_OP_EQ";
  case Tok::OpNe:
    return "T_OP_NE";
  case Tok::OpLt:
    return "T_OP_LT";
  case Tok::OpLe:
    return "T_OP_LE";
  case Tok::OpGt:
    return "T_OP_GT";
  case Tok::OpGe:
    return "T_OP_GE";
  case Tok::OpReg:
    return "T_OP_REG";
  case Tok::OpNre:
    return "T_OP_NRE";
  case Tok::OpIn:
    return "T_OP_IN";
  case Tok::OpStrEq:
    return "T_OP_STR_EQ";
  case Tok::OpStrNe:
    return "T_OP_STR_NE";
  case Tok::OpStrLt:
    return "T_OP_STR_LT";
  case Tok::OpStrLe:
    return "T_OP_STR_LE";
  case Tok::OpStrGt:
    return "T_OP_STR_GT";
  case Tok::OpStrGe:
    return "T_OP_STR_GE";
  case Tok::OpConcat:
    return "T_OP_CONCAT";
  case Tok::OpOr:
    return "T_OP_OR";
  case Tok::OpAnd:
    return "T_OP_AND";
  case Tok::OpNot:
    return "T_OP_NOT";
  case Tok::LParen:
    return "'('";
  case Tok::RParen:
    return "')'";
  case Tok::LBrace:
    return "'{'";
  case Tok::RBrace:
    return "'}'";
  case Tok::Comma:
    return "','";
  case Tok::Colon:
    return "':'";
  }
  return "$undefined";
}

Lexer::Lexer(std::string_view input, bool string_mode) : in_(input) {
  states_.push_back(string_mode ? State::TopStr : State::Initial);
}

Token Lexer::fail(std::string msg) {
  error_ = std::move(msg);
  return {Tok::Error, {}};
}

Token Lexer::next() {
  if (!pending_.empty()) {
    Token t = std::move(pending_.front());
    pending_.erase(pending_.begin());
    return t;
  }
  switch (states_.back()) {
  case State::Initial:
    return lex_initial();
  case State::Str:
    return lex_string_like(delims_.back());
  case State::VarArg:
    return lex_string_like('}');
  case State::TopStr:
    return lex_string_like('\0');
  case State::Var:
    return lex_var();
  }
  return {};
}

Token Lexer::lex_initial() {
  while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n')) ++pos_;
  if (pos_ >= in_.size()) return {Tok::End, {}};
  const char c = in_[pos_];
  const char d = pos_ + 1 < in_.size() ? in_[pos_ + 1] : '\0';
  auto two = [&](Tok t) {
    pos_ += 2;
    return Token{t, {}};
  };
  auto one = [&](Tok t) {
    pos_ += 1;
    return Token{t, {}};
  };
  if (c == '\'' || c == '"') {
    ++pos_;
    states_.push_back(State::Str);
    delims_.push_back(c);
    return {Tok::StrBegin, {}};
  }
  if (c == '%' && d == '{') {
    states_.push_back(State::Var);
    return two(Tok::VarBegin);
  }
  if (c == '$' && is_digit(d)) {
    pos_ += 2;
    return {Tok::Backref, std::string(1, d)};
  }
  if (c == '=' && d == '=') return two(Tok::OpStrEq);
  if (c == '=' && d == '~') return two(Tok::OpReg);
  if (c == '=') return one(Tok::OpStrEq);
  if (c == '!' && d == '=') return two(Tok::OpStrNe);
  if (c == '!' && d == '~') return two(Tok::OpNre);
  if (c == '!') return one(Tok::OpNot);
  if (c == '<' && d == '=') return two(Tok::OpStrLe);
  if (c == '<') return one(Tok::OpStrLt);
  if (c == '>' && d == '=') return two(Tok::OpStrGe);
  if (c == '>') return one(Tok::OpStrGt);
  if (c == '&' && d == '&') return two(Tok::OpAnd);
  if (c == '|' && d == '|') return two(Tok::OpOr);
  if (c == '.') return one(Tok::OpConcat);
  if (c == '/') {
    ++pos_;
    return lex_regex('/');
  }
  if (c == '-' && (is_alpha(d) || d == '_')) {
    std::size_t e = pos_ + 2;
    while (e < in_.size() && is_ident(in_[e])) ++e;
    std::string name(in_.substr(pos_ + 1, e - pos_ - 1));
    pos_ = e;
    if (name.size() == 1) return {Tok::OpUnary, name};
    for (const auto& k : kDashWords)
      if (k.word == name) return {k.tok, {}};
    return {Tok::OpBinary, name};
  }
  if (is_digit(c) || (c == '-' && is_digit(d))) {
    std::size_t e = pos_ + 1;
    while (e < in_.size() && is_digit(in_[e])) ++e;
    Token t{Tok::Digit, std::string(in_.substr(pos_, e - pos_))};
    pos_ = e;
    return t;
  }
  if (is_alpha(c)) {
    std::size_t e = pos_ + 1;
    while (e < in_.size() && is_ident(in_[e])) ++e;
    // "m" + delimiter opens a regex unless a longer identifier matches (flex's longest match;
    // on a tie the regex rule comes first).
    if (c == 'm' && d != '\0' && kRegexDelims.find(d) != std::string_view::npos && e - pos_ <= 2) {
      pos_ += 2;
      return lex_regex(d);
    }
    std::string word(in_.substr(pos_, e - pos_));
    pos_ = e;
    for (const auto& k : kWords)
      if (!k.word.empty() && k.word == word) return {k.tok, {}};
    return {Tok::Id, word};
  }
  switch (c) {
  case '(':
    return one(Tok::LParen);
  case ')':
    return one(Tok::RParen);
  case '{':
    return one(Tok::LBrace);
  case '}':
    return one(Tok::RBrace);
  case ',':
    return one(Tok::Comma);
  case ':':
    return one(Tok::Colon);
  default:
    break;
  }
  ++pos_;
  return fail(std::string("Parse error near '") + c + "'");
}

// Regex bodies have no escapes: the first delimiter ends them. At the end of input the scanner
// just stops, so the parser reports "unexpected $end".
Token Lexer::lex_regex(char delim) {
  std::size_t e = in_.find(delim, pos_);
  if (e == std::string_view::npos) {
    pos_ = in_.size();
    return {Tok::End, {}};
  }
  Token t{Tok::Regex, std::string(in_.substr(pos_, e - pos_))};
  pos_ = e + 1;
  if (pos_ < in_.size() && in_[pos_] == 'i') {
    ++pos_;
    t.tok = Tok::RegexI;
  }
  return t;
}

Token Lexer::lex_var() {
  if (pos_ >= in_.size()) return fail("Unterminated string or variable");
  const char c = in_[pos_];
  if (is_alpha(c)) {
    std::size_t e = pos_ + 1;
    while (e < in_.size() && is_ident(in_[e])) ++e;
    Token t{Tok::Id, std::string(in_.substr(pos_, e - pos_))};
    pos_ = e;
    return t;
  }
  if (c == ':') {
    ++pos_;
    states_.back() = State::VarArg;
    return {Tok::Colon, {}};
  }
  if (c == '}') {
    ++pos_;
    states_.pop_back();
    return {Tok::VarEnd, {}};
  }
  ++pos_;
  return fail(std::string("Invalid character in variable name '") + c + "'");
}

// Quoted strings, %{NAME:arg} arguments and whole string expressions: literal text with %{...}
// and $N inside, and backslash escapes. Text collected so far is returned as T_STRING before the
// token that ends it; on an error the collected text is dropped, as Apache's scanner does.
Token Lexer::lex_string_like(char delim) {
  std::string buf;
  auto flush_then = [&](Token after) {
    if (buf.empty()) return after;
    pending_.push_back(std::move(after));
    return Token{Tok::String, std::move(buf)};
  };
  while (pos_ < in_.size()) {
    const char c = in_[pos_];
    const char d = pos_ + 1 < in_.size() ? in_[pos_ + 1] : '\0';
    if (delim != '\0' && c == delim) {
      ++pos_;
      if (states_.back() == State::VarArg) {
        states_.pop_back(); // the VarArg state replaced the Var state
        return flush_then({Tok::VarEnd, {}});
      }
      states_.pop_back();
      delims_.pop_back();
      return flush_then({Tok::StrEnd, {}});
    }
    if (c == '%' && d == '{') {
      pos_ += 2;
      states_.push_back(State::Var);
      return flush_then({Tok::VarBegin, {}});
    }
    if (c == '$' && is_digit(d)) {
      pos_ += 2;
      return flush_then({Tok::Backref, std::string(1, d)});
    }
    if (c == '\\' && pos_ + 1 < in_.size()) {
      if (d >= '0' && d <= '9') {
        std::size_t e = pos_ + 1;
        while (e < in_.size() && is_digit(in_[e])) ++e;
        std::string_view digits = in_.substr(pos_ + 1, e - pos_ - 1);
        const bool octal = digits.size() <= 3 && digits.find_first_of("89") == std::string_view::npos;
        pos_ = e;
        if (!octal) return fail("Bad escape sequence");
        int v = 0;
        for (char o : digits) v = v * 8 + (o - '0');
        if (v > 0xff) return fail("Escape sequence out of bound");
        buf += static_cast<char>(v);
        continue;
      }
      pos_ += 2;
      switch (d) {
      case 'n':
        buf += '\n';
        break;
      case 'r':
        buf += '\r';
        break;
      case 't':
        buf += '\t';
        break;
      case 'b':
        buf += '\b';
        break;
      case 'f':
        buf += '\f';
        break;
      default:
        buf += d;
        break;
      }
      continue;
    }
    buf += c;
    ++pos_;
  }
  if (states_.back() == State::TopStr) return flush_then({Tok::End, {}});
  return fail("Unterminated string or variable");
}

} // namespace balancerd::directives::expr::detail
