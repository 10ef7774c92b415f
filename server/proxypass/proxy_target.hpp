#pragma once
// Where mod_proxy's translate step sent a request: the backend URL after ProxyPass mapping (or
// `SetHandler proxy:...`, or an absolute URL under ProxyRequests On), and the configured worker or
// balancer that serves it. The pointers refer into the request's configuration snapshot.
#include <string>

#include "directives/model/proxy_conf.hpp"

namespace balancerd::proxypass {

struct ProxyTarget {
  // "http://host:port/path?query", "balancer://name/path?query", "unix:/sock|http://host/path", ...
  // already canonicalised as Apache sends it (or raw with nocanon).
  std::string url;
  // "balancer://name" (lower-case) when url is a balancer URL, else empty.
  std::string balancer;
  // For a direct URL: the worker Apache's lookup finds for it (longest matching name), or null when
  // none is configured (Apache then uses its default "reverse" worker).
  const directives::Worker* worker = nullptr;
  // The rule that mapped the request (null for SetHandler proxy:... and forward proxying).
  const directives::ProxyPassRule* rule = nullptr;
  bool forward = false; // ProxyRequests On: a forward-proxy request for an absolute URL
  // The Unix socket to connect to instead of the URL's host (a "unix:/path|http://..." worker or
  // handler), as configured, else "". A relative path is relative to DefaultRuntimeDir: the engine
  // resolves it (apache2 connected to /tmp/pp/run/b.sock for "unix:b.sock|..." with
  // DefaultRuntimeDir /tmp/pp/run).
  std::string uds_path;
};

} // namespace balancerd::proxypass
