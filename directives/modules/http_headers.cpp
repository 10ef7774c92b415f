// mod_headers: Header and RequestHeader, compiled into HeaderRule values with Apache's messages.
#include "directives/modules/http_headers.hpp"

#include "directives/modules/http_util.hpp"
#include "parser/words.hpp"

#include <array>

namespace balancerd::directives::http {
namespace {

struct ActionName {
  std::string_view name;
  HeaderAction action;
};
constexpr std::array<ActionName, 10> kActions = {{
    {"set", HeaderAction::Set},
    {"setifempty", HeaderAction::SetIfEmpty},
    {"append", HeaderAction::Append},
    {"merge", HeaderAction::Merge},
    {"add", HeaderAction::Add},
    {"unset", HeaderAction::Unset},
    {"echo", HeaderAction::Echo},
    {"edit", HeaderAction::Edit},
    {"edit*", HeaderAction::EditAll},
    {"note", HeaderAction::Note},
}};

constexpr std::string_view kBadAction = "first argument must be 'add', 'set', 'setifempty', 'append', "
                                        "'merge', 'unset', 'echo', 'note', 'edit', or "
                                        "'edit*'.";

Result parse_condition(const std::string& clause, HeaderCondition& cond) {
  if (ci_equal(clause, "early")) {
    cond.kind = HeaderCondition::Kind::Early;
  } else if (ci_starts_with(clause, "env=")) {
    std::string_view name = std::string_view(clause).substr(4);
    if (name.empty() || name == "!")
      return "error: missing environment variable name. envclause should be in the form env=envar ";
    cond.kind = HeaderCondition::Kind::Env;
    cond.env_negated = name.front() == '!';
    cond.env = std::string(cond.env_negated ? name.substr(1) : name);
  } else if (ci_starts_with(clause, "expr=")) {
    auto r = expr::parse(std::string_view(clause).substr(5));
    if (!r.ok()) return "Can't parse envclause/expression: " + r.error;
    cond.kind = HeaderCondition::Kind::Expr;
    cond.expr = r.expr;
  } else {
    return "Unknown parameter: " + clause;
  }
  return std::nullopt;
}

} // namespace

Result parse_header_format(std::string_view text, std::vector<HeaderFormatItem>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '%') {
      std::size_t j = text.find('%', i);
      if (j == std::string_view::npos) j = text.size();
      out.push_back({HeaderFormatItem::Kind::Literal, std::string(text.substr(i, j - i))});
      i = j;
      continue;
    }
    ++i; // '%'
    // "%%" and a '%' at the very end stand for a literal '%'.
    if (i >= text.size() || text[i] == '%') {
      out.push_back({HeaderFormatItem::Kind::Literal, "%"});
      if (i < text.size()) ++i;
      continue;
    }
    std::string arg;
    if (text[i] == '{') {
      std::size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) {
        arg = std::string(text.substr(i + 1));
        i = text.size();
      } else {
        arg = std::string(text.substr(i + 1, close - i - 1));
        i = close + 1;
      }
    }
    const char tag = i < text.size() ? text[i] : '\0';
    HeaderFormatItem::Kind kind;
    switch (tag) {
    case 't':
      kind = HeaderFormatItem::Kind::Time;
      break;
    case 'D':
      kind = HeaderFormatItem::Kind::Duration;
      break;
    case 'e':
      kind = HeaderFormatItem::Kind::Env;
      break;
    case 's':
      kind = HeaderFormatItem::Kind::Ssl;
      break;
    case 'l':
      kind = HeaderFormatItem::Kind::LoadAvg;
      break;
    case 'i':
      kind = HeaderFormatItem::Kind::Idle;
      break;
    case 'b':
      kind = HeaderFormatItem::Kind::Busy;
      break;
    default:
      return std::string("Unrecognized header format %") + (tag ? std::string(1, tag) : std::string());
    }
    ++i;
    out.push_back({kind, std::move(arg)});
  }
  return std::nullopt;
}

