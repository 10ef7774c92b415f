#include "directives/modules/proxy_params.hpp"

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_numbers.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>

namespace balancerd::directives::proxy {

namespace {

using std::chrono::seconds;

std::optional<bool> on_off(std::string_view val) {
  if (ci_equal(val, "on")) return true;
  if (ci_equal(val, "off")) return false;
  return std::nullopt;
}

bool status_letter(char c, bool set, unsigned& status) {
  struct Flag {
    char letter;
    unsigned bit;
  };
  static constexpr Flag flags[] = {
      {'O', kWorkerInitialized}, {'I', kWorkerIgnoreErrors}, {'N', kWorkerDrain},   {'G', kWorkerGeneric},
      {'U', kWorkerInShutdown},  {'D', kWorkerDisabled},     {'S', kWorkerStopped}, {'E', kWorkerInError},
      {'H', kWorkerHotStandby},  {'R', kWorkerHotSpare},     {'F', kWorkerFree},    {'C', kWorkerHcFail},
  };
  const char upper = ascii_upper(c);
  for (const Flag& f : flags) {
    if (f.letter != upper) continue;
    if (set)
      status |= f.bit;
    else
      status &= ~f.bit;
    return true;
  }
  return false;
}

// Apache copies into fixed buffers and refuses values that do not fit.
bool fits(std::string_view val, std::size_t buffer) {
  return val.size() < buffer;
}

} // namespace

void table_set(ParamList& params, std::string key, std::string value) {
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (!ci_equal(it->first, key)) continue;
    it->second = std::move(value);
    // apr_table_setn drops any later duplicates; there are none since we always replace.
    return;
  }
  params.emplace_back(std::move(key), std::move(value));
}

