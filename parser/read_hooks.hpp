#pragma once
// What the read pass needs to know about modules without knowing what a directive means. The
// directives layer implements this; the parser calls it while it reads, in file order.
#include <optional>
#include <string>
#include <string_view>

namespace balancerd::parser {

class ReadHooks {
public:
  virtual ~ReadHooks() = default;
  // <IfModule>: name is an identifier ("proxy_module") or a source file name ("mod_proxy.c").
  virtual bool module_loaded(std::string_view name) const = 0;
  // <IfDirective>: a loaded module registers this directive (case-insensitive).
  // <IfSection>: called with "<name".
  virtual bool directive_known(std::string_view name) const = 0;
  // LoadModule id path (path already made absolute against ServerRoot). Returns the build-pass error
  // text (without any "Syntax error on line" prefix) or nothing. May log warnings (AH01574).
  virtual std::optional<std::string> load_module(std::string_view id, const std::string& path) = 0;
  virtual std::optional<std::string> load_file(const std::string& path) = 0;
  // What the parser actually calls: the same, plus the path as written in the config, because
  // Apache's error names both ("Cannot load modules/x.so into server: /etc/apache2/modules/x.so:
  // cannot open shared object file: ..."). The defaults forward to the two above.
  virtual std::optional<std::string> load_module_as_written(std::string_view id, const std::string& path,
                                                            std::string_view /*as_written*/) {
    return load_module(id, path);
  }
  virtual std::optional<std::string> load_file_as_written(const std::string& path,
                                                          std::string_view /*as_written*/) {
    return load_file(path);
  }
  // A log line produced while reading, e.g. ("core", "warn", "AH00111: Config variable ${X} is not defined").
  virtual void log(std::string_view module, std::string_view level, std::string_view text) = 0;
  // The registered spelling of a directive or section name a loaded module knows ("<location" ->
  // "<Location"); Apache prints it in nesting errors ("Expected </Location> but saw </Directory>",
  // "<VirtualHost> was not closed."). Unknown names come back unchanged, which is the default.
  virtual std::string canonical_name(std::string_view name) const { return std::string(name); }
};

} // namespace balancerd::parser
