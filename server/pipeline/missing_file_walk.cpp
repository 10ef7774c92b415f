#include "server/pipeline/missing_file_walk.hpp"

#include <sys/stat.h>

#include <string>

namespace balancerd::pipeline {

std::size_t missing_file_walk_end(std::string_view file_path) {
  std::string prefix(file_path); // NUL-terminated prefixes are cut in place
  std::size_t end = 0;
  while (end < file_path.size()) {
    const std::size_t start = end + 1;
    end = file_path.find('/', start);
    if (end == std::string_view::npos) end = file_path.size();
    if (end == start) continue;         // "//" or the leading '/': no segment
    if (end == file_path.size()) break; // the last segment: it ends the name whether it exists or not
    const char saved = prefix[end];
    prefix[end] = '\0';
    struct stat st {};
    const bool dir = ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    prefix[end] = saved;
    if (!dir) return end; // missing, or a file with more path below it
  }
  return file_path.size();
}

std::string_view path_info_of(std::string_view uri, std::string_view file_path, std::size_t name_end) {
  if (name_end >= file_path.size()) return {};
  const std::string_view tail = file_path.substr(name_end);
  if (!uri.ends_with(tail)) return {};
  return uri.substr(uri.size() - tail.size());
}

bool default_handler_takes_path_info(std::string_view accept, bool get_head_or_post) {
  return !get_head_or_post || accept == "on";
}

} // namespace balancerd::pipeline
