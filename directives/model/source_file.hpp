#pragma once
// The config file a definition was read from, for messages that name it ("file:line"). Every
// definition from one file shares the parse tree's one copy of the path: a std::string per Worker,
// Section, HeaderRule, Require line... was a heap copy each (a tenth of a large config's model).
// Reads like a const std::string (it converts to one); assigning a string makes a new shared copy.
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace balancerd::directives {

class SourceFile {
public:
  SourceFile() = default;
  SourceFile(std::shared_ptr<const std::string> path) : p_(std::move(path)) {} // NOLINT: shares
  SourceFile(std::string path)                                                 // NOLINT: converts
      : p_(path.empty() ? nullptr : std::make_shared<const std::string>(std::move(path))) {}
  SourceFile(const char* path) : SourceFile(std::string(path)) {} // NOLINT: converts

  const std::string& str() const { return p_ ? *p_ : empty_string(); }
  operator const std::string&() const { return str(); } // NOLINT: reads as a string
  bool empty() const { return str().empty(); }
  std::size_t size() const { return str().size(); }
  const char* c_str() const { return str().c_str(); }
  void clear() { p_.reset(); }

  friend bool operator==(const SourceFile& a, const SourceFile& b) { return a.str() == b.str(); }
  friend std::string operator+(const SourceFile& a, std::string_view b) { return a.str() + std::string(b); }
  friend std::string operator+(std::string_view a, const SourceFile& b) { return std::string(a) + b.str(); }
  friend std::ostream& operator<<(std::ostream& os, const SourceFile& f) { return os << f.str(); }

private:
  static const std::string& empty_string() {
    static const std::string value;
    return value;
  }
  std::shared_ptr<const std::string> p_;
};

} // namespace balancerd::directives
