#include "server/proxy/proxy_engine.hpp"

#include "server/backend/backend_pools.hpp"
#include "server/proxy/proxy_request.hpp"

namespace balancerd::proxy {

struct ProxyEngine::Impl {
  explicit Impl(balancer::StateStore& s) : store(s) {}
  balancer::StateStore& store;
};

ProxyEngine::ProxyEngine(balancer::StateStore& store) : impl_(std::make_unique<Impl>(store)) {}

ProxyEngine::~ProxyEngine() = default;

namespace {
// mod_proxy_http forwards only a body whose transfer coding is exactly "chunked": any other coding,
// or the header given twice ("chunked, chunked" once merged), is refused with 500 before anything
// reaches the backend, so a backend can never read the body differently (request smuggling).
bool transfer_coding_refused(const http::Request& req) {
  if (req.body != http::BodyKind::Chunked) return false;
  int seen = 0;
  for (const auto& h : req.headers) {
    if (!http::iequals(h.name, "Transfer-Encoding")) continue;
    if (++seen > 1 || !http::iequals(h.value, "chunked")) return true;
  }
  return false;
}
} // namespace

void ProxyEngine::handle(net::Exchange& ex, pipeline::RequestState& state, proxypass::ProxyTarget target) {
  if (transfer_coding_refused(ex.request())) {
    ex.send_error(500);
    return;
  }
  start_proxy_request(impl_->store, ex, state, std::move(target));
}

void ProxyEngine::close_idle() {
  // Each io thread closes its pools' idle connections at its next backend use.
  backend::BackendPools::close_idle_everywhere();
}

} // namespace balancerd::proxy
