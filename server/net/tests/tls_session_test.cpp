// TlsSession (the client connection's TLS filter) and TlsContexts (the contexts of a configuration)
// against a client written here with plain OpenSSL, over a socketpair: the handshake, SNI picking
// the vhost's certificate, records that arrive a byte at a time, a write larger than the socket
// buffer, close_notify both ways, plain HTTP on the TLS port, SSLProtocol, and start-up's errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "directives/compile.hpp"
#include "directives/diagnostics.hpp"
#include "directives/registry.hpp"
#include "server/net/tests/tls_test_pki.hpp"
#include "server/net/tls_context.hpp"
#include "server/net/tls_session.hpp"

namespace balancerd::net {
namespace {

using Io = TlsSession::Io;

class TlsSessionTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (directives::http_family_bindings("mod_ssl.c").empty()) ADD_FAILURE() << "mod_ssl handlers not linked";
    std::string tmpl = (std::filesystem::temp_directory_path() / "bd-tls-session-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    ASSERT_TRUE(testing::write_self_signed(dir_, "a", "a.example"));
    ASSERT_TRUE(testing::write_self_signed(dir_, "b", "b.example"));
  }
  void TearDown() override {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
    std::filesystem::remove_all(dir_);
  }

  std::shared_ptr<const TlsContexts> build(const std::string& text,
                                           std::vector<TlsSetupMessage>* failure = nullptr) {
    std::string conf = "ServerRoot " + dir_ + "\nPidFile " + dir_ + "/httpd.pid\nErrorLog " + dir_ +
                       "/error.log\nServerName localhost\n";
    for (const char* m : {"mpm_event", "authz_core", "socache_shmcb", "ssl"})
      conf += std::string("LoadModule ") + m + "_module /usr/lib/apache2/modules/mod_" + m + ".so\n";
    conf += "Listen 127.0.0.1:28443\nListen 127.0.0.1:28080\n" + text;
    std::ofstream(dir_ + "/test.conf") << conf;
    parser::ReadOptions options;
    options.server_root = dir_;
    options.config_file = dir_ + "/test.conf";
    directives::Diagnostics diagnostics("apache2");
    config_ = directives::compile_config(options, diagnostics).config;
    EXPECT_TRUE(config_);
    if (!config_) return nullptr;
    std::vector<TlsSetupMessage> local;
    auto contexts = TlsContexts::build(*config_, "localhost", failure ? *failure : local);
    for (const auto& m : local) ADD_FAILURE() << m.text;
    return contexts;
  }

  std::string two_vhosts(const std::string& extra = {}) const {
    return "<VirtualHost 127.0.0.1:28443>\n ServerName a.example\n SSLEngine on\n SSLCertificateFile " +
           dir_ + "/a.crt\n SSLCertificateKeyFile " + dir_ + "/a.key\n" + extra +
           "</VirtualHost>\n<VirtualHost 127.0.0.1:28443>\n ServerName b.example\n SSLEngine on\n"
           " SSLCertificateFile " +
           dir_ + "/b.crt\n SSLCertificateKeyFile " + dir_ + "/b.key\n</VirtualHost>\n";
  }

  // A connected pair: [0] the server's end (non-blocking), [1] the client's.
  void pair() {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    ::fcntl(fds_[0], F_SETFL, ::fcntl(fds_[0], F_GETFL) | O_NONBLOCK);
  }

  // Drives the server's side until it is no longer waiting (bounded: 5 s of waits).
  template <class F> Io drive(F&& step) {
    for (int i = 0; i < 500; ++i) {
      Io r = step();
      if (r != Io::WantRead && r != Io::WantWrite) return r;
      pollfd p{fds_[0], static_cast<short>(r == Io::WantRead ? POLLIN : POLLOUT), 0};
      ::poll(&p, 1, 10);
    }
    return Io::WantRead;
  }

