#include "server/handlers/static_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <vector>

#include "server/handlers/byte_ranges.hpp"
#include "server/handlers/file_body_cache.hpp"
#include "server/handlers/file_mime.hpp"
#include "server/handlers/file_validators.hpp"
#include "server/handlers/owned_body.hpp"
#include "server/http/error_page.hpp"
#include "server/http/http_date.hpp"
#include "server/http/request.hpp"

namespace balancerd::handlers {

namespace {

constexpr std::size_t kPiece = 64 * 1024;
// A pooled job keeps a read buffer up to this size; a bigger one (a large file's pieces) is freed
// with the response, so the pool stays small while small files never allocate.
constexpr std::size_t kKeepBuffer = 16 * 1024;
constexpr std::size_t kPoolMax = 256;

// One body segment: literal text (multipart headers) or a byte range of the file.
struct Segment {
  std::size_t text_begin = 0, text_len = 0; // into Job::text
  std::uint64_t first = 0, length = 0;      // file bytes
  bool is_text = false;
};

// A response being streamed. Pooled per thread, so a busy connection reuses buffers.
struct Job {
  net::Exchange* ex = nullptr;
  int fd = -1;
  std::shared_ptr<const std::string> body; // the cached file: segments are sent from it, no fd
  std::shared_ptr<const void> hold;
  std::vector<Segment> segments;
  std::string text;
  std::size_t seg = 0;
  std::uint64_t done_in_seg = 0;
  std::unique_ptr<char[]> buf; // not zeroed: pread fills what is sent
  std::size_t buf_size = 0;
  char* buffer(std::size_t want) {
    if (buf_size < want) {
      buf_size = std::max(want, std::size_t{4096});
      buf = std::make_unique_for_overwrite<char[]>(buf_size);
    }
    return buf.get();
  }
  void next();
  void finish();
};

// Finished jobs kept for reuse by this thread; freed when the thread ends.
struct JobPool : std::vector<Job*> {
  ~JobPool() {
    for (Job* j : *this) delete j;
  }
};
thread_local JobPool pool;

Job* acquire() {
  if (!pool.empty()) {
    Job* j = pool.back();
    pool.pop_back();
    return j;
  }
  return new Job;
}

void Job::finish() {
  if (fd >= 0) ::close(fd);
  fd = -1;
  body.reset();
  hold.reset();
  segments.clear();
  text.clear();
  seg = 0;
  done_in_seg = 0;
  ex = nullptr;
  if (buf_size > kKeepBuffer) {
    buf.reset();
    buf_size = 0;
  }
  if (pool.size() < kPoolMax)
    pool.push_back(this);
  else
    delete this;
}

void Job::next() {
  while (seg < segments.size()) {
    const Segment& s = segments[seg];
    const bool last_seg = seg + 1 == segments.size();
    if (s.is_text) {
      ++seg;
      ex->write(std::span<const char>(text.data() + s.text_begin, s.text_len), last_seg,
                [this, last_seg](bool ok) {
                  if (!ok || last_seg) return finish();
                  next();
                });
      return;
    }
    std::uint64_t left = s.length - done_in_seg;
    if (left == 0) {
      ++seg;
      done_in_seg = 0;
      continue;
    }
    if (body) {
      // a cached small file: the segment straight from its bytes (their size is the file's)
      const std::uint64_t first = s.first;
      ++seg;
      done_in_seg = 0;
      ex->write(std::span<const char>(body->data() + first, static_cast<std::size_t>(left)), last_seg,
                [this, last_seg](bool ok) {
                  if (!ok || last_seg) return finish();
                  next();
                });
      return;
    }
    std::size_t want = left < kPiece ? static_cast<std::size_t>(left) : kPiece;
    // the whole rest when it is small, else fixed pieces
    char* into = buffer(want);
    ssize_t n = ::pread(fd, into, want, static_cast<off_t>(s.first + done_in_seg));
    if (n <= 0) {
      // the file shrank or failed under us: end the response early (the client sees a short body)
      ex->send_error(500);
      return finish();
    }
    done_in_seg += static_cast<std::uint64_t>(n);
    bool last = last_seg && done_in_seg == s.length;
    if (done_in_seg == s.length) {
      ++seg;
      done_in_seg = 0;
    }
    ex->write(std::span<const char>(into, static_cast<std::size_t>(n)), last, [this, last](bool ok) {
      if (!ok || last) return finish();
      next();
    });
    return;
  }
  // nothing to send (empty file)
  ex->write({}, true, [this](bool) { finish(); });
}

std::int64_t now_usec() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void append_dec(std::string& out, std::uint64_t v) {
  out += std::to_string(v);
}

// The file's type with AddDefaultCharset's charset added to a text/plain or text/html that names
// none; the view is into a per-thread buffer that the next call reuses.
std::string_view content_type_of(const StaticFile& file) {
  thread_local std::string ctype;
  ctype.assign(file.type);
  if (!file.charset.empty() && (ctype == "text/plain" || ctype == "text/html")) {
    ctype += "; charset=";
    ctype += file.charset;
  }
  return ctype;
}

// mod_mime's metadata: on every answer that carries the file's headers (200, 206, 412, HEAD,
// OPTIONS), never on a 304 (Apache drops them there) or on the byterange filter's 416.
void add_mime_fields(http::ResponseHead& h, const StaticFile& file) {
  if (!file.encoding.empty()) h.add("Content-Encoding", file.encoding);
  if (!file.language.empty()) h.add("Content-Language", file.language);
}

} // namespace

namespace {

void serve_now(net::Exchange& ex, StaticFile file);

// A request body sent to a file is read and dropped first (so LimitRequestBody answers 413 and the
// connection stays usable), as Apache's default handler discards it.
struct Drain {
  net::Exchange* ex;
  StaticFile file;
  std::string type, encoding, language; // owned copies: the views' buffers are reused meanwhile
  Drain(net::Exchange* e, StaticFile f)
      : ex(e), file(std::move(f)), type(file.type), encoding(file.encoding), language(file.language) {
    file.type = type;
    file.encoding = encoding;
    file.language = language;
  }
};

void drain(std::shared_ptr<Drain> d) {
  d->ex->read_body([d](const net::BodyPiece& piece) {
    if (piece.error) {
      const int status = piece.error > 0 ? piece.error : 400;
      if (d->file.body_error)
        d->file.body_error(*d->ex, d->file.body_error_arg, status);
      else
        d->ex->send_error(status);
      return;
    }
    if (piece.end) {
      serve_now(*d->ex, std::move(d->file));
      return;
    }
    drain(d);
  });
}

} // namespace

void assign_file_mime(StaticFile& file, std::string_view base_name, const MimeTypes& types,
                      const directives::DirConf* dir) {
  thread_local FileMime mime;
  resolve_file_mime(base_name, types, dir, mime);
  file.type = mime.type;
  file.encoding = mime.encoding;
  file.language = mime.languages;
  file.charset = {};
  // AddDefaultCharset only fills in a text/plain or text/html that names no charset (serve_now)
  if (dir && dir->core->add_default_charset && !http::iequals(*dir->core->add_default_charset, "off"))
    file.charset = http::iequals(*dir->core->add_default_charset, "on")
                       ? std::string_view("iso-8859-1")
                       : std::string_view(*dir->core->add_default_charset);
}

void add_file_type_fields(http::ResponseHead& h, const StaticFile& file) {
  add_mime_fields(h, file);
  if (!file.type.empty()) h.set_content_type(content_type_of(file));
}

void serve_static_file(net::Exchange& ex, StaticFile file) {
  if (ex.request().body != http::BodyKind::None && file.status == 0) {
    ex.set_body_limit(file.body_limit);
    drain(std::make_shared<Drain>(&ex, std::move(file)));
    return;
  }
  serve_now(ex, std::move(file));
}

namespace {

void serve_now(net::Exchange& ex, StaticFile file) {
  const auto& req = ex.request();
  const bool head = req.method == http::Method::Head;
  // Apache's default handler sends a file for POST as for GET
  const bool get = req.method == http::Method::Get || req.method == http::Method::Post;
  if (!get && !head && file.status == 0) {
    if (req.method == http::Method::Options) {
      auto& h = ex.response();
      h.status = 200;
      h.add("Allow", "GET,HEAD,OPTIONS,POST,TRACE");
      h.content_length = 0;
      add_file_type_fields(h, file);
      ex.write({}, true, {});
      return;
    }
    // Apache: a method it does not know is 501, a known one the file cannot take is 405
    ex.send_error(req.method == http::Method::Other ? 501 : 405, {}, "GET,HEAD,OPTIONS,POST,TRACE");
    return;
  }
  const std::int64_t now = now_usec();
  FileStamp stamp;
  stamp.size = static_cast<std::uint64_t>(file.st.st_size);
  stamp.mtime_usec =
      static_cast<std::int64_t>(file.st.st_mtim.tv_sec) * 1000000 + file.st.st_mtim.tv_nsec / 1000;
  thread_local std::string etag;
  etag.clear();
  if (file.etag) append_etag(etag, stamp, now);
  // the same file is asked for again and again: its date is formatted once
  thread_local std::time_t lm_time = -1;
  thread_local char lm[32];
  thread_local std::string_view last_modified;
  if (file.st.st_mtim.tv_sec != lm_time) {
    lm_time = file.st.st_mtim.tv_sec;
    last_modified = http::format_http_date(lm_time, lm);
  }

  std::string_view im, ius, inm, ims, range_h, if_range;
  ConditionalHeaders ch;
  for (const auto& hd : req.headers) {
    if (http::iequals(hd.name, "If-Match"))
      im = hd.value, ch.if_match = &im;
    else if (http::iequals(hd.name, "If-Unmodified-Since"))
      ius = hd.value, ch.if_unmodified_since = &ius;
    else if (http::iequals(hd.name, "If-None-Match"))
      inm = hd.value, ch.if_none_match = &inm;
    else if (http::iequals(hd.name, "If-Modified-Since"))
      ims = hd.value, ch.if_modified_since = &ims;
    else if (http::iequals(hd.name, "Range"))
      range_h = hd.value;
    else if (http::iequals(hd.name, "If-Range"))
      if_range = hd.value;
  }
  auto& h = ex.response();
  const Condition cond =
      file.status ? Condition::Proceed
                  : evaluate_conditions(ch, etag, file.st.st_mtim.tv_sec, now / 1000000, get || head);
  const std::string_view ctype = content_type_of(file);
  h.add("Last-Modified", last_modified);
  if (!etag.empty()) h.add("ETag", etag);
  h.add("Accept-Ranges", "bytes");
  if (cond != Condition::Proceed) {
    // Apache answers both from the default handler with the file's headers and no body.
    h.status = cond == Condition::NotModified ? 304 : 412;
    if (cond == Condition::PreconditionFailed) {
      add_mime_fields(h, file);
      h.content_length = 0;
      if (!ctype.empty()) h.set_content_type(ctype);
    }
    ex.write({}, true, {});
    return;
  }

  Job* job = acquire();
  job->ex = &ex;
  job->hold = std::move(file.hold);
  thread_local std::vector<ByteRange> ranges;
  RangeOutcome ro = RangeOutcome::Whole;
  if (!range_h.empty() && get && file.status == 0) {
    bool range_ok = true;
    if (!if_range.empty()) {
      if (if_range.front() == '"' || if_range.starts_with("W/"))
        range_ok = !etag.starts_with("W/") && if_range == etag;
      else
        range_ok = parse_http_date(if_range) == file.st.st_mtim.tv_sec;
    }
    if (range_ok) ro = parse_ranges(range_h, stamp.size, ranges);
  }
  if (ro == RangeOutcome::Unsatisfiable) {
    // Apache's 416 comes from the byterange filter: its page, streamed, without the file's headers
    job->finish();
    std::string page;
    http::append_error_body(page, 416, {});
    h.clear();
    h.status = 416;
    h.set_content_type("text/html; charset=iso-8859-1");
    write_owned(ex, std::move(page), true);
    return;
  }
  h.status = 200;
  add_mime_fields(h, file);
  if (!head) {
    job->body = cached_file_body(file.path, file.st, static_cast<std::time_t>(now / 1000000));
    if (!job->body) job->fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (!job->body && job->fd < 0) {
      job->finish();
      h.clear();
      ex.send_error(403);
      return;
    }
  }
  if (ro == RangeOutcome::Whole) {
    if (file.status) h.status = file.status;
    h.content_length = stamp.size;
    if (!ctype.empty()) h.set_content_type(ctype);
    job->segments.push_back({0, 0, 0, stamp.size, false});
  } else if (ranges.size() == 1) {
    h.status = 206;
    std::string cr = "bytes ";
    append_dec(cr, ranges[0].first);
    cr += '-';
    append_dec(cr, ranges[0].last);
    cr += '/';
    append_dec(cr, stamp.size);
    h.add("Content-Range", cr);
    h.content_length = ranges[0].length();
    if (!ctype.empty()) h.set_content_type(ctype);
    job->segments.push_back({0, 0, ranges[0].first, ranges[0].length(), false});
  } else {
    h.status = 206;
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char boundary[17];
    std::snprintf(boundary, sizeof boundary, "%016llx", static_cast<unsigned long long>(rng()));
    std::string ct = "multipart/byteranges; boundary=";
    ct += boundary;
    h.set_content_type(ct);
    std::uint64_t total = 0;
    for (const auto& r : ranges) {
      std::size_t b = job->text.size();
      job->text += "\r\n--";
      job->text += boundary;
      job->text += "\r\n";
      if (!ctype.empty()) {
        job->text += "Content-type: ";
        job->text += ctype;
        job->text += "\r\n";
      }
      job->text += "Content-range: bytes ";
      append_dec(job->text, r.first);
      job->text += '-';
      append_dec(job->text, r.last);
      job->text += '/';
      append_dec(job->text, stamp.size);
      job->text += "\r\n\r\n";
      job->segments.push_back({b, job->text.size() - b, 0, 0, true});
      job->segments.push_back({0, 0, r.first, r.length(), false});
      total += job->text.size() - b + r.length();
    }
    std::size_t b = job->text.size();
    job->text += "\r\n--";
    job->text += boundary;
    job->text += "--\r\n";
    job->segments.push_back({b, job->text.size() - b, 0, 0, true});
    total += job->text.size() - b;
    h.content_length = total;
  }
  if (head) {
    ex.write({}, true, [job](bool) { job->finish(); });
    return;
  }
  job->next();
}

} // namespace

} // namespace balancerd::handlers
