#include "server/hcheck/hc_probe.hpp"

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cerrno>
#include <vector>

namespace balancerd::hcheck {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using generic_stream = asio::generic::stream_protocol;

namespace {

class Probe : public std::enable_shared_from_this<Probe> {
public:
  Probe(asio::io_context& io, HcProbeSpec spec, std::function<void(HcProbeResult&)> done)
      : spec_(std::move(spec)), done_(std::move(done)), resolver_(io), socket_(io), timer_(io) {
    result_.response = HcResponseParser(spec_.read_body);
  }

  void start() {
    arm(spec_.connect_timeout);
    if (!spec_.uds_path.empty()) {
      targets_.push_back(
          {generic_stream::endpoint(asio::local::stream_protocol::endpoint(spec_.uds_path)), spec_.uds_path});
      return connect_next(0);
    }
    auto self = shared_from_this();
    resolver_.async_resolve(spec_.host, std::to_string(spec_.port), tcp::resolver::numeric_service,
                            [self](const boost::system::error_code& ec, tcp::resolver::results_type r) {
                              self->on_resolved(ec, std::move(r));
                            });
  }

private:
  struct Target {
    generic_stream::endpoint endpoint;
    std::string text; // "ip:port" or the socket path, for the log
  };

  void arm(std::chrono::microseconds d) {
    timer_.expires_after(d);
    auto self = shared_from_this();
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (ec || self->finished_) return;
      self->timed_out_ = true;
      boost::system::error_code ignored;
      self->resolver_.cancel();
      self->socket_.cancel(ignored);
      self->socket_.close(ignored);
    });
  }

  int error_of(const boost::system::error_code& ec) const {
    if (timed_out_) return 70007; // APR_TIMEUP: apache2 logs a check that ran out of time so
    if (ec.category() == boost::system::system_category()) return ec.value();
    return ec == asio::error::host_not_found ? EHOSTUNREACH : EIO;
  }

  void on_resolved(const boost::system::error_code& ec, tcp::resolver::results_type results) {
    if (ec || results.empty()) {
      result_.outcome = HcProbeResult::Outcome::ConnectFailed;
      result_.os_error = error_of(ec ? ec : asio::error::host_not_found);
      return finish();
    }
    for (const auto& r : results) {
      const tcp::endpoint ep = r.endpoint();
      targets_.push_back(
          {generic_stream::endpoint(ep), ep.address().to_string() + ":" + std::to_string(ep.port())});
    }
    connect_next(0);
  }

  // Each resolved address in turn, as Apache's connect loop does, within the one connect timeout.
  void connect_next(std::size_t i) {
    boost::system::error_code ignored;
    socket_.close(ignored);
    result_.address = targets_[i].text;
    auto self = shared_from_this();
    socket_.async_connect(targets_[i].endpoint, [self, i](const boost::system::error_code& ec) {
      if (ec && !self->timed_out_ && i + 1 < self->targets_.size()) return self->connect_next(i + 1);
      self->on_connected(ec);
    });
  }

  void on_connected(const boost::system::error_code& ec) {
    if (ec) {
      result_.outcome = HcProbeResult::Outcome::ConnectFailed;
      result_.os_error = error_of(ec);
      return finish();
    }
    if (spec_.request.empty()) {
      result_.outcome = HcProbeResult::Outcome::Connected;
      return finish();
    }
    timer_.cancel();
    arm(spec_.io_timeout);
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(spec_.request),
                      [self](const boost::system::error_code& ec2, std::size_t) {
                        if (ec2) return self->read_failed(ec2);
                        self->read_some();
                      });
  }

  void read_some() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buf_), [self](const boost::system::error_code& ec, std::size_t n) {
      if (n > 0) {
        self->got_bytes_ = true;
        if (self->result_.response.feed(std::string_view(self->buf_.data(), n))) return self->answered();
      }
      if (ec) {
        if (ec == asio::error::eof && self->got_bytes_) {
          self->result_.response.finish();
          return self->answered();
        }
        return self->read_failed(ec);
      }
      self->read_some();
    });
  }

  void answered() {
    result_.outcome = HcProbeResult::Outcome::Answered;
    finish();
  }

  void read_failed(const boost::system::error_code& ec) {
    result_.outcome = got_bytes_ ? HcProbeResult::Outcome::Answered : HcProbeResult::Outcome::NoAnswer;
    result_.os_error = error_of(ec);
    finish();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(generic_stream::socket::shutdown_both, ignored);
    socket_.close(ignored);
    auto done = std::move(done_);
    done(result_);
  }

  HcProbeSpec spec_;
  std::function<void(HcProbeResult&)> done_;
  tcp::resolver resolver_;
  generic_stream::socket socket_;
  std::vector<Target> targets_;
  asio::steady_timer timer_;
  HcProbeResult result_;
  std::array<char, 8192> buf_{};
  bool finished_ = false;
  bool timed_out_ = false;
  bool got_bytes_ = false;
};

} // namespace

void start_probe(asio::io_context& io, HcProbeSpec spec, std::function<void(HcProbeResult&)> done) {
  std::make_shared<Probe>(io, std::move(spec), std::move(done))->start();
}

} // namespace balancerd::hcheck
