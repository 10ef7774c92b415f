// libFuzzer entry: the input is the contents of the main config file; the read pass must end in a
// tree or a ReadError, never a crash, hang or sanitizer report. Built only with
// -DBALANCERD_FUZZ=ON and clang.
#include "parser/ascii_case.hpp"
#include "parser/config_reader.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace balancerd::parser;

class TrivialHooks : public ReadHooks {
public:
  bool module_loaded(std::string_view name) const override { return name.size() % 2 == 0; }
  bool directive_known(std::string_view name) const override { return name.size() % 3 == 0; }
  std::optional<std::string> load_module(std::string_view id, const std::string&) override {
    if (id.empty() || id[0] == 'x') return std::string("Cannot load module");
    return std::nullopt;
  }
  std::optional<std::string> load_file(const std::string&) override { return std::nullopt; }
  void log(std::string_view, std::string_view, std::string_view) override {}
};

const std::string& work_dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/bd-fuzz-parser-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    if (d == nullptr) std::abort();
    // A few files for Include/IncludeOptional/IfFile to find: plain, nested, unbalanced, recursive.
    const std::string dir = d;
    const std::pair<const char*, const char*> files[] = {
        {"/a.conf", "ServerName a\n<IfModule ab>\nDefine Q v\n</IfModule>\n"},
        {"/closer.conf", "</Location>\n"},
        {"/rec.conf", "Include rec.conf\n"},
    };
    for (const auto& [name, body] : files) {
      FILE* f = std::fopen((dir + name).c_str(), "w");
      if (f == nullptr) std::abort();
      std::fputs(body, f);
      std::fclose(f);
    }
    return dir;
  }();
  return dir;
}

// An Include of an absolute path (or one reaching outside through .. or a variable, or after a
// ServerRoot change) would walk the real filesystem: legitimate for Apache, useless for fuzzing.
bool escapes_work_dir(const std::string& s) {
  const std::string l = balancerd::parser::ascii_lower(s);
  if (l.find("include") == std::string::npos) return false;
  return l.find('/') != std::string::npos || l.find("..") != std::string::npos ||
         l.find("${") != std::string::npos || l.find("serverroot") != std::string::npos;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (escapes_work_dir(text)) return 0;
  // The main file lives in memory: writing a real file per input made the disk the bottleneck.
  static const int fd = ::memfd_create("fuzz-main.conf", 0);
  if (fd < 0) std::abort();
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    std::abort();
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  ReadOptions options;
  options.server_root = work_dir();
  options.config_file = path;
  options.defines = {"FUZZ"};
  TrivialHooks hooks;
  try {
    ReadResult r = read_config(options, hooks);
    (void)r;
  } catch (const ReadError&) {
  }
  return 0;
}
