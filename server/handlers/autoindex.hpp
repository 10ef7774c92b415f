#pragma once
// mod_autoindex: the listing Apache generates for a directory without an index file when Options
// Indexes is on. Three formats, as Apache chooses them: a plain <ul> list, FancyIndexing as a <pre>
// block, and FancyIndexing + HTMLTable as a table; sorting by the client's C=/O= (and F=, V=, P=)
// query arguments or IndexOrderDefault; icons, alt texts and descriptions from the AddIcon*/AddAlt*/
// AddDescription lists; IndexIgnore. Output byte-compatible with apache2 2.4.71 for those features.
// Not reproduced: HeaderName/ReadmeName inclusion, ScanHTMLTitles, XHTML, TrackModified.
#include <functional>
#include <string>
#include <string_view>

#include "directives/model/autoindex_conf.hpp"

namespace balancerd::handlers {

struct AutoindexRequest {
  std::string_view uri;      // r->uri of the directory (ends with '/')
  std::string_view query;    // r->args
  std::string_view dir_path; // the directory on disk (ends with '/')
  const directives::AutoindexDirConf* conf = nullptr;
  // The content type mod_mime gives a file name (icons and alts by type); may be empty.
  std::function<std::string(std::string_view name)> content_type;
  // Whether a sub-request for the entry would be allowed (Apache hides what it would refuse unless
  // ShowForbidden); may be empty (everything shown).
  std::function<bool(std::string_view name, bool is_dir)> allowed;
  long long now_for_tests = 0; // unused by the renderer; reserved
};

struct AutoindexPage {
  int status = 200; // 403 when the directory cannot be read
  std::string content_type;
  std::string body;
};

AutoindexPage render_autoindex(const AutoindexRequest& request);

// Apache's size column: "  2 ", "4.9K", " 12M", "  - " for none (negative).
std::string format_size(long long size);
// Apache's natural ("version") order of two names.
int natural_compare(std::string_view a, std::string_view b, bool ignore_case);

} // namespace balancerd::handlers
