#pragma once
// An ordered, case-insensitive multi-map of strings with apr_table semantics: the shape Apache
// uses for request/response headers, the environment (subprocess_env) and notes. Entries keep
// their string capacity when removed or cleared, so a table reused across requests stops
// allocating once warm.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balancerd::expr {

class VarTable {
public:
  struct Entry {
    std::string name;
    std::string value;
  };

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const Entry& operator[](std::size_t i) const noexcept { return entries_[i]; }
  Entry& operator[](std::size_t i) noexcept { return entries_[i]; }
  const Entry* begin() const noexcept { return entries_.data(); }
  const Entry* end() const noexcept { return entries_.data() + size_; }

  // First value under `name` (apr_table_get), or nothing.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  std::size_t count(std::string_view name) const noexcept;
  // apr_table_set: the first entry takes the value, later ones under the name go.
  void set(std::string_view name, std::string_view value);
  // apr_table_add: one more entry at the end.
  void add(std::string_view name, std::string_view value);
  // apr_table_merge: the first entry becomes "old, value"; added when absent.
  void merge(std::string_view name, std::string_view value);
  // apr_table_unset: every entry under the name goes (order of the rest kept).
  void unset(std::string_view name);
  void erase(std::size_t index);
  void clear() noexcept { size_ = 0; }

private:
  Entry& push();
  std::vector<Entry> entries_;
  std::size_t size_ = 0;
};

} // namespace balancerd::expr