  std::string dir_;
  std::shared_ptr<const directives::Config> config_;
  int fds_[2] = {-1, -1};
};

// A blocking OpenSSL client on fd (its own thread): handshake with `sni`, then `body`.
struct Client {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = nullptr;
  std::string peer_cn;
  bool connected = false;
  explicit Client(int fd, const char* sni = nullptr, int max_version = 0) {
    if (max_version) SSL_CTX_set_max_proto_version(ctx, max_version);
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (sni) SSL_set_tlsext_host_name(ssl, sni);
    static const unsigned char alpn[] = "\x02h2\x08http/1.1";
    SSL_set_alpn_protos(ssl, alpn, sizeof alpn - 1);
  }
  bool handshake() {
    connected = SSL_connect(ssl) == 1;
    if (connected)
      if (X509* peer = SSL_get1_peer_certificate(ssl)) {
        char cn[256] = {};
        X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
        peer_cn = cn;
        X509_free(peer);
      }
    return connected;
  }
  ~Client() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
};

TEST_F(TlsSessionTest, PlainAddressesHaveNoBinding) {
  auto contexts = build(two_vhosts());
  ASSERT_TRUE(contexts);
  EXPECT_TRUE(contexts->for_local("127.0.0.1", 28443));
  EXPECT_FALSE(contexts->for_local("127.0.0.1", 28080)); // the main server, SSLEngine unset
  EXPECT_FALSE(build("SSLEngine off\n"));                // nothing with TLS: no contexts at all
  // apache2 2.4.71 serves an "SSLEngine optional" address in plaintext (AH10510)
  EXPECT_FALSE(build("<VirtualHost 127.0.0.1:28443>\n SSLEngine optional\n SSLCertificateFile " + dir_ +
                     "/a.crt\n SSLCertificateKeyFile " + dir_ + "/a.key\n</VirtualHost>\n"));
}

TEST_F(TlsSessionTest, HandshakeSniAndEchoBothWays) {
  auto contexts = build(two_vhosts());
  ASSERT_TRUE(contexts);
  pair();
  TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
  std::string got_by_client;
  Client client(fds_[1], "B.Example");
  std::thread t([&] {
    if (!client.handshake()) return;
    SSL_write(client.ssl, "hello", 5);
    char buf[16];
    int n = SSL_read(client.ssl, buf, sizeof buf);
    if (n > 0) got_by_client.assign(buf, static_cast<std::size_t>(n));
  });
  EXPECT_EQ(drive([&] { return session.handshake(); }), Io::Ok);
  char buf[64];
  std::size_t n = 0;
  EXPECT_EQ(drive([&] { return session.read(buf, sizeof buf, n); }), Io::Ok);
  EXPECT_EQ(std::string(buf, n), "hello");
  EXPECT_EQ(drive([&] { return session.write("world", 5, n); }), Io::Ok);
  EXPECT_EQ(n, 5u);
  t.join();
  EXPECT_TRUE(client.connected);
  EXPECT_EQ(client.peer_cn, "b.example"); // the SNI name's vhost certificate
  EXPECT_EQ(got_by_client, "world");
  const auto& f = session.facts();
  EXPECT_EQ(f.protocol, "TLSv1.3");
  EXPECT_FALSE(f.cipher.empty());
  EXPECT_EQ(f.sni, "b.example");
  EXPECT_EQ(f.sni_server, 1);
  EXPECT_EQ(f.client_verify, "NONE");
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(client.ssl, &alpn, &alpn_len);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(alpn), alpn_len), "http/1.1"); // never h2
}

TEST_F(TlsSessionTest, WithoutSniTheAddressDefaultPresentsItsCertificate) {
  auto contexts = build(two_vhosts());
  ASSERT_TRUE(contexts);
  pair();
  TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
  Client client(fds_[1]);
  std::thread t([&] { client.handshake(); });
  EXPECT_EQ(drive([&] { return session.handshake(); }), Io::Ok);
  t.join();
  EXPECT_EQ(client.peer_cn, "a.example");
  EXPECT_EQ(session.facts().sni, "");
}

