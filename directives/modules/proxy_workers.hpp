#pragma once
// Worker and balancer definition and lookup within one server's proxy config, with Apache's sharing
// rules: a URL reuses the existing worker whose name is its longest prefix (case-insensitive up to the
// path), ProxyPass looks only at server-level workers, BalancerMember only at its balancer's members,
// and a balancer is found by its lower-cased name without path.
#include "directives/model/proxy_conf.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace balancerd::directives::proxy {

// Lookup masks (Apache's AP_PROXY_WORKER_IS_PREFIX / _IS_MATCH); 0 means both.
enum WorkerMask : unsigned { kPrefix = 1, kMatch = 2 };

// ap_proxy_define_worker_ex's parsing and defaults: fills name, scheme, hostname, port, uds_path,
// is_name_matchable and the default params of `out`, or returns Apache's error text. `out` must be a
// default-constructed Worker (every caller builds one in place; resetting it again cost a Worker's
// construction and move per definition).
std::optional<std::string> make_worker(std::string_view url, unsigned mask, bool in_balancer, Worker& out);

// Apache's AH10366 text when the worker's name does not fit its 384-byte shared slot (Apache logs it
// at proxy:error and keeps the worker), or nothing.
std::optional<std::string> worker_name_alert(const Worker& w);

// ap_proxy_get_worker_ex over the server-level workers (balancer == nullptr) or a balancer's members.
Worker* find_worker(ProxyServerConf& conf, Balancer* balancer, std::string_view url, unsigned mask);

// ap_proxy_get_balancer.
Balancer* find_balancer(ProxyServerConf& conf, std::string_view url);

// ap_proxy_define_balancer: appends a balancer; `alias` is the front-end path (nullopt: none).
// Returns Apache's error text (without the directive prefix).
std::optional<std::string> define_balancer(ProxyServerConf& conf, std::string_view url,
                                           std::optional<std::string_view> alias, Balancer*& out);
// ap_proxy_update_balancer: sets vpath/vhost from the front-end path (ProxyPass ignores its error
// when the balancer already existed, as Apache does).
std::optional<std::string> update_balancer(Balancer& balancer, std::optional<std::string_view> alias);

// ap_proxy_worker_name: the name, prefixed with "unix:PATH|" for a Unix-socket worker.
std::string worker_display_name(const Worker& w);

// Copies ProxyTimeout / ProxyIOBufferSize / ProxyReceiveBufferSize as Apache's PROXY_COPY_CONF_PARAMS.
void copy_conf_params(WorkerParams& w, const ProxyServerConf& conf);

} // namespace balancerd::directives::proxy
