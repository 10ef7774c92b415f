#include "server/pipeline/response_headers.hpp"

#include "server/headers/header_rules.hpp"

namespace balancerd::pipeline {
namespace {

namespace d = directives;

bool has_response_rules(const d::HeadersDirConf& conf) {
  for (const d::HeaderRule& r : conf.rules)
    if (r.table != d::HeaderTable::Request) return true;
  return false;
}

// "Name: value\r\n" lines of a head into a table.
void read_fields(std::string_view fields, expr::VarTable& out) {
  while (!fields.empty()) {
    std::size_t eol = fields.find("\r\n");
    std::string_view line = fields.substr(0, eol);
    fields.remove_prefix(eol == std::string_view::npos ? fields.size() : eol + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.add(line.substr(0, colon), value);
  }
}

} // namespace

void apply_response_rules(RequestState& state, http::ResponseHead& head, bool error_page) {
  const d::DirConf* dir = state.dir ? state.dir.get() : (state.server ? state.server->base.get() : nullptr);
  if (!dir || !has_response_rules(dir->headers)) return;
  const bool error_response = error_page || state.error_response;
  state.headers_out.clear();
  state.err_headers_out.clear();
  read_fields(head.fields(), state.headers_out);
  state.ctx.info.status = head.status;
  state.ctx.info.content_type = head.content_type();
  headers::HeaderEnv env{state.ctx, nullptr, &state.scratch};
  headers::apply_response_headers(dir->headers, state.headers_out, state.err_headers_out, error_response,
                                  env);

  // Rebuild the head's fields: err_headers_out first, as Apache's header filter overlays them.
  const int status = head.status;
  const std::string_view reason = head.reason;
  const auto length = head.content_length;
  const bool chunked = head.chunked;
  std::string type(head.content_type());
  head.clear();
  head.status = status;
  head.reason = reason;
  head.content_length = length;
  head.chunked = chunked;
  head.set_content_type(type);
  for (const auto& e : state.err_headers_out) head.add(e.name, e.value);
  for (const auto& e : state.headers_out) head.add(e.name, e.value);
}

} // namespace balancerd::pipeline
