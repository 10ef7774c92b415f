#pragma once
// Validators and conditional requests for static files, as Apache's default handler and
// ap_meets_conditions() decide them: the ETag (FileETag default "MTime Size"), If-Match,
// If-Unmodified-Since, If-None-Match, If-Modified-Since. Pure functions, no I/O.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace balancerd::handlers {

struct FileStamp {
  std::uint64_t size = 0;
  std::int64_t mtime_usec = 0; // modification time in microseconds since the epoch
};

// Apache's ETag for FileETag "MTime Size": "<size hex>-<mtime µs hex>"; weak ("W/") when the file
// changed less than a second before the request (it may still change within the same second).
void append_etag(std::string& out, const FileStamp& stamp, std::int64_t request_time_usec);

// Parses an HTTP date (IMF-fixdate, RFC 850 or asctime); -1 if it is not one.
std::int64_t parse_http_date(std::string_view text);

enum class Condition { Proceed, NotModified, PreconditionFailed };

struct ConditionalHeaders {
  const std::string_view* if_match = nullptr;
  const std::string_view* if_unmodified_since = nullptr;
  const std::string_view* if_none_match = nullptr;
  const std::string_view* if_modified_since = nullptr;
};

// `etag` as append_etag() wrote it; `get_or_head`: the method is GET or HEAD (304 only for those).
Condition evaluate_conditions(const ConditionalHeaders& h, std::string_view etag, std::int64_t mtime_sec,
                              std::int64_t request_time_sec, bool get_or_head);

// Whether `list` (an If-Match/If-None-Match value) names `etag`; strong comparison refuses weak tags.
bool etag_list_matches(std::string_view list, std::string_view etag, bool strong);

} // namespace balancerd::handlers