TEST_F(TlsSessionTest, RecordsArrivingAByteAtATime) {
  auto contexts = build(two_vhosts());
  ASSERT_TRUE(contexts);
  pair();
  TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
  // The client writes its ciphertext through a relay that forwards one byte per write.
  int relay[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, relay), 0);
  Client client(relay[0]);
  std::thread t([&] {
    if (!client.handshake()) return;
    SSL_write(client.ssl, "GET / HTTP/1.1\r\n\r\n", 18);
    SSL_shutdown(client.ssl);
    ::shutdown(relay[0], SHUT_WR);
  });
  std::thread pump_up([&] { // client -> server, one byte at a time
    char c;
    while (::read(relay[1], &c, 1) == 1) {
      pollfd p{fds_[1], POLLOUT, 0};
      ::poll(&p, 1, 1000);
      if (::write(fds_[1], &c, 1) != 1) break;
    }
    ::shutdown(fds_[1], SHUT_WR);
  });
  std::thread pump_down([&] { // server -> client
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds_[1], buf, sizeof buf)) > 0)
      if (::write(relay[1], buf, static_cast<std::size_t>(n)) != n) break;
    ::shutdown(relay[1], SHUT_WR);
  });
  EXPECT_EQ(drive([&] { return session.handshake(); }), Io::Ok);
  std::string got;
  char buf[64];
  for (int i = 0; i < 100 && got.size() < 18; ++i) {
    std::size_t n = 0;
    if (drive([&] { return session.read(buf, sizeof buf, n); }) != Io::Ok) break;
    got.append(buf, n);
  }
  EXPECT_EQ(got, "GET / HTTP/1.1\r\n\r\n");
  std::size_t n = 0;
  EXPECT_EQ(drive([&] { return session.read(buf, sizeof buf, n); }), Io::Closed); // close_notify
  t.join();
  ::shutdown(fds_[0], SHUT_RDWR);
  pump_up.join();
  pump_down.join();
  ::close(relay[0]);
  ::close(relay[1]);
}

TEST_F(TlsSessionTest, LargeWriteGoesOutWhenTheSocketDrains) {
  auto contexts = build(two_vhosts());
  ASSERT_TRUE(contexts);
  pair();
  TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
  Client client(fds_[1]);
  const std::string big(3 << 20, 'x'); // far more than the socketpair holds
  std::size_t received = 0;
  bool all_x = true;
  bool closed_cleanly = false;
  std::thread t([&] {
    if (!client.handshake()) return;
    char buf[16384];
    int n;
    while ((n = SSL_read(client.ssl, buf, sizeof buf)) > 0) {
      for (int i = 0; i < n; ++i) all_x = all_x && buf[i] == 'x';
      received += static_cast<std::size_t>(n);
    }
    closed_cleanly = SSL_get_error(client.ssl, n) == SSL_ERROR_ZERO_RETURN;
  });
  ASSERT_EQ(drive([&] { return session.handshake(); }), Io::Ok);
  std::size_t off = 0;
  bool waited = false;
  for (int i = 0; i < 100000 && off < big.size(); ++i) {
    std::size_t n = 0;
    Io r = session.write(big.data() + off, big.size() - off, n);
    if (r == Io::WantWrite) {
      waited = true;
      pollfd p{fds_[0], POLLOUT, 0};
      ::poll(&p, 1, 100);
      continue;
    }
    ASSERT_EQ(r, Io::Ok);
    off += n;
  }
  EXPECT_EQ(off, big.size());
  EXPECT_TRUE(waited); // the socket did push back
  pollfd p{fds_[0], POLLOUT, 0};
  ::poll(&p, 1, 1000);
  session.close_notify();
  ::shutdown(fds_[0], SHUT_WR);
  t.join();
  EXPECT_EQ(received, big.size());
  EXPECT_TRUE(all_x);
  EXPECT_TRUE(closed_cleanly); // close_notify reached the client
}

