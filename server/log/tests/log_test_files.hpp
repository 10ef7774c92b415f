#pragma once
// Files for the log tests (log_tests and server_tests' log targets): a scratch directory and
// reading a whole file back.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace balancerd::log::test_files {

// A fresh directory /tmp/<prefix>-XXXXXX, removed with everything in it at the end.
class TempDir {
public:
  explicit TempDir(const std::string& prefix) {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    dir_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

private:
  std::string dir_;
};

// The file's bytes ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace balancerd::log::test_files
