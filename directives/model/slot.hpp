#pragma once
// A module's per-directory settings, allocated only when something sets them. Most sections set one
// or two modules' directives, and a DirConf holding every slot by value is several KiB: with 10,000
// vhosts of 6 sections each that was most of a config test's memory and time.
//
// Reading through a const Slot never allocates: an unset slot reads as a default-constructed T (the
// "not given here" state every slot type starts in). Access through a non-const Slot allocates on
// first use, so writing code reads like a plain member: `dir.proxy->preserve_host = true`.
// Copies are deep (value semantics, as when the slots were plain members).
#include <memory>

namespace balancerd::directives {

template <typename T> class Slot {
public:
  Slot() = default;
  Slot(const T& value) : p_(std::make_unique<T>(value)) {}       // NOLINT: converts like a plain member
  Slot(T&& value) : p_(std::make_unique<T>(std::move(value))) {} // NOLINT
  Slot(const Slot& other) : p_(other.p_ ? std::make_unique<T>(*other.p_) : nullptr) {}
  Slot(Slot&&) noexcept = default;
  Slot& operator=(const Slot& other) {
    if (this != &other) p_ = other.p_ ? std::make_unique<T>(*other.p_) : nullptr;
    return *this;
  }
  Slot& operator=(Slot&&) noexcept = default;
  ~Slot() = default;

  const T& operator*() const { return p_ ? *p_ : empty(); }
  const T* operator->() const { return &**this; }
  T& operator*() { return get(); }
  T* operator->() { return &get(); }

  // The settings to write, allocated (default-constructed) on first use.
  T& get() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  // Compares the settings (an unset slot equals a default one).
  friend bool operator==(const Slot& a, const Slot& b) { return *a == *b; }

  // Whether anything was ever written here (an allocated slot may still hold only defaults).
  bool allocated() const { return p_ != nullptr; }

private:
  static const T& empty() {
    static const T value{};
    return value;
  }
  std::unique_ptr<T> p_;
};

} // namespace balancerd::directives
