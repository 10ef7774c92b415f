#include "server/handlers/file_body_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <unordered_map>

namespace balancerd::handlers {

namespace {

// A write updates mtime and ctime to the kernel's coarse clock: one in the same tick as the stat
// that filled an entry would leave them unchanged. Files this young are therefore never kept.
constexpr std::time_t kSettledSeconds = 2;

struct Identity {
  dev_t dev;
  ino_t ino;
  off_t size;
  timespec mtime, ctime;
};

Identity identity_of(const struct stat& st) {
  return {st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
}

bool same(const Identity& a, const Identity& b) {
  return a.dev == b.dev && a.ino == b.ino && a.size == b.size && a.mtime.tv_sec == b.mtime.tv_sec &&
         a.mtime.tv_nsec == b.mtime.tv_nsec && a.ctime.tv_sec == b.ctime.tv_sec &&
         a.ctime.tv_nsec == b.ctime.tv_nsec;
}

struct Entry {
  Identity id;
  std::shared_ptr<const std::string> body;
};

thread_local std::unordered_map<std::string, Entry> entries;

std::shared_ptr<const std::string> read_whole(const std::string& path, const Identity& want) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return nullptr;
  std::shared_ptr<std::string> body;
  struct stat now {};
  if (::fstat(fd, &now) == 0 && same(identity_of(now), want)) {
    body = std::make_shared<std::string>(static_cast<std::size_t>(want.size), '\0');
    std::size_t got = 0;
    while (got < body->size()) {
      const ssize_t n = ::pread(fd, body->data() + got, body->size() - got, static_cast<off_t>(got));
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    if (got != body->size()) body.reset();
  }
  ::close(fd);
  return body;
}

} // namespace

std::shared_ptr<const std::string> cached_file_body(const std::string& path, const struct stat& st,
                                                    std::time_t now) {
  if (!S_ISREG(st.st_mode) || st.st_size < 0 || static_cast<std::size_t>(st.st_size) > kCachedFileMax)
    return nullptr;
  const Identity id = identity_of(st);
  auto it = entries.find(path);
  if (it != entries.end() && same(it->second.id, id)) return it->second.body;
  if (now - st.st_mtim.tv_sec < kSettledSeconds || now - st.st_ctim.tv_sec < kSettledSeconds) {
    if (it != entries.end()) entries.erase(it);
    return nullptr;
  }
  auto body = read_whole(path, id);
  if (!body) return nullptr;
  if (it != entries.end()) {
    it->second = Entry{id, body};
  } else {
    if (entries.size() >= kCachedFilesPerThread) entries.clear(); // bounded; in-flight bodies live on
    entries.emplace(path, Entry{id, body});
  }
  return body;
}

} // namespace balancerd::handlers
