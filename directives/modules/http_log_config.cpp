// mod_log_config (LogFormat, CustomLog, TransferLog, GlobalLog, BufferedLogs) and mod_logio
// (LogIOTrackTTFB; its %I %O %S %^ti %^to items are accepted by the format parser).
#include "directives/modules/http_log_config.hpp"

#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

#include <cctype>

namespace balancerd::directives::http {
namespace {

// Items a stock Debian apache2 knows: mod_log_config's own, mod_logio's (I O S ^ti ^to) and
// mod_ssl's (c x). With mod_ssl not loaded Apache would reject %c and %x; we accept them.
bool known_item(std::string_view tag) {
  if (tag == "^ti" || tag == "^to") return true;
  if (tag.size() != 1) return false;
  static constexpr std::string_view kTags = "abcefhiklmnopqrstuvxABCDHILOPRSTUVX";
  return kTags.find(tag[0]) != std::string_view::npos;
}

constexpr std::string_view kRanOff = "Ran off end of LogFormat parsing args to some directive";

} // namespace

std::optional<std::string> parse_log_format(std::string_view s, LogFormat& out) {
  out.source = std::string(s);
  out.items.clear();
  std::size_t i = 0;
  auto literal = [&](std::string text) {
    if (!out.items.empty() && out.items.back().literal)
      out.items.back().text += text;
    else
      out.items.push_back(LogFormatItem{true, std::move(text)});
  };
  while (i < s.size()) {
    if (s[i] != '%') {
      std::string text;
      while (i < s.size() && s[i] != '%') {
        if (s[i] == '\\' && i + 1 < s.size()) {
          const char e = s[i + 1];
          if (e == 'n')
            text += '\n';
          else if (e == 't')
            text += '\t';
          else if (e == '\\')
            text += '\\';
          else {
            text += '\\';
            text += e;
          }
          i += 2;
        } else {
          text += s[i++];
        }
      }
      literal(std::move(text));
      continue;
    }
    ++i; // '%'
    if (i < s.size() && s[i] == '%') {
      literal("%");
      ++i;
      continue;
    }
    LogFormatItem item;
    item.literal = false;
    for (;;) {
      if (i >= s.size()) return std::string(kRanOff);
      const char c = s[i];
      if (c == '!') {
        item.statuses_negated = true;
        ++i;
      } else if (c == '<') {
        item.want_original = true;
        ++i;
      } else if (c == '>') {
        item.want_final = true;
        ++i;
      } else if (c == ',') {
        ++i;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        int v = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && v < 100000)
          v = v * 10 + (s[i++] - '0');
        item.statuses.push_back(v);
      } else if (c == '{') {
        const std::size_t close = s.find('}', i + 1);
        if (close == std::string_view::npos) return std::string(kRanOff);
        item.arg = std::string(s.substr(i + 1, close - i - 1));
        i = close + 1;
      } else if (c == '^') {
        const std::string tag(s.substr(i, 3));
        if (!known_item(tag)) return "Unrecognized LogFormat directive %^";
        item.tag = tag;
        i += 3;
        break;
      } else {
        const std::string tag(1, c);
        if (!known_item(tag)) return "Unrecognized LogFormat directive %" + tag;
        item.tag = tag;
        ++i;
        break;
      }
    }
    out.items.push_back(std::move(item));
  }
  return std::nullopt;
}

std::optional<std::string> parse_log_condition(std::string_view text, LogCondition& out) {
  if (ci_starts_with(text, "env=")) {
    std::string_view name = text.substr(4);
    const bool neg = !name.empty() && name.front() == '!';
    if (neg) name.remove_prefix(1);
    if (name.empty()) return "missing environment variable name";
    out.kind = neg ? LogCondition::Kind::EnvNot : LogCondition::Kind::Env;
    out.env = std::string(name);
    return std::nullopt;
  }
  if (ci_starts_with(text, "expr=")) {
    auto r = expr::parse(text.substr(5));
    if (!r.ok()) return r.error;
    out.kind = LogCondition::Kind::Expr;
    out.expr = r.expr;
    return std::nullopt;
  }
  return "error in condition clause";
}