TEST_F(TlsSessionTest, PlainHttpIsRecognised) {
  auto contexts = build(two_vhosts());
  ASSERT_TRUE(contexts);
  pair();
  TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
  const std::string req = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n";
  ASSERT_EQ(::write(fds_[1], req.data(), req.size()), static_cast<ssize_t>(req.size()));
  EXPECT_EQ(drive([&] { return session.handshake(); }), Io::Failed);
  EXPECT_TRUE(session.plain_http());
}

TEST_F(TlsSessionTest, FailedHandshakesAreLoggedAsModSslDoes) {
  ASSERT_TRUE(build(two_vhosts())); // config_
  std::vector<std::string> lines;
  std::vector<TlsSetupMessage> failure;
  auto contexts = TlsContexts::build(
      *config_, "localhost", failure,
      [&](int, std::string_view ip, unsigned short port, std::string_view text) {
        lines.push_back((ip.empty() ? std::string() : std::string(ip) + ":" + std::to_string(port) + " ") +
                        std::string(text));
      });
  ASSERT_TRUE(contexts);
  pair();
  TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
  ASSERT_EQ(::write(fds_[1], "GET / HTTP/1.1\r\n\r\n", 18), 18);
  ASSERT_EQ(drive([&] { return session.handshake(); }), Io::Failed);
  contexts->log_handshake_failure(session.server(), "127.0.0.1", 4321, session.plain_http(),
                                  session.failure());
  contexts->log_handshake_failure(session.server(), "127.0.0.1", 4321, false, "error:0A000102:x");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "127.0.0.1:4321 AH01996: SSL handshake failed: HTTP spoken on HTTPS port; trying to send "
            "HTML error page");
  EXPECT_EQ(lines[1], "SSL Library Error: error:0A00009C:SSL routines::http request");
  EXPECT_EQ(lines[2], "127.0.0.1:4321 AH02008: SSL library error 1 in handshake (server a.example:443)");
  EXPECT_EQ(lines[3], "SSL Library Error: error:0A000102:x");
}

TEST_F(TlsSessionTest, GarbageIsAFailedHandshakeNotPlainHttp) {
  auto contexts = build(two_vhosts());
  ASSERT_TRUE(contexts);
  pair();
  TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
  // a fatal alert where the ClientHello should be
  ASSERT_EQ(::write(fds_[1], "\x15\x03\x03\x00\x02\x02\x28", 7), 7);
  EXPECT_EQ(drive([&] { return session.handshake(); }), Io::Failed);
  EXPECT_FALSE(session.plain_http());
  EXPECT_FALSE(session.failure().empty());
}

TEST_F(TlsSessionTest, SslProtocolRefusesOlderClients) {
  auto contexts = build(two_vhosts(" SSLProtocol -all +TLSv1.3\n"));
  ASSERT_TRUE(contexts);
  pair();
  TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
  Client client(fds_[1], nullptr, TLS1_2_VERSION);
  std::thread t([&] {
    client.handshake();
    ::shutdown(fds_[1], SHUT_RDWR);
  });
  EXPECT_EQ(drive([&] { return session.handshake(); }), Io::Failed);
  t.join();
  EXPECT_FALSE(client.connected);
}

