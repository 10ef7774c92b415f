#pragma once
// Apache's privilege drop (User/Group) for a server started as root, with one difference forced by
// having no root parent: the calling thread keeps CAP_NET_BIND_SERVICE in its permitted set, so a
// graceful reload that adds a Listen port below 1024 can still bind it (raising it around the bind,
// BindCapability), as Apache's root parent always can.
#include <string>

#include "directives/model/core_conf.hpp"

namespace balancerd::lifecycle {

// Root only (otherwise nothing happens): supplementary groups cleared, then Group, then User ("#n"
// for a numeric id; www-data when unset). Call from the thread that starts the reloads: capabilities
// are per thread, and only this one keeps CAP_NET_BIND_SERVICE, permitted but not effective (it
// serves requests, and must be able to do no more than the other io threads); threads it starts
// later inherit that (a reload thread raises it around its bind). The threads that already exist
// lose every capability, and nothing exec'd inherits it. Returns Apache's message ("AH00544: ...")
// when the drop failed, "" otherwise.
std::string drop_privileges(const directives::CoreServerConf& core);

// Whether the calling thread may bind a port below 1024: root, or the kept capability (effective, or
// permitted so that a BindCapability raises it).
bool can_bind_privileged_ports();

// CAP_NET_BIND_SERVICE effective on the calling thread while this lives (or until lower()), when the
// thread has it permitted (kept by drop_privileges); otherwise nothing changes.
class BindCapability {
public:
  BindCapability();
  ~BindCapability() { lower(); }
  BindCapability(const BindCapability&) = delete;
  BindCapability& operator=(const BindCapability&) = delete;
  // Back to permitted only, early (before starting anything that should not inherit it).
  void lower();

private:
  bool raised_ = false;
};

} // namespace balancerd::lifecycle
