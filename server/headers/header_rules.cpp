#include "server/headers/header_rules.hpp"

#include "directives/ci_string.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace balancerd::headers {
namespace {

namespace d = directives;
using Groups = std::vector<std::pair<std::size_t, std::size_t>>;

std::int64_t now_us(const expr::RequestFacts& f) {
  if (f.now_us) return f.now_us;
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void append_signed(std::string& out, long long v) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%lld", v);
  out.append(buf, static_cast<std::size_t>(n));
}

expr::Evaluator& evaluator_of(const HeaderEnv& env) {
  return env.evaluator ? *env.evaluator : expr::Evaluator::this_thread();
}

bool condition_holds(const d::HeaderCondition& c, const HeaderEnv& env) {
  switch (c.kind) {
  case d::HeaderCondition::Kind::None:
  case d::HeaderCondition::Kind::Early:
    return true;
  case d::HeaderCondition::Kind::Env:
    return env.ctx.env(c.env).has_value() != c.env_negated;
  case d::HeaderCondition::Kind::Expr:
    return c.expr && evaluator_of(env).eval_bool(*c.expr, env.ctx).value_or(false);
  }
  return true;
}

// Regex substitution of one value: the first match (edit) or every match (edit*).
void edit_value(const d::HeaderRule& rule, std::string_view value, std::string_view replacement, bool all,
                std::string& out, Groups& groups) {
  out.clear();
  std::size_t pos = 0;
  bool matched_any = false;
  while (pos <= value.size()) {
    const std::string_view rest = value.substr(pos);
    if (!rule.regex->search(rest, &groups)) break;
    matched_any = true;
    const std::size_t start = groups[0].first, len = groups[0].second;
    out.append(rest.substr(0, start));
    expr::append_pregsub(out, replacement, rest, groups);
    pos += start + len;
    if (!all) break;
    if (len == 0) {
      // apache2 crashes here; advance one character instead.
      if (pos < value.size()) out.push_back(value[pos]);
      ++pos;
    }
  }
  if (!matched_any) {
    out.assign(value);
    return;
  }
  if (pos < value.size()) out.append(value.substr(pos));
}

struct EchoArgs {
  const d::HeaderRule* rule;
  VarTable* table;
};

} // namespace

bool header_has_token(std::string_view list, std::string_view token) {
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == '\t' || list[i] == ',')) ++i;
    const std::size_t start = i;
    bool quoted = false;
    while (i < list.size() && (quoted || list[i] != ',')) {
      if (list[i] == '"') quoted = !quoted;
      ++i;
    }
    std::size_t end = i;
    while (end > start && (list[end - 1] == ' ' || list[end - 1] == '\t')) --end;
    if (end > start && list.substr(start, end - start) == token) return true;
  }
  return false;
}

void format_header_value(const d::HeaderRule& rule, const HeaderEnv& env, std::string& out) {
  out.clear();
  if (rule.value_expr) {
    if (!evaluator_of(env).eval_string(*rule.value_expr, env.ctx, out)) out.clear();
    return;
  }
  const expr::RequestFacts& f = env.ctx.facts();
  for (const d::HeaderFormatItem& item : rule.value) {
    switch (item.kind) {
    case d::HeaderFormatItem::Kind::Literal:
      out.append(item.text);
      break;
    case d::HeaderFormatItem::Kind::Time:
      out.append("t=");
      append_signed(out, now_us(f));
      break;
    case d::HeaderFormatItem::Kind::Duration:
      out.append("D=");
      append_signed(out, now_us(f) - f.request_time_us);
      break;
    case d::HeaderFormatItem::Kind::Env: {
      const auto v = env.ctx.env(item.text);
      out.append(v ? *v : std::string_view("(null)"));
      break;
    }
    case d::HeaderFormatItem::Kind::Ssl: {
      const auto v = env.ctx.ssl_var(item.text);
      out.append(v ? *v : std::string_view("(null)"));
      break;
    }
    case d::HeaderFormatItem::Kind::LoadAvg: {
      double l[3] = {0, 0, 0};
      if (::getloadavg(l, 3) != 3) l[0] = l[1] = l[2] = 0;
      char buf[64];
      const int n = std::snprintf(buf, sizeof buf, "l=%.2f/%.2f/%.2f", l[0], l[1], l[2]);
      out.append(buf, static_cast<std::size_t>(n));
      break;
    }
    case d::HeaderFormatItem::Kind::Idle:
      out.append("i=0"); // worker scoreboard percentages: not tracked (documented)
      break;
    case d::HeaderFormatItem::Kind::Busy:
      out.append("b=0");
      break;
    }
  }
}

