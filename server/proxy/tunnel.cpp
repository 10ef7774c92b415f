#include "server/proxy/tunnel.hpp"

#include <boost/asio/steady_timer.hpp>

#include "server/backend/backend_connection.hpp"
#include "server/http/request.hpp"
#include "server/net/exchange.hpp"
#include "server/proxy/hop_by_hop.hpp"

namespace balancerd::proxy {

namespace asio = boost::asio;
using backend::BackendError;
using http::iequals;

namespace {

// Fields a relayed 101 never carries (they describe the backend's hop, or the Upgrade the proxy
// writes itself).
bool dropped_from_101(std::string_view n) noexcept {
  return iequals(n, "Connection") || iequals(n, "Keep-Alive") || iequals(n, "Proxy-Connection") ||
         iequals(n, "Proxy-Authenticate") || iequals(n, "TE") || iequals(n, "Trailer") ||
         iequals(n, "Upgrade");
}

bool named_in_connection(std::span<const Field> fields, std::string_view name) {
  for (const auto& f : fields) {
    if (!iequals(f.name, "Connection")) continue;
    bool found = false;
    for_each_connection_token(f.value, [&](std::string_view t) { found = found || iequals(t, name); });
    if (found) return true;
  }
  return false;
}

const Field* find_field(std::span<const Field> fields, std::string_view name) {
  for (const auto& f : fields)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

} // namespace

std::string_view allowed_upgrade(std::string_view client_upgrade, std::string_view worker_upgrade,
                                 std::string_view scheme) noexcept {
  if (client_upgrade.empty()) return {};
  std::string_view list = worker_upgrade;
  if (list.empty() && (iequals(scheme, "ws") || iequals(scheme, "wss"))) list = "WebSocket";
  if (list.empty()) return {};
  if (list == "*" || iequals(list, "ANY")) return client_upgrade;
  bool found = false;
  for_each_connection_token(list, [&](std::string_view t) { found = found || iequals(t, client_upgrade); });
  return found ? client_upgrade : std::string_view();
}

std::string upgrade_mismatch(std::string_view asked, std::span<const Field> backend_fields) {
  const Field* up = find_field(backend_fields, "Upgrade");
  if (!asked.empty() && up && iequals(up->value, asked)) return {};
  std::string why = "Unexpected Upgrade: ";
  why.append(up ? up->value : std::string_view("n/a"));
  why.append(" (expecting ");
  why.append(asked.empty() ? std::string_view("n/a") : asked);
  why.push_back(')');
  return why;
}

void build_upgrade_head(std::string& out, std::string_view reason, std::span<const Field> fields,
                        const ReverseMapper* reverse, std::string_view via) {
  out.append("HTTP/1.1 101 ");
  out.append(reason);
  out.append("\r\n");
  const bool chunked = find_field(fields, "Transfer-Encoding") != nullptr;
  std::string scratch;
  // Set-Cookie goes last: Apache sets the cookies aside while it cleans the backend's fields and adds
  // them back after the others.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& f : fields) {
      const bool cookie = iequals(f.name, "Set-Cookie") || iequals(f.name, "Set-Cookie2");
      if (cookie != (pass == 1)) continue;
      if (dropped_from_101(f.name) || named_in_connection(fields, f.name)) continue;
      if (chunked && iequals(f.name, "Content-Length")) continue;
      std::string_view value = f.value;
      if (reverse) {
        scratch.clear();
        if (cookie)
          value = reverse->map_cookie(value, scratch);
        else if (iequals(f.name, "Location") || iequals(f.name, "Content-Location") || iequals(f.name, "URI"))
          value = reverse->map_url(value, scratch);
      }
      append_field(out, f.name, value);
    }
  }
  if (!via.empty()) append_field(out, "Via", via);
  append_field(out, "Connection", "Upgrade");
  if (const Field* up = find_field(fields, "Upgrade")) append_field(out, "Upgrade", up->value);
  out.append("\r\n");
}

