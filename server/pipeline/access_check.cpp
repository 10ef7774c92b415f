#include "server/pipeline/access_check.hpp"

#include "server/access/authz.hpp"
#include "server/access/host_cache.hpp"

#include <cctype>

namespace balancerd::pipeline {
namespace {

// The name a reverse lookup of the client found, kept for the rest of the request: Apache keeps it
// on the connection, so %h and REMOTE_HOST show it after a Require host even with HostnameLookups
// Off.
class RecordingResolver final : public access::HostResolver {
public:
  RecordingResolver(access::HostResolver& inner, std::string& name) : inner_(inner), name_(name) {}
  std::string reverse(std::string_view ip) override {
    std::string found = inner_.reverse(ip);
    if (!found.empty()) {
      name_ = found;
      for (char& c : name_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return found;
  }
  std::vector<std::string> forward(std::string_view name) override { return inner_.forward(name); }

private:
  access::HostResolver& inner_;
  std::string& name_;
};

} // namespace

int access_status(const directives::AuthzDirConf& authz, RequestState& st) {
  // nothing configured at any level: authz_core grants
  if (!authz.root && authz.allow.empty() && authz.deny.empty() &&
      authz.order == directives::AccessOrder::Unset)
    return 200;
  // Require host / Allow from <name> look the client up (cached per thread; see host_cache.hpp)
  RecordingResolver resolver(access::thread_host_resolver(), st.remote_host);
  access::AccessEnv env{st.ctx, &resolver};
  const int status = access::check_access(authz, env).status();
  if (!st.remote_host.empty()) {
    st.ctx.info.remote_host = st.remote_host;
    // kept on the connection for its next requests (unless mod_remoteip made the client another)
    if (st.conn_names && !st.conn_names->looked_up && st.useragent_ip == st.ctx.info.client_ip) {
      st.conn_names->remote_host = st.remote_host;
      st.conn_names->looked_up = true;
    }
  }
  return status;
}

} // namespace balancerd::pipeline
