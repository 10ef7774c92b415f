#pragma once
// The BalancerPersist file: the state of the balancers of every server that has BalancerPersist
// On, written when the state changes hands (reload, manager change, shutdown) and read by the first
// sync of a new process, so manager changes survive a full restart as Apache's persisted slotmem
// does. A line-oriented text format; values are %-escaped.
#include "server/balancer/balancer_state.hpp"
#include "server/balancer/worker_state.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives {
struct Config;
}

namespace balancerd::balancer {

struct PersistedWorker {
  std::string name, display_name, hostname;
  std::uint16_t port = 0;
  WorkerView view;
};

struct PersistedBalancer {
  std::string name;
  std::size_t capacity = 0;
  BalancerSettings settings;
  bool need_reset = false;              // a reset still pending (Apache keeps need_reset in the slotmem)
  std::vector<PersistedWorker> members; // slot order
};

struct PersistedServer {
  std::string key; // the server identity (see StateStore)
  std::vector<PersistedBalancer> balancers;
};

// Where the state store keeps the file unless told otherwise: DefaultRuntimeDir (else
// ServerRoot/logs) + "/balancerd-balancers.state". The privileged helper's check allows this path.
std::string default_persist_path(const directives::Config& config);

std::string serialize_persisted(const std::vector<PersistedServer>& servers);
// nullopt when the text is not a file of this format (a damaged file is ignored, not half-used).
std::optional<std::vector<PersistedServer>> parse_persisted(std::string_view text);

// Whole-file helpers: write to a temporary name then rename, so a crash never leaves half a file. When
// the temporary file cannot be created (a server now running as User, whose DefaultRuntimeDir is
// root's, e.g. a new one after a reload), the runtime-file opener below opens `path` itself and it is
// rewritten in place.
bool write_persisted(const std::string& path, const std::vector<PersistedServer>& servers);

// The file kept open for later writes: the server writes it first while it is still root, then gives
// root up (User/Group), after which it can no longer create files in DefaultRuntimeDir; Apache's root
// parent writes its persisted slotmem at shutdown, balancerd rewrites this descriptor in place (a file
// cut short by a crash fails parse_persisted and is ignored). -1 when it cannot be opened.
// Falls back to the runtime-file opener when this process may not open the file itself.
int open_persisted_for_update(const std::string& path);
bool write_persisted_fd(int fd, const std::vector<PersistedServer>& servers);
std::optional<std::vector<PersistedServer>> read_persisted(const std::string& path);

// Opens (creating it, not truncating) a runtime file for writing where this process may not: a
// descriptor or -errno. The server installs its privileged helper's (Apache's root parent writes
// these files; this library cannot depend on the server, hence a hook). nullptr: none.
using RuntimeFileOpener = int (*)(const std::string& path);
void set_runtime_file_opener(RuntimeFileOpener opener);

} // namespace balancerd::balancer
