#pragma once
// Members added at run time through balancer-manager ("Add New Worker"). The state store owns the
// members it builds from the configuration; these are built here, from the URL the operator typed,
// and live as long as the process (a balancer may hold the pointer across reloads, as the store's own
// members do). The directives::Worker they were defined from is kept for the XML view.
#include <string>
#include <string_view>

#include "directives/model/proxy_conf.hpp"
#include "server/balancer/worker_state.hpp"

namespace balancerd::manager {

// ap_proxy_define_worker for a balancer member: parses `url`, applies the server's ProxyTimeout /
// ProxyIOBufferSize / ProxyReceiveBufferSize (PROXY_COPY_CONF_PARAMS) and returns a new worker,
// disabled as Apache's new members start. On a bad URL returns nullptr and sets `error`.
balancer::WorkerState* define_added_worker(std::string_view url, const std::string& balancer_name,
                                           const directives::ProxyServerConf& server, std::string& error);

// The definition of a worker made by define_added_worker, or nullptr for any other worker.
const directives::Worker* added_worker_config(const balancer::WorkerState* worker);

} // namespace balancerd::manager