TEST_F(TlsSessionTest, SslVerifyClientRequireWantsACertificate) {
  // the vhost trusts a.crt as its client CA: a client without a certificate is refused, one with
  // a.crt/a.key is let in and its subject is known to the request
  auto contexts = build(two_vhosts(" SSLVerifyClient require\n SSLCACertificateFile " + dir_ + "/a.crt\n"));
  ASSERT_TRUE(contexts);
  {
    pair();
    TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
    Client client(fds_[1]);
    std::thread t([&] {
      if (client.handshake()) { // TLS 1.3: the refusal arrives after the client's Finished
        char c;
        SSL_read(client.ssl, &c, 1);
      }
      ::shutdown(fds_[1], SHUT_RDWR);
    });
    EXPECT_EQ(drive([&] { return session.handshake(); }), Io::Failed);
    t.join();
    ::close(fds_[0]);
    ::close(fds_[1]);
    fds_[0] = fds_[1] = -1;
  }
  pair();
  TlsSession session(contexts->for_local("127.0.0.1", 28443), fds_[0]);
  Client client(fds_[1]);
  ASSERT_EQ(SSL_use_certificate_file(client.ssl, (dir_ + "/a.crt").c_str(), SSL_FILETYPE_PEM), 1);
  ASSERT_EQ(SSL_use_PrivateKey_file(client.ssl, (dir_ + "/a.key").c_str(), SSL_FILETYPE_PEM), 1);
  std::thread t([&] { client.handshake(); });
  EXPECT_EQ(drive([&] { return session.handshake(); }), Io::Ok);
  t.join();
  EXPECT_EQ(session.facts().client_verify, "SUCCESS");
  EXPECT_EQ(session.facts().client_s_dn, "CN=a.example");
}

TEST_F(TlsSessionTest, MainServerSslEngineIsInheritedByVhosts) {
  // mod_ssl merges SSLEngine and the certificate into vhosts that set neither
  auto contexts = build("SSLEngine on\nSSLCertificateFile " + dir_ + "/a.crt\nSSLCertificateKeyFile " + dir_ +
                        "/a.key\n<VirtualHost 127.0.0.1:28080>\n ServerName plain.example\n</VirtualHost>\n");
  ASSERT_TRUE(contexts);
  EXPECT_TRUE(contexts->for_local("127.0.0.1", 28080));
}

TEST_F(TlsSessionTest, MismatchedKeyFailsWithModSslsMessage) {
  std::vector<TlsSetupMessage> failure;
  auto contexts = build("<VirtualHost 127.0.0.1:28443>\n ServerName a.example\n SSLEngine on\n"
                        " SSLCertificateFile " +
                            dir_ + "/a.crt\n SSLCertificateKeyFile " + dir_ + "/b.key\n</VirtualHost>\n",
                        &failure);
  EXPECT_FALSE(contexts);
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_EQ(failure[0].text, "AH02565: Certificate and private key a.example:443:0 from " + dir_ +
                                 "/a.crt and " + dir_ + "/b.key do not match");
}

TEST_F(TlsSessionTest, AMissingKeyIsSaidPlainly) {
  std::vector<TlsSetupMessage> failure;
  auto contexts = build("<VirtualHost 127.0.0.1:28443>\n ServerName a.example\n SSLEngine on\n"
                        " SSLCertificateFile " +
                            dir_ + "/a.crt\n SSLCertificateKeyFile " + dir_ + "/a.key\n</VirtualHost>\n",
                        &failure);
  ASSERT_TRUE(contexts);
  std::filesystem::remove(dir_ + "/a.key"); // gone between the configuration's check and the load
  EXPECT_FALSE(TlsContexts::build(*config_, "localhost", failure));
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_EQ(failure[0].text.rfind("(2)No such file or directory: cannot read " + dir_ + "/a.key", 0), 0u)
      << failure[0].text;
}

TEST_F(TlsSessionTest, BadCertificateFileFailsWithModSslsMessage) {
  std::ofstream(dir_ + "/junk.pem") << "garbage\n";
  std::vector<TlsSetupMessage> failure;
  auto contexts = build("<VirtualHost 127.0.0.1:28443>\n ServerName a.example:8443\n SSLEngine on\n"
                        " SSLCertificateFile " +
                            dir_ + "/junk.pem\n SSLCertificateKeyFile " + dir_ + "/a.key\n</VirtualHost>\n",
                        &failure);
  EXPECT_FALSE(contexts);
  ASSERT_GE(failure.size(), 2u);
  EXPECT_EQ(failure[0].text,
            "AH02562: Failed to configure certificate a.example:8443:0 (with chain), check " + dir_ +
                "/junk.pem");
  EXPECT_EQ(failure[1].text.rfind("SSL Library Error: error:", 0), 0u) << failure[1].text;
}

} // namespace
} // namespace balancerd::net
