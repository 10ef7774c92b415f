#pragma once
// A scratch ServerRoot for config tests (with logs/, where Apache's default error log goes), removed
// when the test ends; and the text replacement tests use to name temp paths stably in messages.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace balancerd::directives::test {

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

class TempTree {
public:
  TempTree() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bd-conf-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    std::filesystem::create_directory(std::filesystem::path(dir_) / "logs");
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  const std::string& dir() const { return dir_; }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

private:
  std::string dir_;
};

} // namespace balancerd::directives::test
