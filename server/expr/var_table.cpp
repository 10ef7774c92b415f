#include "server/expr/var_table.hpp"

#include <algorithm>

#include "server/http/request.hpp"

namespace balancerd::expr {

// http::iequals: the shared inline ASCII compare that skips equal bytes before folding (names here
// are mostly written in one case: BALANCER_*, header names as sent) and ends most mismatches at the
// length.
using http::iequals;

std::optional<std::string_view> VarTable::get(std::string_view name) const noexcept {
  for (const Entry& e : *this)
    if (iequals(e.name, name)) return std::string_view(e.value);
  return std::nullopt;
}

std::size_t VarTable::count(std::string_view name) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(begin(), end(), [&](const Entry& e) { return iequals(e.name, name); }));
}

VarTable::Entry& VarTable::push() {
  if (size_ == entries_.size()) entries_.emplace_back();
  return entries_[size_++];
}

void VarTable::add(std::string_view name, std::string_view value) {
  Entry& e = push();
  e.name.assign(name);
  e.value.assign(value);
}

void VarTable::set(std::string_view name, std::string_view value) {
  std::size_t i = 0;
  while (i < size_ && !iequals(entries_[i].name, name)) ++i;
  if (i == size_) {
    add(name, value);
    return;
  }
  entries_[i].value.assign(value);
  for (std::size_t j = i + 1; j < size_;) {
    if (iequals(entries_[j].name, name))
      erase(j);
    else
      ++j;
  }
}

void VarTable::merge(std::string_view name, std::string_view value) {
  for (std::size_t i = 0; i < size_; ++i) {
    if (iequals(entries_[i].name, name)) {
      entries_[i].value.append(", ").append(value);
      return;
    }
  }
  add(name, value);
}

void VarTable::unset(std::string_view name) {
  for (std::size_t j = 0; j < size_;) {
    if (iequals(entries_[j].name, name))
      erase(j);
    else
      ++j;
  }
}

void VarTable::erase(std::size_t index) {
  if (index >= size_) return;
  // Rotate the removed entry past the live ones so its buffers are reused later.
  std::rotate(entries_.begin() + static_cast<std::ptrdiff_t>(index),
              entries_.begin() + static_cast<std::ptrdiff_t>(index) + 1,
              entries_.begin() + static_cast<std::ptrdiff_t>(size_));
  --size_;
}

} // namespace balancerd::expr
