#pragma once
// Test support: a temporary directory tree, a ReadHooks that knows a handful of modules, and a
// helper that runs the read pass and returns either the tree or Apache's error text.
#include "parser/ascii_case.hpp"
#include "parser/config_reader.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace balancerd::parser::testing {

// Modules are listed by identifier and by source file name, as <IfModule> accepts both.
class FakeHooks : public ReadHooks {
public:
  FakeHooks() {
    add_module("core_module", "core.c");
    add_module("so_module", "mod_so.c");
    add_module("version_module", "mod_version.c");
    add_module("mpm_event_module", "mod_mpm_event.c");
    add_module("authz_core_module", "mod_authz_core.c");
    for (const char* d :
         {"ServerName", "Listen", "DocumentRoot", "ErrorLog", "<VirtualHost", "<Location", "<Directory",
          "<Files", "<If", "<Else", "<IfModule", "<IfDefine", "Require", "<RequireAny"})
      directives[ascii_lower(d)] = d;
  }
  void add_module(const std::string& id, const std::string& file) {
    modules.insert(id);
    modules.insert(file);
  }
  bool module_loaded(std::string_view name) const override { return modules.count(std::string(name)) > 0; }
  bool directive_known(std::string_view name) const override {
    return directives.count(ascii_lower(name)) > 0;
  }
  std::optional<std::string> load_module_as_written(std::string_view id, const std::string& path,
                                                    std::string_view written) override {
    if (::access(path.c_str(), F_OK) != 0) {
      loaded.push_back(std::string(id) + " " + path);
      return "Cannot load " + std::string(written) + " into server: " + path +
             ": cannot open shared object file: No such file or directory";
    }
    return load_module(id, path);
  }
  std::optional<std::string> load_module(std::string_view id, const std::string& path) override {
    loaded.push_back(std::string(id) + " " + path);
    if (modules.count(std::string(id))) {
      log("so", "warn", "AH01574: module " + std::string(id) + " is already loaded, skipping");
      return std::nullopt;
    }
    modules.insert(std::string(id));
    return std::nullopt;
  }
  std::optional<std::string> load_file(const std::string& path) override {
    loaded.push_back("file " + path);
    if (::access(path.c_str(), F_OK) != 0)
      return "Cannot load " + path + " into server: " + path +
             ": cannot open shared object file: No such file or directory";
    return std::nullopt;
  }
  void log(std::string_view module, std::string_view level, std::string_view text) override {
    logs.push_back("[" + std::string(module) + ":" + std::string(level) + "] " + std::string(text));
  }
  std::string canonical_name(std::string_view name) const override {
    auto it = directives.find(ascii_lower(name));
    return it == directives.end() ? std::string(name) : it->second;
  }

  std::set<std::string> modules;
  std::map<std::string, std::string> directives; // lower-case -> registered spelling
  std::vector<std::string> loaded;
  std::vector<std::string> logs;
};

class TempTree {
public:
  TempTree() {
    char tmpl[] = "/tmp/bd-parser-test-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    if (d == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = d;
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::string& root() const { return root_; }
  std::string path(const std::string& rel) const { return root_ + "/" + rel; }
  std::string write(const std::string& rel, const std::string& contents) const {
    std::string p = path(rel);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << contents;
    return p;
  }
  std::string mkdir(const std::string& rel) const {
    std::filesystem::create_directories(path(rel));
    return path(rel);
  }

private:
  std::string root_;
};

// Runs the read pass on `main.conf` (written with `contents`) with ServerRoot = the temp root.
struct ReadRun {
  std::optional<ReadResult> result;
  std::string error; // empty on success
};

inline ReadRun read_with(const TempTree& t, FakeHooks& hooks, ReadOptions options) {
  if (options.server_root.empty()) options.server_root = t.root();
  ReadRun r;
  try {
    r.result = read_config(options, hooks);
  } catch (const ReadError& e) {
    r.error = e.what();
  }
  return r;
}

inline ReadRun read_text(const TempTree& t, FakeHooks& hooks, const std::string& contents,
                         ReadOptions options = {}) {
  t.write("main.conf", contents);
  options.config_file = "main.conf";
  return read_with(t, hooks, std::move(options));
}

// The error text with the temp root replaced by <T>, so expectations read like the captures.
inline std::string tidy(const TempTree& t, std::string s) {
  for (std::size_t p = s.find(t.root()); p != std::string::npos; p = s.find(t.root(), p))
    s.replace(p, t.root().size(), "<T>");
  return s;
}

// Names of the top-level nodes (and their children, indented by depth), for compact asserts.
inline void outline(const std::vector<Node>& nodes, std::string& out, int depth = 0) {
  for (const auto& n : nodes) {
    out += std::string(static_cast<std::size_t>(depth) * 2, ' ') + n.name;
    if (!n.args.empty()) out += " " + n.args;
    out += "\n";
    outline(n.children, out, depth + 1);
  }
}
inline std::string outline(const ReadResult& r) {
  std::string s;
  outline(r.tree, s);
  return s;
}

} // namespace balancerd::parser::testing
