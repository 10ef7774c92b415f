// Binds the core family's handlers and support levels to the generated directive entries.
// Implemented: balancerd reads the value and uses it (or checks it as Apache does); NoEffect:
// accepted and harmless; Unsupported: accepted, but the behaviour is not reproduced (DUMP_COMPAT).
#include "directives/ci_string.hpp"
#include "directives/cmd_parms.hpp"
#include "directives/modules/core_handlers.hpp"
#include "directives/modules/proxy_handlers.hpp"
#include "directives/registry.hpp"

namespace balancerd::directives {

namespace {

using core::Result;
constexpr Support I = Support::Implemented;
constexpr Support N = Support::NoEffect;
constexpr Support U = Support::Unsupported;

using Words = std::span<const std::string>;

// The handlers the pipeline serves (server/pipeline: SetHandler); "none" clears an inherited one.
UseVerdict set_handler_use(Words a) {
  if (a.empty()) return {I, {}};
  const std::string_view h = a[0];
  if (ci_equal(h, "none") || h == "server-status" || ci_equal(h, "balancer-manager") ||
      (h.size() > 6 && ci_starts_with(h, "proxy:")))
    return {I, {}};
  return {U, "this handler is not implemented"};
}

// Only http/1.1 is spoken: h2 and h2c in the list are what Apache's mod_http2 would add.
UseVerdict protocols_use(Words a) {
  for (std::string_view w : a)
    if (ci_equal(w, "h2") || ci_equal(w, "h2c")) return {U, "HTTP/2 is not implemented"};
  return {I, {}};
}

// Only Indexes (mod_autoindex) changes what balancerd does; symbolic links are always followed.
UseVerdict options_use(Words a) {
  bool absolute = false, follows = false;
  for (std::string_view w : a) {
    const bool signed_word = !w.empty() && (w[0] == '+' || w[0] == '-');
    const bool minus = signed_word && w[0] == '-';
    if (signed_word) w.remove_prefix(1);
    absolute = absolute || !signed_word;
    if (ci_equal(w, "ExecCGI")) {
      if (!minus) return {U, "CGI is not implemented"};
    } else if (ci_equal(w, "Includes") || ci_equal(w, "IncludesNOEXEC")) {
      if (!minus) return {U, "server-side includes are not implemented"};
    } else if (ci_equal(w, "MultiViews")) {
      if (!minus) return {U, "content negotiation is not implemented"};
    } else if (ci_equal(w, "SymLinksIfOwnerMatch")) {
      if (!minus) return {U, "symbolic links are followed without the owner check"};
    } else if (ci_equal(w, "FollowSymLinks") || ci_equal(w, "All")) {
      if (minus) return {U, "symbolic links are always followed"};
      follows = true;
    }
  }
  if (absolute && !follows) return {U, "symbolic links are always followed"};
  return {I, {}};
}

// balancerd's ETag is Apache's default (MTime Size), or none.
UseVerdict file_etag_use(Words a) {
  if (a.size() == 1 && ci_equal(a[0], "None")) return {I, {}};
  bool mtime = false, size = false;
  for (std::string_view w : a) {
    if (!w.empty() && w[0] == '+') w.remove_prefix(1);
    if (ci_equal(w, "MTime"))
      mtime = true;
    else if (ci_equal(w, "Size"))
      size = true;
    else
      return {U, "only FileETag None and MTime Size are reproduced"};
  }
  if (mtime && size) return {I, {}};
  return {U, "only FileETag None and MTime Size are reproduced"};
}

UseVerdict add_default_charset_use(Words a) {
  if (!a.empty() && ci_equal(a[0], "Off")) return {I, {}};
  return {U, "added to static files only, not to proxied responses"};
}

// 0 (never recycle) is what balancerd's single long-lived process does.
UseVerdict connections_per_child_use(Words a) {
  if (!a.empty() && a[0] == "0") return {I, {}};
  return {U, "the server process is never recycled"};
}

// balancerd reads no .htaccess files, which is what None asks for.
UseVerdict allow_override_use(Words a) {
  if (a.size() == 1 && ci_equal(a[0], "None")) return {I, {}};
  return {U, ".htaccess files are not read"};
}

// server-status always shows the extended fields (Apache's default once mod_status is loaded).
UseVerdict extended_status_use(Words a) {
  if (!a.empty() && ci_equal(a[0], "On")) return {I, {}};
  return {U, "server-status always shows the extended fields"};
}

// Range requests keep Apache's default cap (server/handlers/byte_ranges.cpp).
UseVerdict max_ranges_use(Words a) {
  if (!a.empty() && (ci_equal(a[0], "default") || a[0] == "200")) return {I, {}};
  return {U, "only the default (200) is reproduced"};
}

// AcceptPathInfo On|Off|Default, any case, kept lower case: the static file handler serves a file
// with path info below it only for "on" (server/pipeline).
Result accept_path_info(CmdParms& cmd, Words a) {
  const std::string v = ascii_lower(a[0]);
  if (v != "on" && v != "off" && v != "default")
    return std::string("AcceptPathInfo must be set to on, off or default");
  cmd.dir().core->accept_path_info = v;
  return std::nullopt;
}

constexpr std::string_view no_concurrency_cap = "concurrent connections are not capped";

const HandlerBinding core_c[] = {
    // Read pass (parser): Include, Define, <IfModule>...
    {"<IfModule", I, nullptr},
    {"<IfDefine", I, nullptr},
    {"<IfFile", I, nullptr},
    {"<IfDirective", I, nullptr},
    {"<IfSection", I, nullptr},
    {"Define", I, nullptr},
    {"UnDefine", I, nullptr},
    {"Include", I, nullptr},
    {"IncludeOptional", I, nullptr},
    {"ServerRoot", I, nullptr},
    {"DefaultRuntimeDir", I, nullptr},
    // Containers.
    {"<VirtualHost", I, core::virtual_host},
    {"<Directory", I, core::directory},
    {"<DirectoryMatch", I, core::directory_match},
    {"<Files", I, core::files},
    {"<FilesMatch", I, core::files_match},
    {"<Location", I, core::location},
    {"<LocationMatch", I, core::location_match},
    {"<If", I, core::if_section},
    {"<ElseIf", I, core::elseif_section},
    {"<Else", I, core::else_section},
    {"<Limit", I, core::limit},
    {"<LimitExcept", I, core::limit_except},
    // Names.
    {"ServerName", I, core::server_name},
    {"ServerAlias", I, core::server_alias},
    {"ServerAdmin", I, core::server_admin},
    {"DocumentRoot", I, core::document_root},
    {"UseCanonicalName", I, core::use_canonical_name},
    {"HostnameLookups", I, core::hostname_lookups},
    {"UseCanonicalPhysicalPort", U, nullptr},
    {"ServerPath", U, nullptr},
    {"NameVirtualHost", N, core::name_virtual_host},
    {"StrictHostCheck", U, nullptr},
    // Connections and limits.
    {"Timeout", I, core::timeout},
    {"LimitRequestLine", I, core::limit_request_line},
    {"LimitRequestFieldsize", I, core::limit_request_field_size},
    {"LimitRequestFields", I, core::limit_request_fields},
    {"LimitRequestBody", I, core::limit_request_body},
    {"HttpProtocolOptions", I, core::http_protocol_options},
    {"TraceEnable", I, core::trace_enable},
    {"Protocols", U, core::protocols, protocols_use},
    {"ProtocolsHonorOrder", I, core::protocols_honor_order},
    {"MergeSlashes", I, core::merge_slashes},
    {"AllowEncodedSlashes", I, core::allow_encoded_slashes},
    {"Protocol", N, nullptr},
    {"AcceptFilter", N, nullptr},
    {"Port", N, nullptr},
    {"MergeTrailers", U, nullptr},
    {"RegisterHttpMethod", U, nullptr},
    {"LimitXMLRequestBody", N, nullptr},
    {"MaxRanges", U, nullptr, max_ranges_use},
    {"MaxRangeOverlaps", U, nullptr},
    {"MaxRangeReversals", U, nullptr},
    {"ReadBufferSize", N, nullptr},
    {"FlushMaxThreshold", N, nullptr},
    {"FlushMaxPipelined", N, nullptr},
    // Logging.
    {"LogLevel", I, core::log_level},
    {"ErrorLog", I, core::error_log},
    {"ErrorLogFormat", I, core::error_log_format},
    // Responses and per-dir settings.
    {"ServerTokens", I, core::server_tokens},
    {"ServerSignature", I, core::server_signature},
    {"Options", U, core::options, options_use},
    {"AllowOverride", U, core::allow_override, allow_override_use},
    {"AllowOverrideList", U, nullptr, allow_override_use},
    {"AccessFileName", N, nullptr},
    {"ErrorDocument", I, core::error_document},
    {"SetHandler", U, core::set_handler, set_handler_use},
    {"AddDefaultCharset", U, core::add_default_charset, add_default_charset_use},
    {"DefaultType", N, core::default_type},
    {"ForceType", I, core::force_type},
    {"FileETag", U, core::file_etag, file_etag_use},
    {"EnableMMAP", N, nullptr},
    {"EnableSendfile", N, nullptr},
    {"ContentDigest", U, nullptr},
    {"AcceptPathInfo", I, accept_path_info},
    {"SetOutputFilter", U, nullptr},
    {"SetInputFilter", U, nullptr},
    {"CGIPassAuth", N, nullptr},
    {"CGIVar", N, nullptr},
    {"QualifyRedirectURL", N, nullptr},
    {"RLimitCPU", N, nullptr},
    {"RLimitMEM", N, nullptr},
    {"RLimitNPROC", N, nullptr},
    {"RegexDefaultOptions", U, nullptr},
    {"LimitInternalRecursion", N, nullptr},
    {"Error", I, core::error_directive},
    // Process.
    {"PidFile", I, core::pid_file},
    {"Mutex", N, core::mutex},
    {"ScoreBoardFile", N, core::global_only},
    {"ExtendedStatus", U, nullptr, extended_status_use},
    {"SeeRequestTail", N, nullptr},
    {"MaxRequestsPerChild", U, core::max_connections_per_child, connections_per_child_use},
    {"MaxConnectionsPerChild", U, core::max_connections_per_child, connections_per_child_use},
    {"CoreDumpDirectory", N, core::global_only},
    {"MaxMemFree", N, nullptr},
    {"ThreadStackSize", N, nullptr},
};

const HandlerBinding http_core_c[] = {
    {"KeepAlive", I, core::keep_alive},
    {"KeepAliveTimeout", I, core::keep_alive_timeout},
    {"MaxKeepAliveRequests", I, core::max_keep_alive_requests},
};

const HandlerBinding mpm_c[] = {
    {"Listen", I, core::listen},
    {"ListenBacklog", I, core::listen_backlog},
    {"ListenCoresBucketsRatio", N, nullptr},
    {"SendBufferSize", N, nullptr},
    {"ReceiveBufferSize", N, nullptr},
    {"ListenTCPDeferAccept", N, nullptr},
    {"StartServers", N, core::start_servers},
    {"ServerLimit", U, core::server_limit, nullptr, no_concurrency_cap},
    {"MinSpareThreads", N, core::min_spare_threads},
    {"MaxSpareThreads", N, core::max_spare_threads},
    {"MaxClients", U, core::max_request_workers, nullptr, no_concurrency_cap},
    {"MaxRequestWorkers", U, core::max_request_workers, nullptr, no_concurrency_cap},
    {"ThreadsPerChild", U, core::threads_per_child, nullptr,
     "concurrent connections are not capped (read only as balancer-manager's default max)"},
    {"ThreadLimit", N, core::thread_limit},
    {"AsyncRequestWorkerFactor", N, core::async_request_worker_factor},
    {"GracefulShutdownTimeout", I, core::graceful_shutdown_timeout},
    {"MinSpareServers", N, core::min_spare_servers},
    {"MaxSpareServers", N, core::max_spare_servers},
    {"PidFile", I, core::pid_file},
    {"MaxRequestsPerChild", U, core::max_connections_per_child, connections_per_child_use},
    {"MaxConnectionsPerChild", U, core::max_connections_per_child, connections_per_child_use},
    {"CoreDumpDirectory", N, core::global_only},
    {"ScoreBoardFile", N, core::global_only},
    {"MaxMemFree", N, nullptr},
    {"ThreadStackSize", N, nullptr},
};

const HandlerBinding so_c[] = {{"LoadModule", I, nullptr}, {"LoadFile", I, nullptr}};
const HandlerBinding version_c[] = {{"<IfVersion", I, nullptr}};
const HandlerBinding unixd_c[] = {{"User", I, core::user},
                                  {"Group", I, core::group},
                                  {"ChrootDir", U, core::global_only},
                                  {"Suexec", N, nullptr}};
const HandlerBinding watchdog_c[] = {{"WatchdogInterval", N, proxy::watchdog_interval}};

} // namespace

std::span<const HandlerBinding> core_family_bindings(std::string_view source) {
  if (source == "core.c") return core_c;
  if (source == "http_core.c") return http_core_c;
  if (source == "event.c" || source == "worker.c" || source == "prefork.c") return mpm_c;
  if (source == "mod_so.c") return so_c;
  if (source == "mod_version.c") return version_c;
  if (source == "mod_unixd.c") return unixd_c;
  if (source == "mod_watchdog.c") return watchdog_c;
  return {};
}

} // namespace balancerd::directives
