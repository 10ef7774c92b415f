#include "server/manager/page_format.hpp"

#include <cstdio>
#include <cstring>

#include "directives/model/proxy_worker.hpp"
#include "server/http/error_page.hpp"

namespace balancerd::manager {

namespace d = directives;

std::string worker_status_text(unsigned status) {
  // mod_proxy's table order, which is not the bit order (Spar comes before Free and HcFl).
  static constexpr struct {
    unsigned bit;
    const char* text;
  } kTable[] = {
      {d::kWorkerInitialized, "Init "}, {d::kWorkerIgnoreErrors, "Ign "}, {d::kWorkerDrain, "Drn "},
      {d::kWorkerGeneric, "Gen "},      {d::kWorkerInShutdown, "Shut "},  {d::kWorkerDisabled, "Dis "},
      {d::kWorkerStopped, "Stop "},     {d::kWorkerInError, "Err "},      {d::kWorkerHotStandby, "Stby "},
      {d::kWorkerHotSpare, "Spar "},    {d::kWorkerFree, "Free "},        {d::kWorkerHcFail, "HcFl "},
  };
  std::string out;
  for (const auto& e : kTable)
    if (status & e.bit) out += e.text;
  if (out.empty()) out = "??? ";
  const unsigned unusable =
      d::kWorkerInShutdown | d::kWorkerDisabled | d::kWorkerStopped | d::kWorkerInError | d::kWorkerHcFail;
  if ((status & d::kWorkerInitialized) && !(status & unusable)) out += "Ok ";
  return out;
}

void append_strfsize(std::string& out, std::int64_t size) {
  char buf[16];
  if (size < 0) {
    out += "  - ";
    return;
  }
  if (size < 973) {
    std::snprintf(buf, sizeof buf, "%3d ", static_cast<int>(size));
    out += buf;
    return;
  }
  static constexpr char kOrders[] = "KMGTPE";
  const char* order = kOrders;
  for (;;) {
    int remain = static_cast<int>(size & 1023);
    size >>= 10;
    if (size >= 973) {
      ++order;
      continue;
    }
    if (size < 9 || (size == 9 && remain < 973)) {
      remain = (remain * 5 + 256) / 512;
      if (remain >= 10) {
        ++size;
        remain = 0;
      }
      std::snprintf(buf, sizeof buf, "%d.%d%c", static_cast<int>(size), remain, *order);
    } else {
      if (remain >= 512) ++size;
      std::snprintf(buf, sizeof buf, "%3d%c", static_cast<int>(size), *order);
    }
    out += buf;
    return;
  }
}

void append_escaped_uri(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : text) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (alnum || (c != 0 && std::strchr("$-_.+!*'(),:;@&=/~", c) != nullptr)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

void append_html(std::string& out, std::string_view text) {
  http::append_html_escaped(out, text);
}

void append_factor(std::string& out, int lbfactor) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(static_cast<float>(lbfactor) / 100.0));
  out += buf;
}

void append_int(std::string& out, std::int64_t n) {
  out += std::to_string(n);
}

void append_uint(std::string& out, std::uint64_t n) {
  out += std::to_string(n);
}

} // namespace balancerd::manager
