#include "server/pipeline/snapshot.hpp"

namespace balancerd::pipeline {

std::shared_ptr<const Snapshot> Snapshot::build(std::shared_ptr<const directives::Config> config,
                                                std::string main_name,
                                                std::shared_ptr<const log::LogSet> logs) {
  auto s = std::make_shared<Snapshot>();
  s->logs = std::move(logs);
  s->config = config;
  s->main_name = main_name;
  s->resolver = std::make_unique<runtime::RequestConfigResolver>(config, main_name);
  const auto& tc = config->main.mapping.types_config;
  s->mime.load_file(tc ? *tc : std::string("/etc/mime.types"));
  return s;
}

} // namespace balancerd::pipeline
