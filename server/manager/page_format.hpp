#pragma once
// The small formatters balancer-manager and mod_proxy's server-status lines share with Apache: the
// worker status text, apr_strfsize's four-column byte counts, ap_escape_uri, the load factor's "%.2f".
#include <cstdint>
#include <string>
#include <string_view>

namespace balancerd::manager {

// ap_proxy_parse_wstatus: the texts of the set bits in mod_proxy's table order (Init Ign Drn Gen Shut
// Dis Stop Err Stby Spar Free HcFl, each with a trailing space), "??? " when none is set, then "Ok "
// when the worker is usable (initialized, none of Shut/Dis/Stop/Err/HcFl).
std::string worker_status_text(unsigned status);

// apr_strfsize: "  0 ", "972 ", "1.0K", " 10K", "1.1M" ... ("  - " for a negative size).
void append_strfsize(std::string& out, std::int64_t size);

// ap_escape_uri (ap_os_escape_path with partial=1): every byte except alphanumerics and
// "$-_.+!*'(),:;@&=/~" becomes "%xx" (lower-case hex).
void append_escaped_uri(std::string& out, std::string_view text);

// ap_escape_html: < > & " (the quote too; ' is left alone).
void append_html(std::string& out, std::string_view text);

// (float)lbfactor/100.0 printed "%.2f".
void append_factor(std::string& out, int lbfactor);

// printf's %d / %lld / %llu.
void append_int(std::string& out, std::int64_t n);
void append_uint(std::string& out, std::uint64_t n);

} // namespace balancerd::manager