std::optional<std::string> set_worker_param(WorkerParams& w, std::string_view key, std::string_view val,
                                            const ParamContext& ctx) {
  if (ci_equal(key, "loadfactor")) {
    const double f = c_atof(val) * 100.0;
    const int ival = (f >= 2147483647.0 || f <= -2147483648.0 || f != f) ? -1 : static_cast<int>(f);
    if (ival < 100 || ival > 10000) return "LoadFactor must be a number between 1..100";
    w.lbfactor = ival;
  } else if (ci_equal(key, "retry")) {
    const int ival = c_atoi(val);
    if (ival < 0) return "Retry must be a positive value";
    w.retry = seconds(ival);
    w.retry_set = true;
  } else if (ci_equal(key, "ttl")) {
    const int ival = c_atoi(val);
    if (ival < 1) return "TTL must be at least one second";
    w.ttl = seconds(ival);
  } else if (ci_equal(key, "min")) {
    const int ival = c_atoi(val);
    if (ival < 0) return "Min must be a positive number";
    w.min = ival;
  } else if (ci_equal(key, "max")) {
    const int ival = c_atoi(val);
    if (ival < 0) return "Max must be a positive number";
    w.hmax = ival;
  } else if (ci_equal(key, "smax")) {
    const int ival = c_atoi(val);
    if (ival < 0) return "Smax must be a positive number";
    w.smax = ival;
  } else if (ci_equal(key, "acquire")) {
    const auto t = parse_timeout(val, "ms");
    if (!t) return "Acquire timeout has wrong format";
    if (t->count() < 1000) return "Acquire must be at least one millisecond";
    w.acquire = *t;
    w.acquire_set = true;
  } else if (ci_equal(key, "timeout")) {
    const int ival = c_atoi(val);
    if (ival < 1) return "Timeout must be at least one second";
    w.timeout = seconds(ival);
    w.timeout_set = true;
  } else if (ci_equal(key, "iobuffersize")) {
    const long s = c_atol(val);
    if (s < 512 && s) return "IOBufferSize must be >= 512 bytes, or 0 for system default.";
    w.io_buffer_size = s ? static_cast<std::size_t>(s) : 8192;
    w.io_buffer_size_set = true;
  } else if (ci_equal(key, "receivebuffersize")) {
    const int ival = c_atoi(val);
    if (ival < 512 && ival != 0) return "ReceiveBufferSize must be >= 512 bytes, or 0 for system default.";
    w.recv_buffer_size = static_cast<std::size_t>(ival);
    w.recv_buffer_size_set = true;
  } else if (ci_equal(key, "keepalive")) {
    const auto b = on_off(val);
    if (!b) return "KeepAlive must be On|Off";
    w.keepalive = *b;
    w.keepalive_set = true;
  } else if (ci_equal(key, "disablereuse")) {
    const auto b = on_off(val);
    if (!b) return "DisableReuse must be On|Off";
    w.disablereuse = *b;
    w.disablereuse_set = true;
  } else if (ci_equal(key, "enablereuse")) {
    const auto b = on_off(val);
    if (!b) return "EnableReuse must be On|Off";
    w.disablereuse = !*b;
    w.disablereuse_set = true;
  } else if (ci_equal(key, "addressttl")) {
    if (val == "-1") {
      w.address_ttl = -1;
    } else {
      const auto t = parse_timeout(val, "s");
      constexpr long long max_seconds = std::numeric_limits<std::int32_t>::max();
      if (!t || t->count() > max_seconds * 1000000 || t->count() % 1000000 != 0)
        return "AddressTTL must be -1 or a number of seconds not exceeding (2147483647)";
      w.address_ttl = static_cast<int>(t->count() / 1000000);
    }
    w.address_ttl_set = true;
  } else if (ci_equal(key, "route")) {
    if (!fits(val, 64)) return "Route length must be < 64 characters";
    w.route = std::string(val);
  } else if (ci_equal(key, "redirect")) {
    if (!fits(val, 64)) return "Redirect length must be < 64 characters";
    w.redirect = std::string(val);
  } else if (ci_equal(key, "status")) {
    bool set = true;
    for (std::size_t i = 0; i < val.size(); ++i) {
      char c = val[i];
      if (c == '+' || c == '-') {
        set = c == '+';
        ++i;
        c = i < val.size() ? val[i] : '\0';
      }
      if (!status_letter(c, set, w.status)) return "Unknown status parameter option";
      if (i >= val.size()) break;
    }
  } else if (ci_equal(key, "flushpackets")) {
    if (ci_equal(val, "on"))
      w.flush_packets = FlushPackets::On;
    else if (ci_equal(val, "off"))
      w.flush_packets = FlushPackets::Off;
    else if (ci_equal(val, "auto"))
      w.flush_packets = FlushPackets::Auto;
    else
      return "flushpackets must be on|off|auto";
  } else if (ci_equal(key, "flushwait")) {
    const int ival = c_atoi(val);
    if (ival > 1000 || ival < 0)
      return "flushwait must be <= 1000, or 0 for system default of 10 millseconds.";
    w.flush_wait = ival == 0 ? Micros(10000) : Micros(static_cast<long long>(ival) * 1000);
  } else if (ci_equal(key, "ping")) {
    const auto t = parse_timeout(val, "s");
    if (!t) return "Ping/Pong timeout has wrong format";
    if (t->count() < 1000) return "Ping/Pong timeout must be at least one millisecond";
    w.ping_timeout = *t;
    w.ping_timeout_set = true;
  } else if (ci_equal(key, "lbset")) {
    const int ival = c_atoi(val);
    if (ival < 0 || ival > 99) return "lbset must be between 0 and 99";
    w.lbset = ival;
  } else if (ci_equal(key, "connectiontimeout")) {
    const auto t = parse_timeout(val, "s");
    if (!t) return "Connectiontimeout has wrong format";
    if (t->count() < 1000) return "Connectiontimeout must be at least one millisecond.";
    w.connection_timeout = *t;
    w.connection_timeout_set = true;
  } else if (ci_equal(key, "flusher")) {
    if (!fits(val, 16)) return "flusher name length must be < 16 characters";
    w.flusher = std::string(val);
  } else if (ci_equal(key, "upgrade")) {
    const std::string_view v = ci_equal(val, "ANY") ? std::string_view("*") : val;
    if (!fits(v, 16)) return "upgrade protocol length must be < 16 characters";
    w.upgrade = std::string(v);
  } else if (ci_equal(key, "responsefieldsize")) {
    const long s = c_atol(val);
    if (s < 0) return "ResponseFieldSize must be greater than 0 bytes, or 0 for system default.";
    w.response_field_size = s ? static_cast<std::size_t>(s) : 8192;
    w.response_field_size_set = true;
  } else if (ci_equal(key, "secret")) {
    if (!fits(val, 64)) return "Secret length must be < 64 characters";
    w.secret = std::string(val);
  } else if (ctx.hcheck_loaded) {
    return set_hc_param(w.hc, key, val, ctx);
  } else {
    return "unknown Worker parameter";
  }
  return std::nullopt;
}

