#pragma once
// One published configuration as requests see it: the compiled model, the per-request resolver
// built from it, and the tables loaded for it (TypesConfig). Immutable once built; replaced whole by
// a graceful reload while in-flight requests keep the one they started with.
#include <memory>
#include <string>

#include "directives/model/config.hpp"
#include "server/handlers/mime_types.hpp"
#include "server/log/log_set.hpp"
#include "server/runtime/request_config.hpp"

namespace balancerd::pipeline {

struct Snapshot {
  std::shared_ptr<const directives::Config> config;
  std::unique_ptr<runtime::RequestConfigResolver> resolver;
  handlers::MimeTypes mime;
  std::string main_name; // ServerName of the main server (or the guessed one)
  // The logs opened for this configuration (null: requests are not logged, as in unit tests). A
  // graceful reload opens the new configuration's logs; requests in flight finish on the old ones.
  std::shared_ptr<const log::LogSet> logs;
  // Some <Location> (of any server) holds a ProxyPass: the translate step then runs a Location walk.
  bool has_location_pass = false;

  // The logs of a server (runtime::kMainServer or a vhost index), or null without logs.
  const log::ServerLogs* server_logs(int server_index) const {
    return logs ? &logs->server(static_cast<std::size_t>(server_index + 1)) : nullptr;
  }
  bool autoindex = false; // mod_autoindex is loaded

  // Builds everything a snapshot needs from a compiled config.
  static std::shared_ptr<const Snapshot> build(std::shared_ptr<const directives::Config> config,
                                               std::string main_name,
                                               std::shared_ptr<const log::LogSet> logs = nullptr);
};

} // namespace balancerd::pipeline
