#pragma once
// The token level of ap_expr, with the same states and tokens as Apache's scanner so that the
// parser can name tokens in its messages exactly as Apache does ("unexpected T_STR_BEGIN").
// Internal to directives/expr/.
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives::expr::detail {

enum class Tok {
  End,
  Error,
  True,
  False,
  Digit,
  Id,
  String,
  Regex,
  RegexI,
  Backref,
  OpUnary,
  OpBinary,
  StrBegin,
  StrEnd,
  VarBegin,
  VarEnd,
  OpEq,
  OpNe,
  OpLt,
  OpLe,
  OpGt,
  OpGe,
  OpReg,
  OpNre,
  OpIn,
  OpStrEq,
  OpStrNe,
  OpStrLt,
  OpStrLe,
  OpStrGt,
  OpStrGe,
  OpConcat,
  OpOr,
  OpAnd,
  OpNot,
  LParen,
  RParen,
  LBrace,
  RBrace,
  Comma,
  Colon,
};

// The name bison prints for a token.
std::string_view token_name(Tok t);

struct Token {
  Tok tok = Tok::End;
  std::string text; // Digit, Id, String, Regex*, OpUnary/OpBinary (without '-'), Backref digit
};

// Pulls one token at a time: lexical errors must surface exactly when the parser asks for the
// token, as in Apache, because the parser decides which error wins.
class Lexer {
public:
  // string_mode: the whole input is a string expression (no quotes; %{..} and $N interpolated).
  Lexer(std::string_view input, bool string_mode);
  Token next();
  // Set by the scanner together with an Error token ("Unterminated string or variable", ...).
  const std::string& error() const { return error_; }

private:
  enum class State { Initial, Str, Var, VarArg, TopStr };
  Token lex_initial();
  Token lex_string_like(char delim); // Str, VarArg, TopStr
  Token lex_var();
  Token lex_regex(char delim);
  Token fail(std::string msg);

  std::string_view in_;
  std::size_t pos_ = 0;
  std::vector<State> states_;
  std::vector<char> delims_; // quote character of each open Str
  std::vector<Token> pending_;
  std::string error_;
};

} // namespace balancerd::directives::expr::detail
