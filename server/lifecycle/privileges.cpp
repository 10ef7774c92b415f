#include "server/lifecycle/privileges.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace balancerd::lifecycle {

namespace {

// Raw capget/capset: no libcap dependency for two calls. Version 3 uses two 32-bit words.
bool get_caps(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return ::syscall(SYS_capget, &header, data) == 0;
}

// Leaves the calling thread CAP_NET_BIND_SERVICE alone, permitted, and effective when asked (never
// inheritable: a piped logger exec'd later gets nothing).
bool set_bind_capability(bool effective) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  const unsigned i = CAP_TO_INDEX(CAP_NET_BIND_SERVICE);
  data[i].permitted = CAP_TO_MASK(CAP_NET_BIND_SERVICE);
  if (effective) data[i].effective = CAP_TO_MASK(CAP_NET_BIND_SERVICE);
  return ::syscall(SYS_capset, &header, data) == 0;
}

// Whether the calling thread holds only CAP_NET_BIND_SERVICE, permitted (what drop_privileges left
// it): then raising and lowering it touches nothing else. Root keeps everything and is left alone.
bool holds_only_permitted_bind_capability() {
  if (::geteuid() == 0) return false;
  __user_cap_data_struct data[2]{};
  if (!get_caps(data)) return false;
  const unsigned i = CAP_TO_INDEX(CAP_NET_BIND_SERVICE);
  return data[i].permitted == CAP_TO_MASK(CAP_NET_BIND_SERVICE) && data[1 - i].permitted == 0;
}

} // namespace

std::string drop_privileges(const directives::CoreServerConf& core) {
  if (::geteuid() != 0) return {};
  std::string user = core.user.value_or("www-data"), group = core.group.value_or("www-data");
  gid_t gid;
  uid_t uid;
  if (!group.empty() && group[0] == '#') {
    gid = static_cast<gid_t>(std::stoul(group.substr(1)));
  } else {
    struct group* g = ::getgrnam(group.c_str());
    if (!g) return "AH00543: balancerd: bad group name " + group;
    gid = g->gr_gid;
  }
  if (!user.empty() && user[0] == '#') {
    uid = static_cast<uid_t>(std::stoul(user.substr(1)));
  } else {
    struct passwd* p = ::getpwnam(user.c_str());
    if (!p) return "AH00544: balancerd: bad user name " + user;
    uid = p->pw_uid;
  }
  if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0) return "AH02155: setgid: unable to set group id";
  // KEEPCAPS is per thread, and glibc's setuid changes every thread: this thread keeps its permitted
  // set through the change (then narrowed to the one capability), the others lose all of theirs.
  const bool keep = uid != 0 && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0;
  if (::setuid(uid) != 0) return "AH02157: setuid: unable to change to uid";
  if (keep) {
    // Best effort: without it the server runs as Apache's children do, and only a reload that adds
    // a port below 1024 fails (with the bind error).
    set_bind_capability(false);
    ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  }
  return {};
}

bool can_bind_privileged_ports() {
  if (::geteuid() == 0) return true;
  __user_cap_data_struct data[2]{};
  if (!get_caps(data)) return false;
  const auto& word = data[CAP_TO_INDEX(CAP_NET_BIND_SERVICE)];
  return ((word.effective | word.permitted) & CAP_TO_MASK(CAP_NET_BIND_SERVICE)) != 0;
}

BindCapability::BindCapability() {
  if (holds_only_permitted_bind_capability()) raised_ = set_bind_capability(true);
}

void BindCapability::lower() {
  if (raised_) set_bind_capability(false);
  raised_ = false;
}

} // namespace balancerd::lifecycle