namespace {

const LogFormat* find_format(const CmdParms& cmd, const std::string& name) {
  auto it = cmd.server.log.formats.find(name);
  if (it != cmd.server.log.formats.end()) return &it->second;
  it = cmd.config.main.log.formats.find(name);
  if (it != cmd.config.main.log.formats.end()) return &it->second;
  return nullptr;
}

Result add_log(CmdParms& cmd, const std::string& target, const std::string* format,
               const std::string* condition, bool global) {
  AccessLog log;
  log.piped = !target.empty() && target.front() == '|';
  log.target = log.piped || ci_starts_with(target, "syslog") ? target : server_root_relative(cmd, target);
  log.global = global;
  log.file = file_of(cmd);
  log.line = cmd.node.line;
  if (condition) {
    if (auto err = parse_log_condition(*condition, log.condition)) return err;
  }
  if (format) {
    // Apache compiles the text as a format now and swaps in a nickname's format when it opens
    // the log; we resolve nicknames already known here and keep the name for the rest.
    log.format_name = *format;
    if (auto err = parse_log_format(*format, log.format)) return err;
    if (const LogFormat* named = find_format(cmd, *format)) {
      log.format = *named;
      log.format_resolved = true;
    } else {
      log.format_resolved = format->find('%') != std::string::npos;
    }
  } else if (cmd.server.log.default_format) {
    log.format = *cmd.server.log.default_format;
    log.format_resolved = true;
  } else {
    parse_log_format("%h %l %u %t \"%r\" %>s %b", log.format); // Common Log Format
    log.format_resolved = true;
  }
  cmd.server.log.logs.push_back(std::move(log));
  return std::nullopt;
}

Result custom_log(CmdParms& cmd, std::span<const std::string> a) {
  if (a.size() < 2) return std::nullopt;
  return add_log(cmd, a[0], &a[1], a.size() > 2 ? &a[2] : nullptr, false);
}

Result global_log(CmdParms& cmd, std::span<const std::string> a) {
  if (a.size() < 2) return std::nullopt;
  return add_log(cmd, a[0], &a[1], a.size() > 2 ? &a[2] : nullptr, true);
}

Result transfer_log(CmdParms& cmd, std::span<const std::string> a) {
  if (a.empty()) return std::nullopt;
  return add_log(cmd, a[0], nullptr, nullptr, false);
}

Result log_format(CmdParms& cmd, std::span<const std::string> a) {
  if (a.empty()) return std::nullopt;
  LogFormat f;
  if (auto err = parse_log_format(a[0], f)) return err;
  if (a.size() > 1)
    cmd.server.log.formats[a[1]] = std::move(f);
  else
    cmd.server.log.default_format = std::move(f);
  return std::nullopt;
}

Result buffered_logs(CmdParms& cmd, std::span<const std::string> a) {
  cmd.server.log.buffered = !a.empty() && ci_equal(a[0], "on");
  return std::nullopt;
}

Result track_ttfb(CmdParms& cmd, std::span<const std::string> a) {
  const bool on = !a.empty() && ci_equal(a[0], "on");
  if (cmd.section)
    cmd.dir().log.track_ttfb = on;
  else
    cmd.server.log.track_ttfb = on;
  return std::nullopt;
}

constexpr HandlerBinding kLogConfig[] = {
    {"LogFormat", Support::Implemented, log_format},       {"CustomLog", Support::Implemented, custom_log},
    {"TransferLog", Support::Implemented, transfer_log},   {"GlobalLog", Support::Implemented, global_log},
    {"BufferedLogs", Support::Implemented, buffered_logs},
};

constexpr HandlerBinding kLogio[] = {
    {"LogIOTrackTTFB", Support::Unsupported, track_ttfb},
};

} // namespace

std::span<const HandlerBinding> log_config_bindings() {
  return kLogConfig;
}
std::span<const HandlerBinding> logio_bindings() {
  return kLogio;
}

} // namespace balancerd::directives::http
