#pragma once
// mod_headers at run time: Header / RequestHeader rules applied in config order to a header table.
// Apache keeps two response tables: `Header` (onsuccess) rules work on headers_out, which error
// responses Apache generates drop; `Header always` rules work on err_headers_out, which every
// response carries. On the wire err_headers_out come first, then headers_out (apache2 2.4.71:
// "Header always set X-Al 1" + "Header set X-On 1" answers X-Al before X-On).
//
// Measured details kept: `merge` adds the value unless the first header's comma-separated tokens
// hold it exactly (case-sensitive, quotes respected); `append` joins onto the first entry only;
// `edit`/`edit*` re-add every edited entry at the end of the table; in the replacement only $0..$9
// are special ('&' is literal); `%{VAR}e` of an unset variable is "(null)", as is `%{VAR}s`
// without TLS; `setifempty` acts only when the header is absent. Deviation: an `edit*` whose
// pattern matches the empty string makes apache2 crash; here the scan advances one character.
#include "directives/model/headers_conf.hpp"
#include "server/expr/expr_context.hpp"
#include "server/expr/expr_eval.hpp"
#include "server/expr/var_table.hpp"

#include <string>

namespace balancerd::headers {

using expr::VarTable;

// Which rules to run on this call.
enum class RequestPhase {
  Early, // post_read_request: RequestHeader ... early
  Fixup, // fixups: the other RequestHeader rules
};

struct HeaderEnv {
  expr::ExprContext& ctx;
  expr::Evaluator* evaluator = nullptr; // null: Evaluator::this_thread()
  std::string* scratch = nullptr;       // reused value buffer (null: a local one)
};

// RequestHeader rules of `phase` over the request headers.
void apply_request_headers(const directives::HeadersDirConf& conf, RequestPhase phase, VarTable& headers_in,
                           const HeaderEnv& env);

// Header rules over the response tables. `error_response`: Apache generated an error response
// (its headers_out are dropped), so only `always` rules run.
void apply_response_headers(const directives::HeadersDirConf& conf, VarTable& headers_out,
                            VarTable& err_headers_out, bool error_response, const HeaderEnv& env);

// One rule on one table (for the callers that keep their own phases).
void apply_header_rule(const directives::HeaderRule& rule, VarTable& table, const HeaderEnv& env);

// The rule's value as Apache formats it (%t, %D, %{VAR}e, %{VAR}s, literal text, or expr=).
void format_header_value(const directives::HeaderRule& rule, const HeaderEnv& env, std::string& out);

// The token test of `merge`: does the comma-separated `list` hold `token` as one whole item?
bool header_has_token(std::string_view list, std::string_view token);

} // namespace balancerd::headers
