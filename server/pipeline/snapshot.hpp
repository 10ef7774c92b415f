#pragma once
// One published configuration as requests see it: the compiled model, the per-request resolver
// built from it, and the tables loaded for it (TypesConfig). Immutable once built; replaced whole by
// a graceful reload while in-flight requests keep the one they started with.
#include <memory>
#include <string>

#include "directives/model/config.hpp"
#include "server/handlers/mime_types.hpp"
#include "server/runtime/request_config.hpp"

namespace balancerd::pipeline {

struct Snapshot {
  std::shared_ptr<const directives::Config> config;
  std::unique_ptr<runtime::RequestConfigResolver> resolver;
  handlers::MimeTypes mime;
  std::string main_name; // ServerName of the main server (or the guessed one)

  // Builds everything a snapshot needs from a compiled config.
  static std::shared_ptr<const Snapshot> build(std::shared_ptr<const directives::Config> config,
                                               std::string main_name);
};

} // namespace balancerd::pipeline
