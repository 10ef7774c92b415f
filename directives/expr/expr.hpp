#pragma once
// ap_expr: Apache's expression language (<If>, Require expr, Header ... expr=, SetEnvIfExpr,
// ProxyHCExpr). parse() turns the text into a plain tree the runtime evaluates later; errors carry
// Apache's own texts (the bison/flex messages of Apache's parser, reproduced, not its code).
//
// Checked against apache2 2.4.71 (tests/expr_apache_oracle_test.cpp): syntax errors with bison's
// "unexpected X[, expecting Y or Z]" at the same token, scanner errors ("Parse error near '$'",
// "Unterminated string or variable", "Invalid character in variable name", "Bad escape sequence",
// "Escape sequence out of bound"), unknown variable/function/operator, regex and -ipmatch/-R
// subnet checks, and how these combine ("syntax error, unexpected $end: Variable 'X' does not exist").
// Known differences:
//  - Variables and functions are those of a server with mod_ssl (SSL_*, HTTPS, PeerExtList) and
//    mod_http2 (HTTP2) loaded, whether or not they are; ldap() is always known.
//  - A quote inside %{NAME:arg} makes Apache's scanner abort the process ("flex scanner jammed");
//    here it is an ordinary string character.
//  - Where two semantic errors occur, the last one wins as in Apache, but the exact order of
//    bison's reductions with lookahead is approximated by source order.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives::expr {

enum class Kind {
  // boolean nodes
  True,
  False,
  Not,     // children[0]
  And,     // children[0] && children[1]
  Or,      // children[0] || children[1]
  Compare, // children[0] <cmp> children[1]; for RegexMatch/RegexNoMatch children[1] is a Regex
  Unary,   // -name children[0]        (text = operator name without '-', e.g. "n", "R")
  Binary,  // children[0] -name children[1] (text = operator name without '-', e.g. "ipmatch")
  // word / string nodes
  String,   // literal text (escapes already applied)
  Digit,    // integer literal as written (may start with '-')
  Concat,   // children[0] . children[1] (also implicit within quoted strings)
  Var,      // %{NAME}                  (text = NAME as written; lookups are case-insensitive)
  VarFunc,  // %{NAME:arg}              (text = NAME, children[0] = arg string)
  StrFunc,  // name(word)               (text = function name as written)
  ListFunc, // name(word) after -in     (text = function name as written)
  List,     // {w1, w2, ...}            (children in source order)
  Regex,    // /re/ or m#re#            (text = pattern, icase = trailing 'i')
  Backref,  // $0..$9                   (number)
};

enum class Cmp {
  NumEq,
  NumNe,
  NumLt,
  NumLe,
  NumGt,
  NumGe, // -eq -ne -lt -le -gt -ge (also eq ne lt le gt ge)
  StrEq,
  StrNe,
  StrLt,
  StrLe,
  StrGt,
  StrGe, // == (=) != < <= > >=
  RegexMatch,
  RegexNoMatch, // =~ !~
  In,           // -in (in): children[1] is a List or ListFunc
};

struct Node {
  Kind kind = Kind::True;
  Cmp cmp = Cmp::StrEq; // Compare only
  std::string text;     // see Kind
  bool icase = false;   // Regex only
  int number = 0;       // Backref only
  std::vector<Node> children;
};

struct Expr {
  std::string source;  // the text as given to parse()
  bool is_bool = true; // false: a string expression (parse_string)
  Node root;
};

struct ParseResult {
  std::shared_ptr<const Expr> expr; // set on success
  std::string error;                // Apache's message on failure, e.g. "syntax error, unexpected $end"
  bool ok() const { return expr != nullptr; }
};

// A boolean expression, as <If>, <ElseIf>, Require expr and the expr= conditions use it.
ParseResult parse(std::string_view text);
// A string expression (Header's "expr=..." value, SetEnvIfExpr's value side...): text with %{VAR},
// %{FUNC:arg}, $N interpolated, no quotes needed.
ParseResult parse_string(std::string_view text);

// Names the parser knows, for callers that validate on their own.
bool is_known_variable(std::string_view name);
bool is_known_function(std::string_view name);  // string functions: tolower(...), %{tolower:...}
bool is_known_unary_op(std::string_view name);  // "n", "z", ... (without '-')
bool is_known_binary_op(std::string_view name); // "ipmatch", "strmatch", ... (without '-')

} // namespace balancerd::directives::expr
