#pragma once
// balancer-manager's request parameters, read as mod_proxy_balancer reads them: "k=v&k=v" split on
// '&' (empty pieces skipped), a piece without '=' has the value "", keys are %-decoded once and values
// twice (the manager's own forms escape worker URLs and the like once more), and a later key replaces
// an earlier one. Keys compare case-insensitively, as in an APR table; only the GET allow-list
// ("w", "b", "nonce", "xml") is case-sensitive.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balancerd::manager {

class Params {
public:
  // apr_table_set: replaces the first entry with this key (case-insensitive) or appends.
  void set(std::string key, std::string value);
  // apr_table_get: the value or nullptr.
  const std::string* get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key) != nullptr; }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  void clear() { items_.clear(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// ap_unescape_url: "%xx" with two hex digits becomes the byte (a decoded NUL ends the string, as the
// C string would), anything else (including '+') is kept as is.
std::string unescape_url(std::string_view text);

// The query string of a GET: only w, b, nonce and xml are kept.
void parse_query_params(std::string_view query, Params& out);
// A POST body (application/x-www-form-urlencoded): every key is kept.
void parse_body_params(std::string_view body, Params& out);

// At most this many body bytes are read (Apache reads one brigade of 1024 bytes).
inline constexpr std::size_t kMaxFormBody = 1024;

} // namespace balancerd::manager
