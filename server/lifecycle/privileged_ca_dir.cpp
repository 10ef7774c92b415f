#include "server/lifecycle/privileged_ca_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "server/lifecycle/privileged_check.hpp"
#include "server/lifecycle/privileged_helper.hpp"

namespace balancerd::lifecycle {

namespace {

constexpr std::size_t kMaxCaFile = 16u << 20;

// Directly when this process may (a readable directory such as /etc/ssl/certs costs no helper
// round trip per entry), else as root (open_read_file: the helper, or this process while root).
int open_for_reading(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return fd;
  if (errno != EACCES && errno != EPERM) return -errno;
  return open_read_file(path);
}

bool read_all(int fd, std::string& out) {
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxCaFile) return false;
  }
}

} // namespace

std::vector<std::string> read_hashed_ca_files(const std::string& dir) {
  std::vector<std::string> out;
  const int dfd = open_for_reading(dir, O_DIRECTORY);
  if (dfd < 0) return out;
  DIR* d = ::fdopendir(dfd); // the listing needs only the descriptor, opened as root if need be
  if (!d) {
    ::close(dfd);
    return out;
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d))
    if (is_hashed_ca_name(e->d_name)) names.emplace_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  std::string base = dir;
  if (base.empty() || base.back() != '/') base += '/';
  for (const auto& name : names) {
    const int fd = open_for_reading(base + name, 0);
    if (fd < 0) continue;
    std::string data;
    const bool ok = read_all(fd, data);
    ::close(fd);
    if (ok) out.push_back(std::move(data));
  }
  return out;
}

} // namespace balancerd::lifecycle
