#pragma once
// The bytes of small static files, kept per thread so a file asked for again is sent without
// open(), read() and close(). Every request still stat()s the path, as Apache does; an entry is
// used only while that stat names the same file unchanged (device, inode, size, mtime, ctime), so
// an edited, replaced or chmod-ed file is read afresh. A file changed within the last seconds is
// not kept: its timestamps could still miss a write made in the same clock tick.
#include <sys/stat.h>

#include <cstddef>
#include <ctime>
#include <memory>
#include <string>

namespace balancerd::handlers {

inline constexpr std::size_t kCachedFileMax = 16 * 1024; // larger files are streamed from disk
inline constexpr std::size_t kCachedFilesPerThread = 256;

// The whole content of the regular file `path` whose stat() is `st`, or null when it is not kept
// (too large, changed recently, unreadable, or changed between that stat and the read): the caller
// then reads the file itself. `now`: the request time.
std::shared_ptr<const std::string> cached_file_body(const std::string& path, const struct stat& st,
                                                    std::time_t now);

} // namespace balancerd::handlers