// ---- the relay ------------------------------------------------------------------------------------

struct Tunnel::Impl : std::enable_shared_from_this<Tunnel::Impl> {
  using Clock = std::chrono::steady_clock;

  Impl(asio::io_context& io, net::RawStream& c, backend::BackendConnection& b, std::chrono::milliseconds t)
      : client(c), backend(b), timer(io), idle(t) {}

  net::RawStream& client;
  backend::BackendConnection& backend;
  asio::steady_timer timer;
  std::chrono::milliseconds idle;
  Clock::time_point last_activity;
  std::string pending;
  Done done;
  TunnelResult result;
  bool backend_eof = false;
  bool client_eof = false;
  bool ended = false;

  void start() {
    // One idle timer for both directions (Apache polls both sockets with one timeout): the backend
    // connection's own per-operation timeout would end a tunnel whose traffic only flows one way.
    backend.set_io_timeout(std::chrono::milliseconds(0));
    last_activity = Clock::now();
    arm_timer();
    if (!pending.empty())
      to_client(std::span<const char>(pending.data(), pending.size()));
    else
      read_backend();
    read_client();
  }

  // The timer is not moved at each transfer: when it fires, it checks the time of the last one.
  void arm_timer() {
    if (idle.count() <= 0) return;
    timer.expires_at(last_activity + idle);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->ended) return;
      if (Clock::now() < self->last_activity + self->idle) return self->arm_timer();
      self->result.timed_out = true;
      self->end();
    });
  }

  void read_backend() {
    backend.read_some([self = shared_from_this()](BackendError err, std::span<const char> data) {
      if (self->ended) return;
      if (err == BackendError::Eof) {
        if (self->client_eof) return self->end(); // both sides are done
        // The backend is done sending: so is the client's side; wait for the client to finish.
        self->backend_eof = true;
        self->client.shutdown_send();
        return;
      }
      if (err != BackendError::None) return self->end();
      self->last_activity = Clock::now();
      self->to_client(data);
    });
  }

  void to_client(std::span<const char> data) {
    result.to_client += data.size();
    client.write(data, [self = shared_from_this()](bool ok) {
      if (self->ended) return;
      if (!ok) return self->end();
      self->read_backend();
    });
  }

  void read_client() {
    client.read_some([self = shared_from_this()](bool ok, std::span<const char> data) {
      if (self->ended) return;
      if (!ok) {
        // The client is done sending: so is the backend's side (half close, as Apache), and the
        // tunnel waits for the backend to finish; without a half close (TLS) it ends here.
        if (self->backend_eof || !self->backend.shutdown_send()) return self->end();
        self->client_eof = true;
        return;
      }
      self->last_activity = Clock::now();
      self->result.to_backend += data.size();
      self->backend.write(data, [self](BackendError err, std::size_t) {
        if (self->ended) return;
        // After the backend's close, what the client still sends meets a closed connection: Apache
        // ends the tunnel on the hang-up that follows.
        if (err != BackendError::None || self->backend_eof) return self->end();
        self->read_client();
      });
    });
  }

  void end() {
    if (ended) return;
    ended = true;
    timer.cancel();
    auto cb = std::move(done);
    done = nullptr;
    if (cb) cb(result);
  }
};

Tunnel::Tunnel(asio::io_context& io, net::RawStream& client, backend::BackendConnection& backend,
               std::chrono::milliseconds idle)
    : impl_(std::make_shared<Impl>(io, client, backend, idle)) {}

Tunnel::~Tunnel() {
  impl_->ended = true;
  impl_->done = nullptr;
  impl_->timer.cancel();
}

void Tunnel::start(std::string backend_pending, Done done) {
  impl_->pending = std::move(backend_pending);
  impl_->done = std::move(done);
  impl_->start();
}

} // namespace balancerd::proxy
