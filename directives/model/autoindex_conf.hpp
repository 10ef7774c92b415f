#pragma once
// Slot for mod_autoindex: IndexOptions (absolute and +/- incremental, as Apache merges them), the
// icon/alt/description lists, IndexIgnore, HeaderName/ReadmeName, IndexOrderDefault and friends.
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

enum AutoindexOption : unsigned {
  kIndexFancy = 1u << 0,
  kIndexFoldersFirst = 1u << 1,
  kIndexHtmlTable = 1u << 2,
  kIndexIconsAreLinks = 1u << 3,
  kIndexIgnoreCase = 1u << 4,
  kIndexIgnoreClient = 1u << 5,
  kIndexScanTitles = 1u << 6,
  kIndexSuppressColSort = 1u << 7,
  kIndexSuppressDesc = 1u << 8,
  kIndexSuppressPreamble = 1u << 9,
  kIndexSuppressIcon = 1u << 10,
  kIndexSuppressLastMod = 1u << 11,
  kIndexSuppressRules = 1u << 12,
  kIndexSuppressSize = 1u << 13,
  kIndexTrackModified = 1u << 14,
  kIndexVersionSort = 1u << 15,
  kIndexXhtml = 1u << 16,
  kIndexShowForbidden = 1u << 17,
  kIndexAddAltClass = 1u << 18,
  kIndexUseOldDateFormat = 1u << 19,
};

// One AddIcon*/AddAlt*/AddDescription entry.
struct AutoindexItem {
  enum class Kind { Name, Type, Encoding } kind = Kind::Name;
  std::string
      pattern;       // file name/extension/wildcard, MIME type or encoding, or ^^DIRECTORY^^ / ^^BLANKICON^^
  std::string value; // icon URL, alt text or description
  bool operator==(const AutoindexItem&) const = default;
};

struct AutoindexDirConf {
  std::optional<unsigned> opts;  // unprefixed IndexOptions keywords of this level (replace inherited)
  unsigned incr_on = 0;          // +Keyword
  unsigned incr_off = 0;         // -Keyword
  std::optional<int> name_width; // -1: '*' (as wide as the longest name)
  std::optional<int> desc_width;
  std::optional<int> icon_width, icon_height;
  std::optional<std::string> charset, content_type;
  std::vector<AutoindexItem> icons;        // AddIcon* (config order, this level's first after a merge)
  std::vector<AutoindexItem> alts;         // AddAlt*, and the ALT of AddIcon (ALT,url)
  std::vector<AutoindexItem> descriptions; // AddDescription
  std::vector<std::string> ignore;         // IndexIgnore
  bool ignore_reset = false;               // IndexIgnoreReset On
  std::optional<std::string> header_name, readme_name, default_icon, style_sheet, head_insert;
  std::optional<char> order_key;  // 'N', 'M', 'S', 'D'
  std::optional<bool> order_desc; // IndexOrderDefault Descending

  unsigned effective() const { return (opts.value_or(0) | incr_on) & ~incr_off; }
  bool operator==(const AutoindexDirConf&) const = default;
};

} // namespace balancerd::directives
