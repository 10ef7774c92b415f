#pragma once
// What the lifecycle tests read back from files and /proc: a whole file, and a process's parent,
// state, real uid, threads and status fields (the tests watch the privileged helper, piped loggers and
// daemons come and go, and the server's threads).
#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace balancerd::testing_support {

// The file's contents ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// /proc/<pid>/stat's parent pid (-1 when the process is gone).
inline pid_t parent_of(pid_t pid) {
  const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 1));
  char state = 0;
  pid_t ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

// A live (not zombie) process?
inline bool running(pid_t pid) {
  const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// The real uid of a process, from /proc/<pid>/status (-1 when the process is gone).
inline long uid_of(pid_t pid) {
  std::istringstream status(slurp("/proc/" + std::to_string(pid) + "/status"));
  std::string key;
  while (status >> key)
    if (key == "Uid:") {
      long uid = -1;
      status >> uid;
      return uid;
    }
  return -1;
}

// The number of threads of a process, from /proc/<pid>/task (0 when the process is gone).
inline std::size_t thread_count(pid_t pid) {
  std::error_code ec;
  std::size_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec), end;
       !ec && it != end; it.increment(ec))
    ++n;
  return n;
}

// A /proc/<pid>/status field's text ("CapEff:" -> "0000000000000000"; "" when absent).
inline std::string status_field(pid_t pid, const std::string& key) {
  std::istringstream status(slurp("/proc/" + std::to_string(pid) + "/status"));
  std::string word;
  while (status >> word)
    if (word == key) {
      status >> word;
      return word;
    }
  return "";
}

} // namespace balancerd::testing_support