void apply_header_rule(const d::HeaderRule& rule, VarTable& table, const HeaderEnv& env) {
  if (!condition_holds(rule.condition, env)) return;
  std::string local;
  std::string& value = env.scratch ? *env.scratch : local;
  switch (rule.action) {
  case d::HeaderAction::Set:
    format_header_value(rule, env, value);
    table.set(rule.header, value);
    return;
  case d::HeaderAction::SetIfEmpty:
    if (table.get(rule.header)) return;
    format_header_value(rule, env, value);
    table.set(rule.header, value);
    return;
  case d::HeaderAction::Append:
    format_header_value(rule, env, value);
    table.merge(rule.header, value);
    return;
  case d::HeaderAction::Merge: {
    format_header_value(rule, env, value);
    if (auto old = table.get(rule.header); old && header_has_token(*old, value)) return;
    table.merge(rule.header, value);
    return;
  }
  case d::HeaderAction::Add:
    format_header_value(rule, env, value);
    table.add(rule.header, value);
    return;
  case d::HeaderAction::Unset:
    table.unset(rule.header);
    return;
  case d::HeaderAction::Echo: {
    if (!rule.regex) return;
    EchoArgs args{&rule, &table};
    env.ctx.for_each_request_header(
        [](void* p, std::string_view name, std::string_view v) {
          auto* a = static_cast<EchoArgs*>(p);
          if (a->rule->regex->search(name)) a->table->add(name, v);
        },
        &args);
    return;
  }
  case d::HeaderAction::Edit:
  case d::HeaderAction::EditAll: {
    if (!rule.regex || table.count(rule.header) == 0) return;
    std::string replacement;
    format_header_value(rule, env, replacement);
    // Apache collects the edited values, unsets the header and adds them back at the end.
    std::vector<std::string> edited;
    Groups groups;
    for (const VarTable::Entry& e : table) {
      if (!d::ci_equal(e.name, rule.header)) continue;
      edit_value(rule, e.value, replacement, rule.action == d::HeaderAction::EditAll, value, groups);
      edited.push_back(value);
    }
    table.unset(rule.header);
    for (const std::string& v : edited) table.add(rule.header, v);
    return;
  }
  case d::HeaderAction::Note: {
    format_header_value(rule, env, value);
    if (auto v = table.get(rule.header)) env.ctx.set_note(value, *v);
    return;
  }
  }
}

void apply_request_headers(const d::HeadersDirConf& conf, RequestPhase phase, VarTable& headers_in,
                           const HeaderEnv& env) {
  for (const d::HeaderRule& r : conf.rules) {
    if (r.table != d::HeaderTable::Request) continue;
    const bool early = r.condition.kind == d::HeaderCondition::Kind::Early;
    if (early != (phase == RequestPhase::Early)) continue;
    apply_header_rule(r, headers_in, env);
  }
}

void apply_response_headers(const d::HeadersDirConf& conf, VarTable& headers_out, VarTable& err_headers_out,
                            bool error_response, const HeaderEnv& env) {
  // Apache's output filter runs the `always` list over err_headers_out, then the onsuccess list.
  for (const d::HeaderRule& r : conf.rules)
    if (r.table == d::HeaderTable::ResponseAlways) apply_header_rule(r, err_headers_out, env);
  if (error_response) return;
  for (const d::HeaderRule& r : conf.rules)
    if (r.table == d::HeaderTable::ResponseSuccess) apply_header_rule(r, headers_out, env);
}

} // namespace balancerd::headers
