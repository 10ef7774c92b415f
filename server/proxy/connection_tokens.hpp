#pragma once
// The tokens of a message's Connection fields, gathered once: each names a field the proxy drops
// (besides the fixed hop-by-hop set). Asking "is this field named?" for every field used to rescan
// every field for Connection, n*n case-insensitive compares per message (~600 instructions for an
// nginx response of eight fields).
#include <array>
#include <span>
#include <string_view>

#include "server/http/request.hpp"
#include "server/proxy/backend_request.hpp"
#include "server/proxy/hop_by_hop.hpp"

namespace balancerd::proxy {

class ConnectionTokens {
public:
  ConnectionTokens() = default;
  explicit ConnectionTokens(std::span<const Field> fields) {
    for (const auto& f : fields)
      if (f.name.size() == 10 && http::iequals(f.name, "Connection")) add(fields, f.value);
  }

  // Takes the tokens of `value`, one Connection field of `fields` (a caller that looks at every field
  // anyway gathers them in its own pass), and shows each to `seen`. Returns whether "close" is one.
  template <class Seen> bool add(std::span<const Field> fields, std::string_view value, Seen&& seen) {
    fields_ = fields;
    return for_each_connection_token(value, [&](std::string_view t) {
      if (count_ < tokens_.size())
        tokens_[count_] = t;
      else
        overflow_ = true;
      ++count_;
      seen(t);
    });
  }
  bool add(std::span<const Field> fields, std::string_view value) {
    return add(fields, value, [](std::string_view) {});
  }

  // Whether a Connection field lists `name`.
  bool names(std::string_view name) const noexcept {
    if (count_ == 0) return false;
    if (overflow_) return names_slow(name);
    for (std::size_t i = 0; i < count_; ++i)
      if (tokens_[i].size() == name.size() && http::iequals(tokens_[i], name)) return true;
    return false;
  }

private:
  // More tokens than kept: the fields are scanned again (a message nobody sends in practice).
  bool names_slow(std::string_view name) const noexcept {
    bool found = false;
    for (const auto& f : fields_)
      if (f.name.size() == 10 && http::iequals(f.name, "Connection"))
        for_each_connection_token(f.value,
                                  [&](std::string_view t) { found = found || http::iequals(t, name); });
    return found;
  }

  std::span<const Field> fields_;
  std::array<std::string_view, 8> tokens_; // the first count_ are set (no zeroing per message)
  std::size_t count_ = 0;
  bool overflow_ = false;
};

} // namespace balancerd::proxy
