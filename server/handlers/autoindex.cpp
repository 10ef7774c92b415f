#include "server/handlers/autoindex.hpp"

#include <dirent.h>

#include "directives/ci_string.hpp"
#include "server/http/error_page.hpp"
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <vector>

namespace balancerd::handlers {
namespace {

namespace d = directives;
using Kind = d::AutoindexItem::Kind;

struct Entry {
  std::string name; // without the '/' of a directory
  bool is_dir = false;
  long long size = -1;
  std::time_t mtime = 0;
  std::string type;
  const std::string* desc = nullptr;
};

// Client (or IndexOrderDefault) choices.
struct View {
  char key = 'N';
  bool desc = false;
  int format = -1;  // F=0 plain, 1 fancy <pre>, 2 table; -1: from IndexOptions
  int version = -1; // V=0/1; -1: from IndexOptions
  bool has_pattern = false;
  std::string pattern; // P=
};

// Apache's ap_escape_html (& < > ").
void append_html(std::string& out, std::string_view s) {
  http::append_html_escaped(out, s);
}

// Apache's path escaping for the href (lower-case hex), then HTML escaping.
void append_href(std::string& out, std::string_view name) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string esc;
  for (unsigned char c : name) {
    const bool keep = std::isalnum(c) || std::string_view("$-_.+!*'(),:@&=~/;").find(static_cast<char>(c)) !=
                                             std::string_view::npos;
    if (keep && c < 0x80) {
      esc += static_cast<char>(c);
    } else {
      esc += '%';
      esc += hex[c >> 4];
      esc += hex[c & 15];
    }
  }
  // a colon before any slash would read as a scheme
  const auto colon = esc.find(':');
  if (colon != std::string::npos && esc.find('/') > colon) esc.insert(0, "./");
  append_html(out, esc);
}

bool wildcard(std::string_view pattern, std::string_view text, bool caseless) {
  std::string p(pattern), t(text);
  return ::fnmatch(p.c_str(), t.c_str(), caseless ? FNM_CASEFOLD : 0) == 0;
}

// The first item (in list order) that applies to the entry: names match "*PATTERN" against the
// path (case-insensitively), types and encodings the entry's type.
const d::AutoindexItem* find_item(const std::vector<d::AutoindexItem>& items, std::string_view path,
                                  std::string_view type, std::string_view special) {
  for (const auto& it : items) {
    if (it.kind == Kind::Type) {
      if (special.empty() && !type.empty() && wildcard(it.pattern, type, true)) return &it;
    } else if (it.kind == Kind::Name) {
      if (!special.empty()) {
        if (it.pattern == special) return &it;
        continue;
      }
      if (it.pattern.starts_with("^^")) continue;
      if (wildcard("*" + it.pattern, path, true)) return &it;
    }
  }
  return nullptr;
}

int natural_digits(std::string_view a, std::size_t& i, std::string_view b, std::size_t& j) {
  // two runs of digits: leading zeros make it a fractional comparison, else the longer run wins
  const bool fractional = a[i] == '0' || b[j] == '0';
  if (fractional) {
    for (;; ++i, ++j) {
      const bool da = i < a.size() && std::isdigit(static_cast<unsigned char>(a[i]));
      const bool db = j < b.size() && std::isdigit(static_cast<unsigned char>(b[j]));
      if (!da && !db) return 0;
      if (!da) return -1;
      if (!db) return 1;
      if (a[i] != b[j]) return a[i] < b[j] ? -1 : 1;
    }
  }
  int bias = 0;
  for (;; ++i, ++j) {
    const bool da = i < a.size() && std::isdigit(static_cast<unsigned char>(a[i]));
    const bool db = j < b.size() && std::isdigit(static_cast<unsigned char>(b[j]));
    if (!da && !db) return bias;
    if (!da) return -1;
    if (!db) return 1;
    if (bias == 0 && a[i] != b[j]) bias = a[i] < b[j] ? -1 : 1;
  }
}

long long file_size_of(const struct stat& st) {
  return static_cast<long long>(st.st_size);
}

View parse_view(std::string_view query, const d::AutoindexDirConf& conf, unsigned opts) {
  View v;
  v.key = conf.order_key.value_or('N');
  v.desc = conf.order_desc.value_or(false);
  if (opts & d::kIndexIgnoreClient) return v;
  while (!query.empty()) {
    auto sep = query.find_first_of(";&");
    std::string_view arg = query.substr(0, sep);
    query = sep == std::string_view::npos ? std::string_view{} : query.substr(sep + 1);
    if (arg.size() < 2 || arg[1] != '=') continue;
    const std::string_view val = arg.substr(2);
    switch (arg[0]) {
    case 'C':
      if (val.size() == 1 && std::string_view("NMSD").find(val[0]) != std::string_view::npos) v.key = val[0];
      break;
    case 'O':
      if (val == "A") v.desc = false;
      if (val == "D") v.desc = true;
      break;
    case 'F':
      if (val == "0" || val == "1" || val == "2") v.format = val[0] - '0';
      break;
    case 'V':
      if (val == "0" || val == "1") v.version = val[0] - '0';
      break;
    case 'P':
      v.has_pattern = true;
      v.pattern = std::string(val);
      break;
    default:
      break;
    }
  }
  return v;
}

std::string date_field(std::time_t t) {
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M  ", &tm);
  return buf;
}

// Visible length of HTML (tags and entities count as what they show).
std::size_t visible_length(std::string_view html) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '<') {
      auto gt = html.find('>', i);
      if (gt == std::string_view::npos) break;
      i = gt;
      continue;
    }
    if (html[i] == '&') {
      auto semi = html.find(';', i);
      if (semi != std::string_view::npos) i = semi;
    }
    ++n;
  }
  return n;
}

