// mod_mime: TypesConfig, Add*/Remove* extension mappings, DefaultLanguage, MultiviewsMatch,
// ModMimeUsePathInfo.
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

#include <algorithm>

namespace balancerd::directives::http {
namespace {

// Extensions are stored lower-case without their leading dot, as Apache keys them.
std::string extension_key(std::string_view ext) {
  if (!ext.empty() && ext.front() == '.') ext.remove_prefix(1);
  return ascii_lower(ext);
}

// ITERATE2: args[0] is the value, args[1] one extension (the dispatcher calls once per extension).
Result add_mapping(CmdParms& cmd, std::span<const std::string> args, MimeMapping::Kind kind) {
  if (args.size() < 2) return std::nullopt;
  auto& list = cmd.dir().mapping->mime;
  MimeMapping m;
  m.kind = kind;
  m.value =
      kind == MimeMapping::Kind::Type || kind == MimeMapping::Kind::Charset ? ascii_lower(args[0]) : args[0];
  for (std::size_t i = 1; i < args.size(); ++i) m.extensions.push_back(extension_key(args[i]));
  // apache2 applies a section's Remove* (all but RemoveType) when it merges the section, after all
  // of the section's Add*: keeping them last in the section's list gives that order.
  auto at = kind == MimeMapping::Kind::Type
                ? list.end()
                : std::find_if(list.begin(), list.end(), [](const MimeMapping& x) {
                    return x.remove && x.kind != MimeMapping::Kind::Type;
                  });
  list.insert(at, std::move(m));
  return std::nullopt;
}

// ITERATE: one extension per call.
Result remove_mapping(CmdParms& cmd, std::span<const std::string> args, MimeMapping::Kind kind) {
  // RemoveType marks the extension typeless where it stands; the other Remove* are merge-time edits,
  // and the main server's own level is never merged onto anything: there they do nothing (apache2).
  if (kind != MimeMapping::Kind::Type && !cmd.section && &cmd.server == &cmd.config.main) return std::nullopt;
  MimeMapping m;
  m.kind = kind;
  m.remove = true;
  for (const std::string& a : args) m.extensions.push_back(extension_key(a));
  cmd.dir().mapping->mime.push_back(std::move(m));
  return std::nullopt;
}

#define BD_MIME_PAIR(K)                                                                                      \
  Result add_##K(CmdParms& c, std::span<const std::string> a) {                                              \
    return add_mapping(c, a, MimeMapping::Kind::K);                                                          \
  }                                                                                                          \
  Result remove_##K(CmdParms& c, std::span<const std::string> a) {                                           \
    return remove_mapping(c, a, MimeMapping::Kind::K);                                                       \
  }
BD_MIME_PAIR(Type)
BD_MIME_PAIR(Handler)
BD_MIME_PAIR(Charset)
BD_MIME_PAIR(Encoding)
BD_MIME_PAIR(Language)
BD_MIME_PAIR(InputFilter)
BD_MIME_PAIR(OutputFilter)
#undef BD_MIME_PAIR

Result types_config(CmdParms& cmd, std::span<const std::string> a) {
  if (!a.empty()) cmd.server.mapping.types_config = server_root_relative(cmd, a[0]);
  return std::nullopt;
}

Result default_language(CmdParms& cmd, std::span<const std::string> a) {
  if (!a.empty()) cmd.dir().mapping->default_language = a[0];
  return std::nullopt;
}

Result multiviews_match(CmdParms& cmd, std::span<const std::string> args) {
  auto& list = cmd.dir().mapping->multiviews_match;
  auto has = [&](std::string_view v) {
    for (const auto& s : list)
      if (ci_equal(s, v)) return true;
    return false;
  };
  for (const std::string& a : args) {
    if (ci_equal(a, "Any")) {
      if (has("NegotiatedOnly") || has("Filters") || has("Handlers"))
        return "Any is incompatible with NegotiatedOnly, Filters and Handlers";
      list.push_back("Any");
    } else if (ci_equal(a, "NegotiatedOnly")) {
      if (has("Any") || has("Filters") || has("Handlers"))
        return "NegotiatedOnly is incompatible with Any, Filters and Handlers";
      list.push_back("NegotiatedOnly");
    } else if (ci_equal(a, "Filters")) {
      if (has("Any") || has("NegotiatedOnly")) return "Filters is incompatible with Any and NegotiatedOnly";
      list.push_back("Filters");
    } else if (ci_equal(a, "Handlers")) {
      if (has("Any") || has("NegotiatedOnly")) return "Handlers is incompatible with Any and NegotiatedOnly";
      list.push_back("Handlers");
    } else {
      return "Unrecognized option '" + a + "'";
    }
  }
  return std::nullopt;
}

Result use_path_info(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().mapping->use_path_info = !a.empty() && ci_equal(a[0], "on");
  return std::nullopt;
}

constexpr HandlerBinding kMime[] = {
    {"TypesConfig", Support::Implemented, types_config},
    {"AddType", Support::Implemented, add_Type},
    {"RemoveType", Support::Implemented, remove_Type},
    {"AddHandler", Support::Unsupported, add_Handler, nullptr,
     "handlers by file extension are not implemented"},
    {"RemoveHandler", Support::Unsupported, remove_Handler},
    {"AddCharset", Support::Implemented, add_Charset},
    {"RemoveCharset", Support::Implemented, remove_Charset},
    {"AddEncoding", Support::Implemented, add_Encoding},
    {"RemoveEncoding", Support::Implemented, remove_Encoding},
    {"AddLanguage", Support::Implemented, add_Language},
    {"RemoveLanguage", Support::Implemented, remove_Language},
    {"AddInputFilter", Support::Unsupported, add_InputFilter},
    {"RemoveInputFilter", Support::Unsupported, remove_InputFilter},
    {"AddOutputFilter", Support::Unsupported, add_OutputFilter},
    {"RemoveOutputFilter", Support::Unsupported, remove_OutputFilter},
    {"DefaultLanguage", Support::Implemented, default_language},
    {"MultiviewsMatch", Support::NoEffect, multiviews_match},
    {"ModMimeUsePathInfo", Support::NoEffect, use_path_info},
};

} // namespace

std::span<const HandlerBinding> mime_bindings() {
  return kMime;
}

} // namespace balancerd::directives::http
