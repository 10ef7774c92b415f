#include "server/pipeline/snapshot.hpp"

namespace balancerd::pipeline {
namespace {

bool any_pass(const std::vector<directives::Section>& sections) {
  for (const auto& sec : sections)
    if (sec.conf.proxy->pass || any_pass(sec.nested)) return true;
  return false;
}

} // namespace

std::shared_ptr<const Snapshot> Snapshot::build(std::shared_ptr<const directives::Config> config,
                                                std::string main_name,
                                                std::shared_ptr<const log::LogSet> logs) {
  auto s = std::make_shared<Snapshot>();
  s->logs = std::move(logs);
  s->config = config;
  s->main_name = main_name;
  s->has_location_pass = any_pass(config->main.sections);
  for (const auto& v : config->vhosts) s->has_location_pass = s->has_location_pass || any_pass(v.sections);
  s->resolver = std::make_unique<runtime::RequestConfigResolver>(config, main_name);
  const auto& tc = config->main.mapping.types_config;
  s->mime.load_file(tc ? *tc : std::string("/etc/mime.types"));
  for (const auto& m : config->modules)
    if (m.id == "autoindex_module") s->autoindex = true;
  return s;
}

} // namespace balancerd::pipeline
