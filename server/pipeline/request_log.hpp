#pragma once
// The access-log lines of a finished exchange: a RequestLogView over the connection's outcome, the
// request and what the pipeline kept for it (state may be null for a malformed request the
// connection answered itself), written to every access log of the server that served it.
#include "server/log/log_set.hpp"
#include "server/net/exchange.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {

struct LogSubject {
  const RequestState* state = nullptr; // null: the connection answered a malformed request
  const runtime::ServerView* server = nullptr;
  std::string_view main_name; // ServerName of the main server when the server has none
};

// Fills `view` (and `conn`) for the exchange; strings are views into the exchange and state. For a
// request answered by an ErrorDocument's internal redirect, `view` is the last request's (the
// redirect's) and, when `original` is given, the original request's view is filled there and
// view.original points at it (mod_log_config's %<x items and the %U %s %R defaults read it).
void fill_log_view(net::Exchange& ex, const net::ExchangeOutcome& outcome, const LogSubject& subject,
                   log::ConnLogView& conn, log::RequestLogView& view,
                   log::RequestLogView* original = nullptr);

// The levels an error-log line about this request is filtered with (st.logs must be set): the
// server's, or, when a <Directory>/<Location>... section of the request sets LogLevel, the merged
// per-directory ones, as Apache switches r->log to the directory's log config. Computed once per
// effective `st.dir`.
const log::LevelTable& request_levels(const RequestState& st);

// CustomLog's "expr=" condition (log::LogExprEval): the expression evaluated against the finished
// request as the log sees it (final status as REQUEST_STATUS, request and response headers, env,
// notes). An expression that fails at run time does not log, as mod_log_config skips the line.
bool eval_log_condition(const directives::expr::Expr& expr, const log::RequestLogView& view);

void log_finished(net::Exchange& ex, const net::ExchangeOutcome& outcome, const LogSubject& subject,
                  const log::ServerLogs& logs);

} // namespace balancerd::pipeline
