#include "server/balancer/persist_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace balancerd::balancer {

namespace {

std::atomic<RuntimeFileOpener> runtime_file_opener{nullptr};

constexpr std::string_view kMagic = "balancerd-balancers 1";

std::string esc(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  if (s.empty()) return "%"; // a lone '%' is the empty value, so every field is one word
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == '%' || c >= 0x7f) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

std::optional<std::string> unesc(std::string_view s) {
  if (s == "%") return std::string();
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const std::string h(s.substr(i + 1, 2));
    char* end = nullptr;
    const long v = std::strtol(h.c_str(), &end, 16);
    if (end != h.c_str() + 2) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool to_ll(std::string_view s, long long& out) {
  const std::string t(s);
  char* end = nullptr;
  out = std::strtoll(t.c_str(), &end, 10);
  return !t.empty() && end == t.c_str() + t.size();
}
bool to_ull(std::string_view s, unsigned long long& out) {
  const std::string t(s);
  char* end = nullptr;
  out = std::strtoull(t.c_str(), &end, 10);
  return !t.empty() && end == t.c_str() + t.size();
}

} // namespace

std::string serialize_persisted(const std::vector<PersistedServer>& servers) {
  std::ostringstream o;
  o << kMagic << '\n';
  for (const PersistedServer& s : servers) {
    o << "server " << esc(s.key) << '\n';
    for (const PersistedBalancer& b : s.balancers) {
      const BalancerSettings& st = b.settings;
      o << "balancer " << esc(b.name) << ' ' << b.capacity << '\n';
      o << "settings " << esc(st.lbmethod) << ' ' << esc(st.sticky) << ' ' << esc(st.sticky_path) << ' '
        << static_cast<int>(static_cast<unsigned char>(st.sticky_separator)) << ' ' << st.sticky_force << ' '
        << st.scolonsep << ' ' << st.timeout.count() << ' ' << st.max_attempts << ' ' << st.max_attempts_set
        << ' ' << esc(st.nonce) << ' ' << st.forcerecovery << ' ' << st.failontimeout << ' ' << st.growth
        << ' ' << st.errstatuses.size();
      for (int e : st.errstatuses) o << ' ' << e;
      o << '\n';
      if (b.need_reset) o << "need-reset\n";
      for (const PersistedWorker& w : b.members) {
        const WorkerView& v = w.view;
        o << "worker " << esc(w.name) << ' ' << esc(w.display_name) << ' ' << esc(w.hostname) << ' ' << w.port
          << ' ' << esc(v.route) << ' ' << esc(v.redirect) << ' ' << v.lbfactor << ' ' << v.lbset << ' '
          << v.status << ' ' << v.lbstatus << ' ' << v.elected << ' ' << v.busy << ' ' << v.transferred << ' '
          << v.read << ' ' << std::chrono::duration_cast<Micros>(v.error_time.time_since_epoch()).count()
          << ' ' << v.retries << ' ' << v.retry.count() << ' ' << static_cast<int>(v.hc_method) << ' '
          << v.hc_interval.count() << ' ' << v.hc_passes << ' ' << v.hc_fails << ' ' << v.hc_pcount << ' '
          << v.hc_fcount << ' ' << esc(v.hc_uri) << ' ' << esc(v.hc_expr) << '\n';
      }
    }
  }
  o << "end\n";
  return o.str();
}

std::optional<std::vector<PersistedServer>> parse_persisted(std::string_view text) {
  std::vector<PersistedServer> out;
  bool magic = false, ended = false;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!magic) {
      if (line != kMagic) return std::nullopt;
      magic = true;
      continue;
    }
    const std::vector<std::string_view> w = words(line);
    if (w.empty()) continue;
    if (ended) return std::nullopt;
    if (w[0] == "end" && w.size() == 1) {
      ended = true;
    } else if (w[0] == "server" && w.size() == 2) {
      auto key = unesc(w[1]);
      if (!key) return std::nullopt;
      out.push_back(PersistedServer{*key, {}});
    } else if (w[0] == "balancer" && w.size() == 3) {
      auto name = unesc(w[1]);
      unsigned long long cap = 0;
      if (out.empty() || !name || !to_ull(w[2], cap)) return std::nullopt;
      PersistedBalancer b;
      b.name = *name;
      b.capacity = static_cast<std::size_t>(cap);
      out.back().balancers.push_back(std::move(b));
    } else if (w[0] == "settings" && w.size() >= 15) {
      if (out.empty() || out.back().balancers.empty()) return std::nullopt;
      BalancerSettings& st = out.back().balancers.back().settings;
      auto lbm = unesc(w[1]), sticky = unesc(w[2]), path = unesc(w[3]), nonce = unesc(w[10]);
      long long n[10];
      const std::size_t idx[] = {4, 5, 6, 7, 8, 9, 11, 12, 13, 14};
      for (std::size_t i = 0; i < 10; ++i) {
        if (!to_ll(w[idx[i]], n[i])) return std::nullopt;
      }
      if (!lbm || !sticky || !path || !nonce || w.size() != 15 + static_cast<std::size_t>(n[9]))
        return std::nullopt;
      st.lbmethod = *lbm;
      st.sticky = *sticky;
      st.sticky_path = *path;
      st.sticky_separator = static_cast<char>(n[0]);
      st.sticky_force = n[1] != 0;
      st.scolonsep = n[2] != 0;
      st.timeout = Micros(n[3]);
      st.max_attempts = static_cast<int>(n[4]);
      st.max_attempts_set = n[5] != 0;
      st.nonce = *nonce;
      st.forcerecovery = n[6] != 0;
      st.failontimeout = n[7] != 0;
      st.growth = static_cast<int>(n[8]);
      st.errstatuses.clear();
      for (std::size_t i = 15; i < w.size(); ++i) {
        long long e = 0;
        if (!to_ll(w[i], e)) return std::nullopt;
        st.errstatuses.push_back(static_cast<int>(e));
      }
    } else if (w[0] == "need-reset" && w.size() == 1) {
      if (out.empty() || out.back().balancers.empty()) return std::nullopt;
      out.back().balancers.back().need_reset = true;
    } else if (w[0] == "worker" && w.size() == 26) {
      if (out.empty() || out.back().balancers.empty()) return std::nullopt;
      PersistedWorker pw;
      auto name = unesc(w[1]), disp = unesc(w[2]), host = unesc(w[3]), route = unesc(w[5]),
           redirect = unesc(w[6]), hcuri = unesc(w[24]), hcexpr = unesc(w[25]);
      if (!name || !disp || !host || !route || !redirect || !hcuri || !hcexpr) return std::nullopt;
      long long n[18];
      const std::size_t idx[] = {4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23};
      for (std::size_t i = 0; i < 18; ++i) {
        if (!to_ll(w[idx[i]], n[i])) return std::nullopt;
      }
      pw.name = *name;
      pw.display_name = *disp;
      pw.hostname = *host;
      pw.port = static_cast<std::uint16_t>(n[0]);
      WorkerView& v = pw.view;
      v.name = *disp;
      v.route = *route;
      v.redirect = *redirect;
      v.lbfactor = static_cast<int>(n[1]);
      v.lbset = static_cast<int>(n[2]);
      v.status = static_cast<unsigned>(n[3]);
      v.lbstatus = static_cast<int>(n[4]);
      v.elected = static_cast<std::uint64_t>(n[5]);
      v.busy = n[6];
      v.transferred = static_cast<std::uint64_t>(n[7]);
      v.read = static_cast<std::uint64_t>(n[8]);
      v.error_time = TimePoint(std::chrono::duration_cast<TimePoint::duration>(Micros(n[9])));
      v.retries = static_cast<std::uint64_t>(n[10]);
      v.retry = Micros(n[11]);
      v.hc_method = static_cast<directives::HcMethod>(n[12]);
      v.hc_interval = Micros(n[13]);
      v.hc_passes = static_cast<int>(n[14]);
      v.hc_fails = static_cast<int>(n[15]);
      v.hc_pcount = static_cast<int>(n[16]);
      v.hc_fcount = static_cast<int>(n[17]);
      v.hc_uri = *hcuri;
      v.hc_expr = *hcexpr;
      out.back().balancers.back().members.push_back(std::move(pw));
    } else {
      return std::nullopt;
    }
  }
  if (!magic || !ended) return std::nullopt;
  return out;
}

bool write_persisted(const std::string& path, const std::vector<PersistedServer>& servers) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      // not ours to create: in place, through a descriptor opened for us
      const auto opener = runtime_file_opener.load();
      const int fd = opener ? opener(path) : -1;
      if (fd < 0) return false;
      const bool ok = write_persisted_fd(fd, servers);
      ::close(fd);
      return ok;
    }
    f << serialize_persisted(servers);
    f.flush();
    if (!f) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int open_persisted_for_update(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0 || (errno != EACCES && errno != EPERM)) return fd;
  const auto opener = runtime_file_opener.load();
  const int via = opener ? opener(path) : -1;
  return via >= 0 ? via : -1;
}

void set_runtime_file_opener(RuntimeFileOpener opener) {
  runtime_file_opener.store(opener);
}

bool write_persisted_fd(int fd, const std::vector<PersistedServer>& servers) {
  const std::string text = serialize_persisted(servers);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return ::ftruncate(fd, static_cast<off_t>(text.size())) == 0;
}

std::optional<std::vector<PersistedServer>> read_persisted(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream ss;
  ss << f.rdbuf();
  return parse_persisted(ss.str());
}

} // namespace balancerd::balancer
