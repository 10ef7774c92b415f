#pragma once
// Apache's privilege drop (User/Group) for a server started as root, with one difference forced by
// having no root parent: the calling thread keeps CAP_NET_BIND_SERVICE, so a graceful reload that
// adds a Listen port below 1024 can still bind it, as Apache's root parent always can.
#include <string>

#include "directives/model/core_conf.hpp"

namespace balancerd::lifecycle {

// Root only (otherwise nothing happens): supplementary groups cleared, then Group, then User ("#n"
// for a numeric id; www-data when unset). Call from the thread that will bind new listeners later:
// capabilities are per thread, and only this one keeps CAP_NET_BIND_SERVICE (the threads that
// already exist lose every capability, and nothing exec'd inherits it). Returns Apache's message
// ("AH00544: ...") when the drop failed, "" otherwise.
std::string drop_privileges(const directives::CoreServerConf& core);

// Whether the calling thread may bind a port below 1024 (root, or the kept capability).
bool can_bind_privileged_ports();

} // namespace balancerd::lifecycle
