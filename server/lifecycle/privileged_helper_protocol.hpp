#pragma once
// The messages between the server and its privileged helper (privileged_helper.hpp), one request
// and one reply per SOCK_SEQPACKET message, descriptors as SCM_RIGHTS. Fixed sizes: the helper
// reads them into fixed buffers (it may not allocate, see privileged_helper_process.cpp).
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace balancerd::lifecycle::helper_protocol {

enum Op : std::uint32_t {
  kOpenLog = 1,     // data: the path; reply: the descriptor
  kOpenRuntime = 2, // data: the path; reply: the descriptor
  kSpawnLogger = 3, // data: argc NUL-terminated words; fds: stdin, stdout, stderr; reply: pid, pidfd
  kStopLogger = 4,  // pid
  kArmPidFile = 5,
  kRequireChecks = 6, // from now on, kOpenLog, kOpenRuntime, kSpawnLogger and kOpenReadOnly are checked
  kOpenReadOnly = 7,  // data: the path (a TLS certificate or key file); reply: the descriptor
};

struct Request {
  std::uint32_t op = 0;
  std::uint32_t argc = 0; // kSpawnLogger: words in data
  std::int32_t pid = -1;  // kStopLogger
  std::uint32_t length = 0;
};

struct Reply {
  std::int32_t error = 0; // an errno value, 0 on success
  std::int32_t pid = -1;  // kSpawnLogger
};

constexpr std::size_t kMaxData = 16384; // a path or a piped-log command line
constexpr std::size_t kMaxArgs = 255;
constexpr int kMaxFds = 3;

// The validator's command line before the request (privileged_check.hpp) has at most this many words.
constexpr int kMaxCheckPrefix = 512;

// The helper's life, in the forked child: serves requests on `socket` until the server's end
// closes, then removes `pid_file` if armed and _exits. Only async-signal-safe calls. After
// kRequireChecks, each kOpenLog, kOpenRuntime and kSpawnLogger request is first checked by running
// `check_argv` (the validator's words up to "--", built before the fork) with the request appended;
// without it (nullptr) those requests are refused with EPERM.
[[noreturn]] void run_helper_process(int socket, const char* pid_file, char* const* check_argv,
                                     int check_argc);

} // namespace balancerd::lifecycle::helper_protocol