Result parse_header_directive(std::string_view raw, bool request, HeaderRule& rule) {
  std::string_view rest = raw;
  auto more = [&] { return !rest.empty(); };
  std::string action = parser::next_word(rest);
  rule.table = request ? HeaderTable::Request : HeaderTable::ResponseSuccess;
  if (!request) {
    if (ci_equal(action, "always")) {
      rule.table = HeaderTable::ResponseAlways;
      action = parser::next_word(rest);
    } else if (ci_equal(action, "onsuccess")) {
      action = parser::next_word(rest);
    }
  }
  const std::string header = parser::next_word(rest);
  std::optional<std::string> value, subs, clause;
  if (more()) value = parser::next_word(rest);
  if (more()) subs = parser::next_word(rest);
  if (more()) clause = parser::next_word(rest);
  if (more()) return std::string(request ? "RequestHeader" : "Header") + " has too many arguments";

  bool known = false;
  for (const auto& a : kActions) {
    if (ci_equal(action, a.name)) {
      rule.action = a.action;
      known = true;
      break;
    }
  }
  if (!known) return std::string(kBadAction);
  if (request && rule.action == HeaderAction::Note) return "RequestHeader does not support the 'note' action";

  const bool edit = rule.action == HeaderAction::Edit || rule.action == HeaderAction::EditAll;
  if (edit) {
    if (!subs) return "Header edit requires a match and a substitution";
    rule.regex = Regex::compile(*value);
    if (!rule.regex) return "Header edit regex could not be compiled";
    rule.replacement = *subs;
  } else {
    // Without a substitution the third word is the condition.
    if (clause) return "Too many arguments to directive";
    clause = std::move(subs);
    subs.reset();
  }

  if (rule.action == HeaderAction::Unset) {
    if (value) {
      if (clause) return "header unset takes two arguments";
      clause = std::move(value);
      value.reset();
    }
  } else if (rule.action == HeaderAction::Echo) {
    if (value) {
      if (clause) return "Header echo takes two arguments";
      clause = std::move(value);
      value.reset();
    }
    if (request) return "Header echo only valid on Header directives";
    rule.regex = Regex::compile(header, Regex::NoSub);
    if (!rule.regex) return "Header echo regex could not be compiled";
  } else if (!value) {
    return "Header requires three arguments";
  }

  if (clause) {
    if (auto err = parse_condition(*clause, rule.condition)) return err;
  }

  rule.header = header.substr(0, header.find(':'));

  // The formatted part: the substitution for edit, the value otherwise.
  const std::optional<std::string>& format = edit ? subs : value;
  if (format) {
    if (ci_starts_with(*format, "expr=")) {
      auto r = expr::parse_string(std::string_view(*format).substr(5));
      if (!r.ok()) return "Can't parse value expression : " + r.error;
      rule.value_expr = r.expr;
    } else if (auto err = parse_header_format(*format, rule.value)) {
      return err;
    }
  }
  return std::nullopt;
}

namespace {

Result header_cmd(CmdParms& cmd, std::span<const std::string> args, bool request) {
  HeaderRule rule;
  if (auto err = parse_header_directive(args.empty() ? std::string_view() : std::string_view(args[0]),
                                        request, rule))
    return err;
  rule.file = file_of(cmd);
  rule.line = cmd.node.line;
  cmd.dir().headers.rules.push_back(std::move(rule));
  return std::nullopt;
}

Result header_handler(CmdParms& cmd, std::span<const std::string> args) {
  return header_cmd(cmd, args, false);
}
Result request_header_handler(CmdParms& cmd, std::span<const std::string> args) {
  return header_cmd(cmd, args, true);
}

constexpr HandlerBinding kHeadersBindings[] = {
    {"Header", Support::Implemented, header_handler},
    {"RequestHeader", Support::Implemented, request_header_handler},
};

} // namespace

std::span<const HandlerBinding> headers_bindings() {
  return kHeadersBindings;
}

} // namespace balancerd::directives::http
