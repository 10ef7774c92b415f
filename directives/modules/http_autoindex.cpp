// mod_autoindex: IndexOptions and the lists the listing is built from. Messages as apache2 2.4.71.
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

namespace balancerd::directives::http {
namespace {

using Kind = AutoindexItem::Kind;

// "(ALT,url)" gives the alt text and the icon; a plain word is the icon alone.
Result split_icon(const std::string& word, std::string& icon, std::string& alt) {
  if (word.empty() || word[0] != '(') {
    icon = word;
    alt.clear();
    return std::nullopt;
  }
  const auto close = word.find(')');
  if (close == std::string::npos) return "missing closing paren";
  const std::string inner = word.substr(1, close - 1);
  const auto comma = inner.find(',');
  alt = comma == std::string::npos ? inner : inner.substr(0, comma);
  icon = comma == std::string::npos ? std::string() : inner.substr(comma + 1);
  return std::nullopt;
}

template <Kind kind> Result add_icon(CmdParms& cmd, std::span<const std::string> a) {
  std::string icon, alt;
  if (auto err = split_icon(a[0], icon, alt)) return err;
  auto& ai = *cmd.dir().autoindex;
  if (!alt.empty()) ai.alts.push_back({kind, a[1], alt});
  ai.icons.push_back({kind, a[1], icon});
  return std::nullopt;
}

template <Kind kind> Result add_alt(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().autoindex->alts.push_back({kind, a[1], a[0]});
  return std::nullopt;
}

Result add_description(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().autoindex->descriptions.push_back({Kind::Name, a[1], a[0]});
  return std::nullopt;
}

struct Keyword {
  const char* name;
  unsigned bit;
};
constexpr Keyword kKeywords[] = {
    {"FancyIndexing", kIndexFancy},
    {"FoldersFirst", kIndexFoldersFirst},
    {"HTMLTable", kIndexHtmlTable},
    {"IconsAreLinks", kIndexIconsAreLinks},
    {"IgnoreCase", kIndexIgnoreCase},
    {"IgnoreClient", kIndexIgnoreClient},
    {"ScanHTMLTitles", kIndexScanTitles},
    {"SuppressColumnSorting", kIndexSuppressColSort},
    {"SuppressDescription", kIndexSuppressDesc},
    {"SuppressHTMLPreamble", kIndexSuppressPreamble},
    {"SuppressIcon", kIndexSuppressIcon},
    {"SuppressLastModified", kIndexSuppressLastMod},
    {"SuppressRules", kIndexSuppressRules},
    {"SuppressSize", kIndexSuppressSize},
    {"TrackModified", kIndexTrackModified},
    {"VersionSort", kIndexVersionSort},
    {"XHTML", kIndexXhtml},
    {"ShowForbidden", kIndexShowForbidden},
    {"AddAltClass", kIndexAddAltClass},
    {"UseOldDateFormat", kIndexUseOldDateFormat},
};

// NameWidth=, DescriptionWidth=: a number or '*'; a bare "-Name" resets to the default.
Result width_option(std::optional<int>& slot, const std::string& name, std::string_view value, bool has_value,
                    char prefix) {
  if (!has_value) {
    if (prefix != '-') return name + " with no value may only appear as '-" + name + "'";
    slot.reset();
    return std::nullopt;
  }
  if (prefix == '-') return "Cannot combine '-' with " + name + "=n";
  if (value == "*") {
    slot = -1;
    return std::nullopt;
  }
  // as apache2: 0 (or no digits) is accepted, anything else below the minimum is refused
  const int n = loose_atoi(value);
  const int minimum = name == "NameWidth" ? 5 : 12;
  if (n != 0 && n < minimum) return name + " value must be greater than " + std::to_string(minimum);
  slot = n;
  return std::nullopt;
}

Result index_options(CmdParms& cmd, std::span<const std::string> args) {
  auto& ai = *cmd.dir().autoindex;
  for (const std::string& raw : args) {
    char prefix = 0;
    std::string_view w = raw;
    if (!w.empty() && (w[0] == '+' || w[0] == '-')) {
      prefix = w[0];
      w.remove_prefix(1);
    }
    const auto eq = w.find('=');
    const std::string_view key = w.substr(0, eq);
    const bool has_value = eq != std::string_view::npos;
    const std::string_view value = has_value ? w.substr(eq + 1) : std::string_view{};
    if (ci_equal(key, "None")) {
      if (prefix) return "Cannot combine '+' or '-' with 'None' keyword";
      ai.opts = 0;
      ai.incr_on = ai.incr_off = 0;
      continue;
    }
    if (ci_equal(key, "NameWidth")) {
      if (auto e = width_option(ai.name_width, "NameWidth", value, has_value, prefix)) return e;
      continue;
    }
    if (ci_equal(key, "DescriptionWidth")) {
      if (auto e = width_option(ai.desc_width, "DescriptionWidth", value, has_value, prefix)) return e;
      continue;
    }
    if (ci_equal(key, "IconWidth") || ci_equal(key, "IconHeight")) {
      auto& slot = ci_equal(key, "IconWidth") ? ai.icon_width : ai.icon_height;
      if (prefix == '-')
        slot.reset();
      else
        slot = has_value ? loose_atoi(value) : 0;
      continue;
    }
    if (ci_equal(key, "Charset")) {
      ai.charset = std::string(value);
      continue;
    }
    if (ci_equal(key, "Type")) {
      ai.content_type = std::string(value);
      continue;
    }
    unsigned bit = 0;
    for (const auto& k : kKeywords)
      if (ci_equal(key, k.name)) bit = k.bit;
    if (bit == 0 || has_value) return "Invalid directory indexing option";
    if (prefix == '+') {
      ai.incr_on |= bit;
      ai.incr_off &= ~bit;
    } else if (prefix == '-') {
      ai.incr_off |= bit;
      ai.incr_on &= ~bit;
    } else {
      // an unprefixed keyword drops what was inherited and the increments seen so far
      if (!ai.opts) ai.opts = 0;
      ai.incr_on = ai.incr_off = 0;
      *ai.opts |= bit;
    }
  }
  return std::nullopt;
}

Result index_order_default(CmdParms& cmd, std::span<const std::string> a) {
  bool desc;
  if (ci_equal(a[0], "Ascending"))
    desc = false;
  else if (ci_equal(a[0], "Descending"))
    desc = true;
  else
    return "First keyword must be 'Ascending' or 'Descending'";
  char key;
  if (ci_equal(a[1], "Name"))
    key = 'N';
  else if (ci_equal(a[1], "Date"))
    key = 'M';
  else if (ci_equal(a[1], "Size"))
    key = 'S';
  else if (ci_equal(a[1], "Description"))
    key = 'D';
  else
    return "Second keyword must be 'Name', 'Date', 'Size', or 'Description'";
  cmd.dir().autoindex->order_key = key;
  cmd.dir().autoindex->order_desc = desc;
  return std::nullopt;
}

Result index_ignore(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().autoindex->ignore.push_back(a[0]);
  return std::nullopt;
}

Result index_ignore_reset(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().autoindex->ignore_reset = ci_equal(a[0], "on");
  return std::nullopt;
}

template <std::optional<std::string> AutoindexDirConf::*slot>
Result take_string(CmdParms& cmd, std::span<const std::string> a) {
  (*cmd.dir().autoindex).*slot = a[0];
  return std::nullopt;
}

Result fancy_indexing(CmdParms&, std::span<const std::string>) {
  return "The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing.";
}

constexpr HandlerBinding kAutoindex[] = {
    {"AddIcon", Support::Implemented, add_icon<Kind::Name>},
    {"AddIconByType", Support::Implemented, add_icon<Kind::Type>},
    {"AddIconByEncoding", Support::Implemented, add_icon<Kind::Encoding>},
    {"AddAlt", Support::Implemented, add_alt<Kind::Name>},
    {"AddAltByType", Support::Implemented, add_alt<Kind::Type>},
    {"AddAltByEncoding", Support::Implemented, add_alt<Kind::Encoding>},
    {"IndexOptions", Support::Implemented, index_options},
    {"IndexOrderDefault", Support::Implemented, index_order_default},
    {"IndexIgnore", Support::Implemented, index_ignore},
    {"IndexIgnoreReset", Support::Implemented, index_ignore_reset},
    {"AddDescription", Support::Implemented, add_description},
    {"HeaderName", Support::Unsupported, take_string<&AutoindexDirConf::header_name>},
    {"ReadmeName", Support::Unsupported, take_string<&AutoindexDirConf::readme_name>},
    {"FancyIndexing", Support::Implemented, fancy_indexing},
    {"DefaultIcon", Support::Implemented, take_string<&AutoindexDirConf::default_icon>},
    {"IndexStyleSheet", Support::Implemented, take_string<&AutoindexDirConf::style_sheet>},
    {"IndexHeadInsert", Support::Implemented, take_string<&AutoindexDirConf::head_insert>},
};

} // namespace

std::span<const HandlerBinding> autoindex_bindings() {
  return kAutoindex;
}

} // namespace balancerd::directives::http