// A description cut to `width` visible characters with a '>' marking the cut.
std::string terse_description(const std::string& desc, int width) {
  if (width < 0 || visible_length(desc) <= static_cast<std::size_t>(width)) return desc;
  std::string out;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < desc.size(); ++i) {
    if (desc[i] == '<') {
      auto gt = desc.find('>', i);
      if (gt == std::string::npos) break;
      out.append(desc, i, gt - i + 1);
      i = gt;
      continue;
    }
    if (shown + 1 >= static_cast<std::size_t>(width)) break;
    out += desc[i];
    ++shown;
  }
  out += '>';
  return out;
}

} // namespace

std::string format_size(long long size) {
  char buf[16];
  if (size < 0) return "  - ";
  if (size < 973) {
    std::snprintf(buf, sizeof buf, "%3d ", static_cast<int>(size));
    return buf;
  }
  static constexpr char units[] = "KMGTPE";
  int unit = 0;
  for (;;) {
    long long remain = size & 1023;
    size >>= 10;
    if (size >= 973) {
      ++unit;
      continue;
    }
    if (size < 9 || (size == 9 && remain < 973)) {
      remain = ((remain * 5) + 256) / 512;
      if (remain >= 10) {
        ++size;
        remain = 0;
      }
      std::snprintf(buf, sizeof buf, "%d.%d%c", static_cast<int>(size), static_cast<int>(remain),
                    units[unit]);
      return buf;
    }
    if (remain >= 512) ++size;
    std::snprintf(buf, sizeof buf, "%3d%c", static_cast<int>(size), units[unit]);
    return buf;
  }
}

int natural_compare(std::string_view a, std::string_view b, bool ignore_case) {
  std::size_t i = 0, j = 0;
  for (;;) {
    while (i < a.size() && std::isspace(static_cast<unsigned char>(a[i]))) ++i;
    while (j < b.size() && std::isspace(static_cast<unsigned char>(b[j]))) ++j;
    if (i >= a.size() || j >= b.size()) return i >= a.size() ? (j >= b.size() ? 0 : -1) : 1;
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      if (int r = natural_digits(a, i, b, j)) return r;
      continue;
    }
    char ca = a[i], cb = b[j];
    if (ignore_case) {
      ca = d::ascii_upper(ca);
      cb = d::ascii_upper(cb);
    }
    // plain char: signed here, as apr's natural compare sees it (UTF-8 names sort first)
    if (ca != cb) return static_cast<signed char>(ca) < static_cast<signed char>(cb) ? -1 : 1;
    ++i;
    ++j;
  }
}

