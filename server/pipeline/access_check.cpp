#include "server/pipeline/access_check.hpp"

#include "server/access/authz.hpp"
#include "server/access/host_cache.hpp"
#include "server/pipeline/request_phases.hpp"

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
  remember_remote_host(st); // kept on the connection for its next requests
  return status;
}

} // namespace balancerd::pipeline
