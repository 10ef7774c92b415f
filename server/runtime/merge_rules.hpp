#pragma once
// The three elementary merge rules the slot merges are written with.
#include <optional>
#include <vector>

namespace balancerd::runtime::merge {

// The child's value when it set one, else the inherited value.
template <class T> void override_if_set(std::optional<T>& out, const std::optional<T>& child) {
  if (child) out = child;
}

// Enums with an explicit Unset value.
template <class E> void override_unless(E& out, const E& child, E unset) {
  if (child != unset) out = child;
}

// Lists where a non-empty child list replaces the inherited one.
template <class T> void replace_if_nonempty(std::vector<T>& out, const std::vector<T>& child) {
  if (!child.empty()) out = child;
}

// Lists accumulated in order: inherited entries first.
template <class T> void append(std::vector<T>& out, const std::vector<T>& child) {
  out.insert(out.end(), child.begin(), child.end());
}

// Lists where the child's entries come first (mod_alias).
template <class T> void prepend(std::vector<T>& out, const std::vector<T>& child) {
  out.insert(out.begin(), child.begin(), child.end());
}

} // namespace balancerd::runtime::merge