std::optional<std::string> set_hc_param(HealthCheckParams& hc, std::string_view key, std::string_view val,
                                        const ParamContext& ctx) {
  if (ci_equal(key, "hctemplate")) {
    if (ctx.templates) {
      for (const HcTemplate& t : *ctx.templates) {
        if (!ci_equal(t.name, val)) continue;
        hc = t.params;
        return std::nullopt;
      }
    }
    return "Unknown ProxyHCTemplate name: " + std::string(val);
  }
  if (ci_equal(key, "hcmethod")) {
    struct Method {
      std::string_view name;
      HcMethod method;
      bool implemented;
    };
    static constexpr Method methods[] = {
        {"NONE", HcMethod::None, true},
        {"TCP", HcMethod::Tcp, true},
        {"OPTIONS", HcMethod::Options, true},
        {"HEAD", HcMethod::Head, true},
        {"GET", HcMethod::Get, true},
        {"CPING", HcMethod::Cping, false},
        {"PROVIDER", HcMethod::Provider, false},
        {"OPTIONS11", HcMethod::Options11, true},
        {"HEAD11", HcMethod::Head11, true},
        {"GET11", HcMethod::Get11, true},
    };
    for (const Method& m : methods) {
      if (!ci_equal(m.name, val)) continue;
      if (!m.implemented) return "Health check method " + std::string(val) + " not (yet) implemented";
      hc.method = m.method;
      return std::nullopt;
    }
    return "Unknown method";
  }
  if (ci_equal(key, "hcinterval")) {
    const auto t = parse_timeout(val, "s");
    if (!t) return "Unparse-able hcinterval setting";
    if (t->count() < 100000) return "Interval must be a positive value greater than 100ms";
    hc.interval = *t;
    return std::nullopt;
  }
  if (ci_equal(key, "hcpasses")) {
    const int ival = c_atoi(val);
    if (ival < 0) return "Passes must be a positive value";
    hc.passes = ival;
    return std::nullopt;
  }
  if (ci_equal(key, "hcfails")) {
    const int ival = c_atoi(val);
    if (ival < 0) return "Fails must be a positive value";
    hc.fails = ival;
    return std::nullopt;
  }
  if (ci_equal(key, "hcuri")) {
    if (!fits(val, 64)) return "Health check uri length must be < 64 characters";
    hc.uri = std::string(val);
    return std::nullopt;
  }
  if (ci_equal(key, "hcexpr")) {
    bool known = false;
    if (ctx.conditions)
      known = std::any_of(ctx.conditions->begin(), ctx.conditions->end(),
                          [&](const HcCondition& c) { return ci_equal(c.name, val); });
    if (!known) return "Unknown health check condition expr: " + std::string(val);
    if (!fits(val, 16)) return "Health check uri length must be < 16 characters";
    hc.expr = std::string(val);
    return std::nullopt;
  }
  return "unknown Worker hcheck parameter";
}

