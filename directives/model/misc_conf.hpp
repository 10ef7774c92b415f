#pragma once
// Slot for mod_reqtimeout, mod_status, mod_http2.
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

// One stage of RequestReadTimeout (handshake, header or body).
struct ReadTimeoutStage {
  bool set = false;
  int timeout = 0;     // seconds; 0 disables
  int max_timeout = 0; // range upper bound; 0: no range
  int min_rate = 0;    // bytes/s that extend the timeout
};

struct H2Settings {
  std::optional<bool> direct;
  std::optional<bool> upgrade;
  std::optional<bool> push;
  std::optional<bool> modern_tls_only;
  std::optional<bool> early_hints;
  std::optional<bool> websockets;
  std::optional<bool> proxy_requests;
  std::optional<bool> copy_files;
  std::optional<bool> serialize_headers;
  std::optional<bool> output_buffering;
  std::optional<int> max_session_streams;
  std::optional<int> window_size;
  std::optional<int> min_workers;
  std::optional<int> max_workers;
  std::optional<int> max_worker_idle_seconds;
  std::optional<int> stream_max_mem_size;
  std::optional<int> tls_warmup_size;
  std::optional<int> tls_cooldown_secs;
  std::optional<int> padding_bits;
  std::optional<int> stream_timeout;
  std::optional<int> max_data_frame_len;
  std::optional<int> max_header_block_len;
  std::optional<int> max_stream_errors;
  std::vector<std::string> other; // accepted settings with no modelled effect, "Name args" as written
};

struct MiscServerConf {
  ReadTimeoutStage handshake_timeout, header_timeout, body_timeout;
  H2Settings h2;
};

struct MiscDirConf {
  std::optional<bool> h2_upgrade;
  std::optional<bool> h2_push;
  std::vector<std::string> h2_push_resources; // H2PushResource, as written
};

} // namespace balancerd::directives