AutoindexPage render_autoindex(const AutoindexRequest& rq) {
  static const d::AutoindexDirConf defaults;
  const d::AutoindexDirConf& conf = rq.conf ? *rq.conf : defaults;
  const unsigned opts = conf.effective();
  const View view = parse_view(rq.query, conf, opts);
  const bool ignore_case = opts & d::kIndexIgnoreCase;
  const bool version = view.version >= 0 ? view.version == 1 : (opts & d::kIndexVersionSort) != 0;
  const int format = view.format >= 0              ? view.format
                     : !(opts & d::kIndexFancy)    ? 0
                     : (opts & d::kIndexHtmlTable) ? 2
                                                   : 1;

  AutoindexPage page;
  page.content_type =
      conf.content_type.value_or("text/html") + ";charset=" + conf.charset.value_or("ISO-8859-1");

  // ---- read the directory --------------------------------------------------------------------
  std::vector<Entry> entries;
  {
    std::string dir(rq.dir_path);
    DIR* dp = ::opendir(dir.c_str());
    if (!dp) {
      page.status = 403;
      return page;
    }
    while (dirent* de = ::readdir(dp)) {
      std::string_view name = de->d_name;
      if (name == "." || name == "..") continue;
      bool ignored = false;
      for (const auto& pat : conf.ignore) {
        if (pat.find('/') != std::string::npos ? wildcard(pat, dir + std::string(name), false)
                                               : wildcard(pat, name, false)) {
          ignored = true;
          break;
        }
      }
      if (ignored) continue;
      if (view.has_pattern && !wildcard(view.pattern, name, ignore_case)) continue;
      struct stat st {};
      if (::stat((dir + std::string(name)).c_str(), &st) != 0) continue;
      Entry e;
      e.name = std::string(name);
      e.is_dir = S_ISDIR(st.st_mode);
      e.size = e.is_dir ? -1 : file_size_of(st);
      e.mtime = st.st_mtime;
      if (rq.allowed && !(opts & d::kIndexShowForbidden) && !rq.allowed(e.name, e.is_dir)) continue;
      if (!e.is_dir && rq.content_type) e.type = rq.content_type(e.name);
      entries.push_back(std::move(e));
    }
    ::closedir(dp);
  }
  const std::string dir_path(rq.dir_path);
  for (auto& e : entries) {
    const std::string path = dir_path + e.name;
    for (const auto& it : conf.descriptions) {
      const std::string pat = it.pattern.find('/') == std::string::npos ? "*/" + it.pattern : it.pattern;
      if (wildcard(pat, path, false)) {
        e.desc = &it.value;
        break;
      }
    }
  }

  // ---- order --------------------------------------------------------------------------------
  auto name_cmp = [&](const Entry& a, const Entry& b) {
    if (version) return natural_compare(a.name, b.name, ignore_case);
    if (ignore_case) {
      for (std::size_t i = 0; i < a.name.size() && i < b.name.size(); ++i)
        if (const unsigned char x = d::ascii_lower(a.name[i]), y = d::ascii_lower(b.name[i]); x != y)
          return x < y ? -1 : 1; // bytes compare unsigned, as strcasecmp does
      if (a.name.size() != b.name.size()) return a.name.size() < b.name.size() ? -1 : 1;
    }
    int r = a.name.compare(b.name);
    return r < 0 ? -1 : r > 0 ? 1 : 0;
  };
  std::stable_sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if (format != 0 && (opts & d::kIndexFoldersFirst) && a.is_dir != b.is_dir) return a.is_dir;
    int r = 0;
    // the plain list has no dates or sizes to order by: only the direction applies
    switch (format == 0 ? 'N' : view.key) {
    case 'M':
      r = a.mtime < b.mtime ? -1 : a.mtime > b.mtime ? 1 : 0;
      break;
    case 'S':
      r = a.size < b.size ? -1 : a.size > b.size ? 1 : 0;
      break;
    case 'D': {
      const std::string& da = a.desc ? *a.desc : std::string();
      const std::string& db = b.desc ? *b.desc : std::string();
      r = da.compare(db);
      r = r < 0 ? -1 : r > 0 ? 1 : 0;
      break;
    }
    default:
      break;
    }
    if (r == 0) r = name_cmp(a, b);
    return view.desc ? r > 0 : r < 0;
  });

  // ---- the page -------------------------------------------------------------------------------
  std::string title(rq.uri);
  if (title.size() > 1 && title.back() == '/') title.pop_back();
  std::string& out = page.body;
  out.reserve(1024 + entries.size() * 200);
  out += "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
         "<html>\n <head>\n  <title>Index of ";
  append_html(out, title);
  out += "</title>\n";
  if (conf.style_sheet) {
    out += "  <link rel=\"stylesheet\" href=\"";
    append_html(out, *conf.style_sheet);
    out += "\" type=\"text/css\">\n";
  }
  if (conf.head_insert) out += *conf.head_insert + "\n";
  out += " </head>\n <body>\n<h1>Index of ";
  append_html(out, title);
  out += "</h1>\n";

  // the parent directory ("/a/b/" -> "/a/")
  const bool has_parent = rq.uri.size() > 1;
  std::string parent;
  if (has_parent) {
    std::string_view u = rq.uri.substr(0, rq.uri.size() - 1);
    parent = std::string(u.substr(0, u.rfind('/') + 1));
  }

  if (format == 0) {
    out += "<ul>";
    if (has_parent) {
      out += "<li><a href=\"";
      append_html(out, parent);
      out += "\"> Parent Directory</a></li>\n";
    }
    for (const auto& e : entries) {
      out += "<li><a href=\"";
      append_href(out, e.name);
      if (e.is_dir) out += '/';
      out += "\"> ";
      append_html(out, e.name);
      if (e.is_dir) out += '/';
      out += "</a></li>\n";
    }
    out += "</ul>\n</body></html>\n";
    return page;
  }

  const bool table = format == 2;
  const bool show_icon = !(opts & d::kIndexSuppressIcon);
  const bool show_date = !(opts & d::kIndexSuppressLastMod);
  const bool show_size = !(opts & d::kIndexSuppressSize);
  const bool show_desc = !(opts & d::kIndexSuppressDesc);
  const bool sortable = !(opts & d::kIndexSuppressColSort);
  // NameWidth=* widens the column to the longest name (never below the default 23); a table pads its
  // name cells to a fixed width only
  const bool width_star = conf.name_width && *conf.name_width < 0;
  int name_width = conf.name_width.value_or(23);
  if (name_width <= 0) {
    std::size_t longest = 23;
    if (width_star) {
      for (const auto& e : entries) {
        std::string shown;
        append_html(shown, e.name);
        longest = std::max(longest, visible_length(shown) + (e.is_dir ? 1 : 0));
      }
    }
    name_width = static_cast<int>(longest);
  }
  const int desc_width = conf.desc_width.value_or(23);

  // column header link, carrying the client's F=/V=/P=
  auto sort_link = [&](char key, const char* label) {
    if (!sortable) {
      out += label;
      return;
    }
    out += "<a href=\"?C=";
    out += key;
    out += ";O=";
    out += (view.key == key && !view.desc) ? 'D' : 'A';
    if (view.format >= 0) out += ";F=" + std::to_string(view.format);
    if (view.version >= 0) out += ";V=" + std::to_string(view.version);
    if (view.has_pattern) {
      out += ";P=";
      append_html(out, view.pattern);
    }
    out += "\">";
    out += label;
    out += "</a>";
  };
  auto icon_img = [&](const std::string* icon, const std::string& alt) {
    if (!icon) {
      // no icon configured: a table shows an empty cell, <pre> keeps the column with blanks
      out += table ? "&nbsp;" : "     ";
      return;
    }
    out += "<img src=\"";
    append_html(out, *icon);
    out += "\" alt=\"";
    append_html(out, alt);
    out += "\"";
    if (conf.icon_width && *conf.icon_width > 0) out += " width=\"" + std::to_string(*conf.icon_width) + "\"";
    if (conf.icon_height && *conf.icon_height > 0)
      out += " height=\"" + std::to_string(*conf.icon_height) + "\"";
    out += ">";
  };
  // The parent row takes the ".." entry, else the directory's; a missing alt is [PARENTDIR].
  auto icon_of = [&](const Entry* e) -> const std::string* {
    const d::AutoindexItem* it = nullptr;
    if (e) {
      it = find_item(conf.icons, dir_path + e->name, e->type, e->is_dir ? "^^DIRECTORY^^" : "");
    } else {
      it = find_item(conf.icons, dir_path + "..", "", "");
      if (!it) it = find_item(conf.icons, "", "", "^^DIRECTORY^^");
    }
    if (it && !it->value.empty()) return &it->value;
    return conf.default_icon ? &*conf.default_icon : nullptr;
  };
  auto alt_of = [&](const Entry* e) {
    const d::AutoindexItem* it = nullptr;
    if (e) {
      it = find_item(conf.alts, dir_path + e->name, e->type, e->is_dir ? "^^DIRECTORY^^" : "");
    } else {
      it = find_item(conf.alts, dir_path + "..", "", "");
      if (!it) it = find_item(conf.alts, "", "", "^^DIRECTORY^^");
    }
    return "[" + (it ? it->value : std::string(!e ? "PARENTDIR" : e->is_dir ? "DIR" : "   ")) + "]";
  };
  const d::AutoindexItem* blank = find_item(conf.icons, "", "", "^^BLANKICON^^");

  // one row: icon, name (cut to the width), date, size, description
  auto row = [&](const Entry* e) {
    std::string shown;
    std::string href;
    if (e) {
      append_html(shown, e->name);
      if (e->is_dir) shown += '/';
      append_href(href, e->name);
      if (e->is_dir) href += '/';
    } else {
      shown = "Parent Directory";
      append_html(href, parent);
    }
    std::size_t vis = visible_length(shown);
    if (vis > static_cast<std::size_t>(name_width)) {
      // cut to width-3 visible characters, then "..>"
      std::string cut;
      std::size_t n = 0;
      for (std::size_t i = 0; i < shown.size() && n + 3 < static_cast<std::size_t>(name_width); ++i) {
        if (shown[i] == '&') {
          auto semi = shown.find(';', i);
          cut.append(shown, i, semi - i + 1);
          i = semi;
        } else {
          cut += shown[i];
        }
        ++n;
      }
      shown = cut + "..&gt;";
      vis = static_cast<std::size_t>(name_width);
    }
    const std::string* icon = icon_of(e);
    const std::string alt = alt_of(e);
    const std::string desc = e && e->desc ? terse_description(*e->desc, desc_width) : std::string();
    if (table) {
      out += "<tr>";
      if (show_icon) {
        out += "<td valign=\"top\">";
        icon_img(icon, alt);
        out += "</td>";
      }
      out += "<td><a href=\"" + href + "\">" + shown + "</a>";
      if (!width_star) out.append(static_cast<std::size_t>(name_width) - vis, ' ');
      out += "</td>";
      if (show_date) out += e ? "<td align=\"right\">" + date_field(e->mtime) + "</td>" : "<td>&nbsp;</td>";
      if (show_size) out += "<td align=\"right\">" + format_size(e ? e->size : -1) + "</td>";
      if (show_desc) out += "<td>" + (desc.empty() ? std::string("&nbsp;") : desc) + "</td>";
      out += "</tr>\n";
      return;
    }
    if (show_icon) {
      icon_img(icon, alt);
      out += ' ';
    }
    out += "<a href=\"" + href + "\">" + shown + "</a>";
    out.append(static_cast<std::size_t>(name_width) - vis + 1, ' ');
    if (show_date) out += e ? date_field(e->mtime) : std::string(19, ' ');
    if (show_size) out += format_size(e ? e->size : -1);
    if (show_desc) out += "  " + desc;
    out += '\n';
  };

  const int columns =
      1 + (show_icon ? 1 : 0) + (show_date ? 1 : 0) + (show_size ? 1 : 0) + (show_desc ? 1 : 0);
  if (table) {
    out += "  <table>\n   <tr>";
    if (show_icon) {
      out += "<th valign=\"top\">";
      icon_img(blank ? &blank->value : nullptr, "[ICO]");
      out += "</th>";
    }
    out += "<th>";
    sort_link('N', "Name");
    out += "</th>";
    if (show_date) {
      out += "<th>";
      sort_link('M', "Last modified");
      out += "</th>";
    }
    if (show_size) {
      out += "<th>";
      sort_link('S', "Size");
      out += "</th>";
    }
    if (show_desc) {
      out += "<th>";
      sort_link('D', "Description");
      out += "</th>";
    }
    out += "</tr>\n";
    const std::string rule = (opts & d::kIndexSuppressRules)
                                 ? std::string()
                                 : "   <tr><th colspan=\"" + std::to_string(columns) + "\"><hr></th></tr>\n";
    out += rule;
    if (has_parent) row(nullptr);
    for (const auto& e : entries) row(&e);
    out += rule;
    out += "</table>\n</body></html>\n";
    return page;
  }

  out += "<pre>";
  if (show_icon) {
    icon_img(blank ? &blank->value : nullptr, "Icon ");
    out += ' ';
  }
  sort_link('N', "Name");
  out.append(static_cast<std::size_t>(name_width) - 4 + 1, ' ');
  if (show_date) {
    sort_link('M', "Last modified");
    out += "      ";
  }
  if (show_size) {
    sort_link('S', "Size");
    out += "  ";
  }
  if (show_desc) sort_link('D', "Description");
  out += (opts & d::kIndexSuppressRules) ? "\n" : "<hr>";
  if (has_parent) row(nullptr);
  for (const auto& e : entries) row(&e);
  out += (opts & d::kIndexSuppressRules) ? "</pre>\n</body></html>\n" : "<hr></pre>\n</body></html>\n";
  return page;
}

} // namespace balancerd::handlers
