// Binds the core family's handlers and support levels to the generated directive entries.
// Implemented: balancerd reads the value and uses it (or checks it as Apache does); NoEffect:
// accepted and harmless; Unsupported: accepted, but the behaviour is not reproduced (DUMP_COMPAT).
#include "directives/modules/core_handlers.hpp"
#include "directives/modules/proxy_handlers.hpp"
#include "directives/registry.hpp"

namespace balancerd::directives {

namespace {

using core::Result;
constexpr Support I = Support::Implemented;
constexpr Support N = Support::NoEffect;
constexpr Support U = Support::Unsupported;

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
    {"HostnameLookups", U, core::hostname_lookups},
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
    {"Protocols", I, core::protocols},
    {"ProtocolsHonorOrder", I, core::protocols_honor_order},
    {"MergeSlashes", I, core::merge_slashes},
    {"AllowEncodedSlashes", I, core::allow_encoded_slashes},
    {"Protocol", N, nullptr},
    {"AcceptFilter", N, nullptr},
    {"Port", N, nullptr},
    {"MergeTrailers", U, nullptr},
    {"RegisterHttpMethod", U, nullptr},
    {"LimitXMLRequestBody", N, nullptr},
    {"MaxRanges", U, nullptr},
    {"MaxRangeOverlaps", U, nullptr},
    {"MaxRangeReversals", U, nullptr},
    {"ReadBufferSize", N, nullptr},
    {"FlushMaxThreshold", N, nullptr},
    {"FlushMaxPipelined", N, nullptr},
    // Logging.
    {"LogLevel", I, core::log_level},
    {"ErrorLog", I, core::error_log},
    {"ErrorLogFormat", U, core::error_log_format},
    // Responses and per-dir settings.
    {"ServerTokens", I, core::server_tokens},
    {"ServerSignature", I, core::server_signature},
    {"Options", N, core::options},
    {"AllowOverride", N, core::allow_override},
    {"AllowOverrideList", N, nullptr},
    {"AccessFileName", N, nullptr},
    {"ErrorDocument", U, core::error_document},
    {"SetHandler", U, core::set_handler},
    {"AddDefaultCharset", U, core::add_default_charset},
    {"DefaultType", N, core::default_type},
    {"ForceType", U, core::force_type},
    {"FileETag", N, core::file_etag},
    {"EnableMMAP", N, nullptr},
    {"EnableSendfile", N, nullptr},
    {"ContentDigest", U, nullptr},
    {"AcceptPathInfo", N, nullptr},
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
    {"ExtendedStatus", N, nullptr},
    {"SeeRequestTail", N, nullptr},
    {"MaxRequestsPerChild", N, core::max_connections_per_child},
    {"MaxConnectionsPerChild", N, core::max_connections_per_child},
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
    {"ListenBacklog", N, core::listen_backlog},
    {"ListenCoresBucketsRatio", N, nullptr},
    {"SendBufferSize", N, nullptr},
    {"ReceiveBufferSize", N, nullptr},
    {"ListenTCPDeferAccept", N, nullptr},
    {"StartServers", N, core::start_servers},
    {"ServerLimit", N, core::server_limit},
    {"MinSpareThreads", N, core::min_spare_threads},
    {"MaxSpareThreads", N, core::max_spare_threads},
    {"MaxClients", N, core::max_request_workers},
    {"MaxRequestWorkers", N, core::max_request_workers},
    {"ThreadsPerChild", N, core::threads_per_child},
    {"ThreadLimit", N, core::thread_limit},
    {"AsyncRequestWorkerFactor", N, core::async_request_worker_factor},
    {"GracefulShutdownTimeout", I, core::graceful_shutdown_timeout},
    {"MinSpareServers", N, core::min_spare_servers},
    {"MaxSpareServers", N, core::max_spare_servers},
    {"PidFile", I, core::pid_file},
    {"MaxRequestsPerChild", N, core::max_connections_per_child},
    {"MaxConnectionsPerChild", N, core::max_connections_per_child},
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
