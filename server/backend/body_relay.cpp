#include "server/backend/body_relay.hpp"

namespace balancerd::backend {

void BodyRelay::start(BackendConnection& conn, ResponseBody& body, std::span<const char> prefix,
                      std::span<const char> buffered, net::Exchange& ex, DoneCallback done) {
  conn_ = &conn;
  body_ = &body;
  ex_ = &ex;
  done_ = std::move(done);
  result_ = {};
  if (prefix.empty()) {
    pending_ = buffered;
    next_ = {};
  } else {
    pending_ = prefix;
    next_ = buffered;
  }
  pump();
}

void BodyRelay::pump() {
  for (;;) {
    auto s = body_->step(pending_);
    pending_ = pending_.subspan(s.consumed);
    switch (s.status) {
    case ResponseBody::Status::Data: {
      result_.bytes += s.data.size();
      const bool last = body_->done();
      if (last) result_.reusable = reusable_after_body();
      // The last piece completes inline when the socket takes it: the request ends (report) while it is
      // in cache. Earlier pieces keep the posted completion (pump() inline would recurse per piece).
      // Nothing of the relay is touched after either call: the callback may free it.
      auto written = [this, last](bool ok) {
        if (!ok) {
          result_.client_failed = true;
          result_.reusable = false;
          report();
        } else if (last) {
          result_.complete = true;
          report();
        } else {
          pump();
        }
      };
      if (last) return ex_->write_inline(s.data, true, std::move(written));
      ex_->write(s.data, false, std::move(written));
      return;
    }
    case ResponseBody::Status::NeedMore:
      if (!next_.empty()) {
        pending_ = next_;
        next_ = {};
        continue;
      }
      read_more();
      return;
    case ResponseBody::Status::Done:
      result_.reusable = reusable_after_body();
      finish();
      return;
    case ResponseBody::Status::Error:
      result_.body_error = true;
      report();
      return;
    }
  }
}

bool BodyRelay::reusable_after_body() const noexcept {
  // Bytes after the body on a connection that is to be reused mean the backend sent more than it
  // framed: do not trust the connection.
  return body_->framing() != BodyFraming::UntilClose && pending_.empty() && next_.empty();
}

void BodyRelay::read_more() {
  conn_->read_some([this](BackendError e, std::span<const char> data) {
    if (e == BackendError::None) {
      pending_ = data;
      pump();
      return;
    }
    if (e == BackendError::Eof && body_->finish() == ResponseBody::Status::Done) {
      result_.reusable = false; // the backend closed it
      finish();
      return;
    }
    result_.backend = e;
    result_.body_error = e == BackendError::Eof; // cut short
    report();
  });
}

void BodyRelay::finish() {
  // The body's end (a chunked body's last chunk): inline as the last piece's write is.
  ex_->write_inline({}, true, [this](bool ok) {
    if (ok) {
      result_.complete = true;
    } else {
      result_.client_failed = true;
      result_.reusable = false;
    }
    report();
  });
}

void BodyRelay::report() {
  if (!result_.complete) result_.reusable = false;
  auto cb = std::move(done_);
  done_ = nullptr;
  if (cb) cb(result_);
}

} // namespace balancerd::backend