std::optional<std::string> set_balancer_param(BalancerParams& b, std::string_view key, std::string_view val,
                                              const ParamContext& ctx) {
  if (ci_equal(key, "stickysession")) {
    // Apache computes a length error here but does not return it: the value is silently truncated.
    const std::string v(val.substr(0, std::min<std::size_t>(val.size(), 63)));
    const auto bar = v.find('|');
    if (bar != std::string::npos) {
      b.sticky = v.substr(0, bar);
      b.sticky_path = v.substr(bar + 1);
    } else {
      b.sticky = v;
      b.sticky_path = v;
    }
  } else if (ci_equal(key, "stickysessionsep")) {
    if (val.size() != 1) {
      if (!ci_equal(val, "off")) return "stickysessionsep must be a single character or Off";
      b.sticky_separator = '\0';
    } else {
      b.sticky_separator = val[0];
    }
    b.sticky_separator_set = true;
  } else if (ci_equal(key, "nofailover")) {
    const auto v = on_off(val);
    if (!v) return "failover must be On|Off";
    b.sticky_force = *v;
    b.sticky_force_set = true;
  } else if (ci_equal(key, "timeout")) {
    const int ival = c_atoi(val);
    if (ival < 1) return "timeout must be at least one second";
    b.timeout = seconds(ival);
  } else if (ci_equal(key, "maxattempts")) {
    const int ival = c_atoi(val);
    if (ival < 0) return "maximum number of attempts must be a positive number";
    b.max_attempts = ival;
    b.max_attempts_set = true;
  } else if (ci_equal(key, "lbmethod")) {
    if (val.size() > 15) return "unknown lbmethod";
    // Providers are looked up by exact (case-sensitive) name.
    bool known = std::find(ctx.lbmethods.begin(), ctx.lbmethods.end(), val) != ctx.lbmethods.end();
    if (!known && ctx.modules) {
      for (const LoadedModule& m : *ctx.modules) known = known || lbmethod_of_module(m.source) == val;
    }
    if (!known) return "unknown lbmethod";
    b.lbmethod = std::string(val);
    b.lbmethod_set = true;
  } else if (ci_equal(key, "scolonpathdelim")) {
    const auto v = on_off(val);
    if (!v) return "scolonpathdelim must be On|Off";
    b.scolonsep = *v;
    b.scolonsep_set = true;
  } else if (ci_equal(key, "failonstatus")) {
    b.errstatuses.clear();
    std::size_t i = 0;
    while (i < val.size()) {
      while (i < val.size() && (val[i] == ',' || val[i] == ' ')) ++i;
      if (i >= val.size()) break;
      std::size_t j = i;
      while (j < val.size() && val[j] != ',' && val[j] != ' ') ++j;
      const int code = c_atoi(val.substr(i, j - i));
      if (code < 100 || code > 599) return "failonstatus must be one or more HTTP response codes";
      b.errstatuses.push_back(code);
      i = j;
    }
  } else if (ci_equal(key, "failontimeout")) {
    const auto v = on_off(val);
    if (!v) return "failontimeout must be On|Off";
    b.failontimeout = *v;
    b.failontimeout_set = true;
  } else if (ci_equal(key, "nonce")) {
    if (ci_equal(val, "None")) {
      b.nonce.clear();
    } else {
      if (!fits(val, 37)) return "Provided nonce is too large";
      b.nonce = std::string(val);
    }
    b.nonce_set = true;
  } else if (ci_equal(key, "growth")) {
    const int ival = c_atoi(val);
    if (ival < 1 || ival > 100) return "growth must be between 1 and 100";
    b.growth = ival;
    b.growth_set = true;
  } else if (ci_equal(key, "forcerecovery")) {
    const auto v = on_off(val);
    if (!v) return "forcerecovery must be On|Off";
    b.forcerecovery = *v;
    b.forcerecovery_set = true;
  } else {
    return "unknown Balancer parameter";
  }
  return std::nullopt;
}

std::string_view lbmethod_of_module(std::string_view source) {
  if (source == "mod_lbmethod_byrequests.c") return "byrequests";
  if (source == "mod_lbmethod_bybusyness.c") return "bybusyness";
  if (source == "mod_lbmethod_bytraffic.c") return "bytraffic";
  if (source == "mod_lbmethod_heartbeat.c") return "heartbeat";
  return {};
}

} // namespace balancerd::directives::proxy
