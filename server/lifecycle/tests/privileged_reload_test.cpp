// What Apache's root parent does on a reload, done here by the privileged helper for a server that
// started as root and runs as www-data: a graceful reload adding a virtual host that logs into a
// fresh root-only (0700) directory opens its ErrorLog and CustomLog there (root-owned files, as
// apache2 creates them), a piped logger added on a reload runs as root, an unrelated failure still
// refuses the reload, and the helper never outlives the server. run_server runs in a forked child;
// skipped unless root.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "server/lifecycle/run_server.hpp"
#include "server/lifecycle/tests/proc_files.hpp"
#include "server/lifecycle/tests/run_server_harness.hpp"
#include "server/lifecycle/tests/test_get.hpp"
#include "server/lifecycle/tests/test_port.hpp"
#include "server/net/tests/tls_test_pki.hpp"

namespace fs = std::filesystem;
using namespace balancerd;
using testing_support::eventually;
using testing_support::get;
using testing_support::parent_of;
using testing_support::ReservedPort;
using testing_support::running;
using testing_support::slurp;
using testing_support::uid_of;

namespace {

// A server directory (readable by www-data, as the server needs its DocumentRoot) with one file,
// and a root-only 0700 directory "private" for the logs a reload adds.
struct ServerDir {
  fs::path dir;
  explicit ServerDir(const std::string& name) {
    dir = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "htdocs");
    ::chmod(dir.c_str(), 0755);
    ::chmod((dir / "htdocs").c_str(), 0755);
    std::ofstream(dir / "htdocs" / "a.txt") << "hello\n";
    fs::create_directory(dir / "private");
    ::chmod((dir / "private").c_str(), 0700);
  }
  ~ServerDir() { fs::remove_all(dir); }
  fs::path operator/(const std::string& name) const { return dir / name; }

  void write_config(unsigned short port, const std::string& more) const {
    std::ofstream c(dir / "server.conf", std::ios::trunc);
    c << "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
      << "ServerName localhost\n"
      << "User www-data\nGroup www-data\n"
      << "Listen 127.0.0.1:" << port << "\n"
      << testing_support::server_files(dir) << more;
  }
};

// The only virtual host on the port: every request there is its own.
std::string vhost(unsigned short port, const std::string& body) {
  return "<VirtualHost 127.0.0.1:" + std::to_string(port) + ">\n  ServerName v.example\n" + body +
         "</VirtualHost>\n";
}

bool is_file(const std::string& r) {
  return r.rfind("HTTP/1.1 200 OK\r\n", 0) == 0 && r.find("\r\n\r\nhello\n") != std::string::npos;
}

uid_t owner_of(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_uid : static_cast<uid_t>(-1);
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (parent_of(pid) == parent && running(pid)) out.push_back(pid);
  }
  return out;
}

// The forked server: a failed assertion that leaves the test early still ends it (SIGKILL).
struct Server {
  pid_t pid = -1;
  ~Server() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  // Stops it as `sig` does and returns the wait status.
  int end(int sig) {
    int status = -1;
    EXPECT_EQ(testing_support::signal_and_wait(pid, sig, status), pid);
    pid = -1;
    return status;
  }
};

void stop(Server& server) {
  const int status = server.end(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Writes d's config on `port` (with `more`), runs the server there with `threads` threads and
// waits until it serves /a.txt. Call under ASSERT_NO_FATAL_FAILURE.
void start(Server& server, const ServerDir& d, unsigned short port, const std::string& more,
           unsigned threads) {
  d.write_config(port, more);
  const parser::ReadOptions read = testing_support::read_options(d.dir);
  server.pid = testing_support::fork_server(read, testing_support::compile(read), threads);
  ASSERT_GE(server.pid, 0);
  ASSERT_TRUE(eventually([&] { return is_file(get(port, "/a.txt")); }));
}

// The CN of the certificate a TLS server on 127.0.0.1:`port` presents ("" when no handshake).
std::string served_common_name(unsigned short port) {
  const int fd = testing_support::connect_loopback(port, 1);
  if (fd < 0) return "";
  std::string cn;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = ctx ? SSL_new(ctx) : nullptr;
  if (ssl && SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1)
    if (X509* peer = SSL_get1_peer_certificate(ssl)) {
      char buf[256] = {};
      if (X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof buf) > 0)
        cn = buf;
      X509_free(peer);
    }
  if (ssl) SSL_free(ssl);
  if (ctx) SSL_CTX_free(ctx);
  ::close(fd);
  return cn;
}

// The tests need what Apache's root parent needs: root, the www-data user and the modules.
class LifecyclePrivilegedReload : public ::testing::Test {
protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_SKIP() << "not root";
    else if (!::getpwnam("www-data"))
      GTEST_SKIP() << "no www-data user";
    else if (!fs::exists("/usr/lib/apache2/modules/mod_mpm_event.so"))
      GTEST_SKIP() << "no Apache modules";
  }
};

} // namespace

TEST_F(LifecyclePrivilegedReload, ReloadOpensNewLogsInARootOnlyDirectory) {
  const ServerDir d("bd-priv-reload");
  const ReservedPort port;
  ASSERT_NE(port.port(), 0);
  const unsigned short p = port.port();
  Server server;
  ASSERT_NO_FATAL_FAILURE(start(server, d, p, "", 2));
  const pid_t child = server.pid;
  ASSERT_TRUE(eventually([&] { return uid_of(child) == static_cast<long>(::getpwnam("www-data")->pw_uid); }));

  // a graceful reload adding a virtual host with its own logs in the root-only directory
  const fs::path elog = d / "private/v_error.log", alog = d / "private/v_access.log";
  d.write_config(
      p, vhost(p, "  ErrorLog " + elog.string() + "\n  CustomLog " + alog.string() + " \"%U %>s\"\n"));
  ::kill(child, SIGUSR1);
  EXPECT_TRUE(eventually([&] {
    get(p, "/a.txt");
    return slurp(alog).find("/a.txt 200\n") != std::string::npos;
  })) << slurp(d / "error.log");
  EXPECT_EQ(slurp(d / "error.log").find("graceful restart failed"), std::string::npos)
      << slurp(d / "error.log");
  EXPECT_TRUE(fs::exists(elog));
  // created by root, as apache2's parent creates them (0666 less the umask)
  EXPECT_EQ(owner_of(elog), 0u);
  EXPECT_EQ(owner_of(alog), 0u);

  // an unrelated failure (a log in a directory that does not exist) still refuses the reload, and
  // the running configuration goes on logging where it did
  d.write_config(p, vhost(p, "  ErrorLog " + elog.string() + "\n  CustomLog " + alog.string() +
                                 " \"%U %>s\"\n  CustomLog " + (d / "missing/x.log").string() + " \"%U\"\n"));
  ::kill(child, SIGUSR1);
  EXPECT_TRUE(eventually([&] {
    return slurp(d / "error.log").find("graceful restart failed, keeping the running configuration") !=
           std::string::npos;
  })) << slurp(d / "error.log");
  EXPECT_NE(slurp(d / "error.log")
                .find("(2)No such file or directory: AH00649: could not open transfer log file " +
                      (d / "missing/x.log").string()),
            std::string::npos)
      << slurp(d / "error.log");
  get(p, "/a.txt?again");
  EXPECT_TRUE(eventually([&] { return slurp(alog).find("/a.txt 200\n/a.txt 200\n") != std::string::npos; }))
      << slurp(alog);
  stop(server);
}

TEST_F(LifecyclePrivilegedReload, PipedLoggerAddedOnReloadRunsAsRoot) {
  const ServerDir d("bd-priv-piped");
  const ReservedPort port;
  ASSERT_NE(port.port(), 0);
  const unsigned short p = port.port();
  Server server;
  ASSERT_NO_FATAL_FAILURE(start(server, d, p, "", 2));
  const pid_t child = server.pid;

  // the program records its uid and its pid, then appends what it reads in the root-only directory
  const fs::path priv = d / "private";
  const std::string program = "id -u > " + (priv / "uid").string() + "; echo $$ > " +
                              (priv / "pid").string() + "; exec cat >> " + (priv / "piped.log").string();
  d.write_config(p, vhost(p, "  CustomLog \"|$" + program + "\" \"%U %>s\"\n"));
  ::kill(child, SIGUSR1);
  EXPECT_TRUE(eventually([&] {
    get(p, "/a.txt");
    return slurp(priv / "piped.log").find("/a.txt 200\n") != std::string::npos;
  })) << slurp(d / "error.log");
  EXPECT_EQ(slurp(priv / "uid"), "0\n");
  // its parent is the helper (root, the server's child), as apache2's logger is its root parent's
  const pid_t logger = static_cast<pid_t>(std::atol(slurp(priv / "pid").c_str()));
  ASSERT_GT(logger, 0);
  const pid_t helper = parent_of(logger);
  EXPECT_NE(helper, child);
  EXPECT_EQ(parent_of(helper), child);
  EXPECT_EQ(uid_of(helper), 0);
  EXPECT_EQ(uid_of(logger), 0);

  stop(server);
  // the server's end of the pipe is gone: the program ends too
  EXPECT_TRUE(eventually([&] { return !running(logger); }));
}

// BalancerPersist with a DefaultRuntimeDir that a reload moves into the root-only directory: the
// state file is created there (by the helper, root-owned) when the server, running as www-data,
// saves it at the end.
TEST_F(LifecyclePrivilegedReload, BalancerPersistFileInANewRootOnlyRuntimeDir) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_proxy_balancer.so")) GTEST_SKIP() << "no mod_proxy_balancer";
  const ServerDir d("bd-priv-persist");
  fs::create_directory(d / "run");
  ::chmod((d / "run").c_str(), 0755);
  const ReservedPort port;
  ASSERT_NE(port.port(), 0);
  const unsigned short p = port.port();
  auto config = [&](const fs::path& runtime_dir) {
    std::string m;
    for (const char* mod : {"proxy", "proxy_http", "proxy_balancer", "slotmem_shm", "lbmethod_byrequests"})
      m += std::string("LoadModule ") + mod + "_module /usr/lib/apache2/modules/mod_" + mod + ".so\n";
    return m + "DefaultRuntimeDir " + runtime_dir.string() +
           "\nBalancerPersist On\n<Proxy \"balancer://mc\">\n  BalancerMember \"http://127.0.0.1:9\" "
           "route=r1\n</Proxy>\nProxyPass \"/app/\" \"balancer://mc/\"\n";
  };
  Server server;
  ASSERT_NO_FATAL_FAILURE(start(server, d, p, config(d / "run"), 2));
  const pid_t child = server.pid;
  ASSERT_TRUE(eventually([&] { return uid_of(child) > 0; }));

  d.write_config(p, config(d / "private"));
  ::kill(child, SIGUSR1);
  ASSERT_TRUE(eventually([&] {
    return slurp(d / "error.log").find("AH00493: SIGUSR1 received") != std::string::npos &&
           slurp(d / "error.log").rfind("resuming normal operations") >
               slurp(d / "error.log").find("AH00493: SIGUSR1 received");
  })) << slurp(d / "error.log");
  EXPECT_EQ(slurp(d / "error.log").find("graceful restart failed"), std::string::npos)
      << slurp(d / "error.log");
  stop(server);
  const fs::path state = d / "private/balancerd-balancers.state";
  EXPECT_EQ(slurp(state).rfind("balancerd-balancers 1\n", 0), 0u) << slurp(state);
  EXPECT_NE(slurp(state).find("balancer://mc"), std::string::npos) << slurp(state);
  EXPECT_EQ(owner_of(state), 0u);
}

TEST_F(LifecyclePrivilegedReload, HelperEndsWithTheServerAndRemovesThePidFile) {
  // Orphans (the helper of a killed server) become ours, so they can be reaped and seen to end.
  struct Subreaper {
    Subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
    ~Subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 0); }
  } const subreaper;
  for (const int sig : {SIGTERM, SIGKILL}) {
    const ServerDir d("bd-priv-helper");
    const ReservedPort port;
    ASSERT_NE(port.port(), 0);
    Server server;
    ASSERT_NO_FATAL_FAILURE(start(server, d, port.port(), "", 1));
    const pid_t child = server.pid;
    ASSERT_TRUE(fs::exists(d / "httpd.pid"));
    const std::vector<pid_t> kids = children_of(child);
    ASSERT_EQ(kids.size(), 1u) << "the helper is the server's only child";
    const pid_t helper = kids.front();
    EXPECT_EQ(uid_of(helper), 0);
    EXPECT_TRUE(eventually([&] { return uid_of(child) > 0; })); // the server gave root up

    server.end(sig);
    // the helper sees the server's end of the socket close, removes the PidFile the server (now
    // www-data) could not remove from the root-owned directory, and exits
    EXPECT_TRUE(eventually([&] {
      if (sig == SIGKILL) ::waitpid(helper, nullptr, WNOHANG); // our orphan now
      return !running(helper);
    })) << "signal "
        << sig;
    EXPECT_TRUE(eventually([&] { return !fs::exists(d / "httpd.pid"); })) << "signal " << sig;
  }
}

// A graceful reload adds a TLS virtual host whose certificate and key lie in the root-only 0700
// directory, the key 0600 root (as certbot and /etc/ssl/private make them): the server, running as
// www-data, reads them through the helper (as apache2's root parent does) and serves the
// certificate. A renewal at the same paths, then another reload: the new certificate is served.
TEST_F(LifecyclePrivilegedReload, ReloadReadsARootOnlyTlsKey) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_ssl.so")) GTEST_SKIP() << "no mod_ssl";
  const ServerDir d("bd-priv-tls");
  const ReservedPort port, tls_port;
  ASSERT_NE(port.port(), 0);
  ASSERT_NE(tls_port.port(), 0);
  const unsigned short p = port.port(), q = tls_port.port();
  const fs::path priv = d / "private";
  const fs::path crt = priv / "site.crt", key = priv / "site.key";
  auto issue = [&](const std::string& name) {
    ASSERT_TRUE(net::testing::write_self_signed(priv.string(), "site", name));
    ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  };
  ASSERT_NO_FATAL_FAILURE(issue("first.example"));
  // the TLS port is bound at start (as root: the reserved port is root's) and serves plaintext
  const std::string base =
      "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nListen 127.0.0.1:" + std::to_string(q) +
      "\n";
  const std::string tls = base + "<VirtualHost 127.0.0.1:" + std::to_string(q) +
                          ">\n  ServerName first.example\n  SSLEngine on\n  SSLCertificateFile " +
                          crt.string() + "\n  SSLCertificateKeyFile " + key.string() + "\n</VirtualHost>\n";
  Server server;
  ASSERT_NO_FATAL_FAILURE(start(server, d, p, base, 2));
  const pid_t child = server.pid;
  ASSERT_TRUE(eventually([&] { return uid_of(child) == static_cast<long>(::getpwnam("www-data")->pw_uid); }));
  EXPECT_EQ(served_common_name(q), "");

  // the reload's outcome in the log: the n-th "resuming normal operations" after start-up's, or a failure
  auto reloaded = [&](std::size_t n) {
    bool done = false;
    eventually([&] {
      const std::string log = slurp(d / "error.log");
      std::size_t count = 0;
      for (std::size_t at = 0; (at = log.find("resuming normal operations", at)) != std::string::npos; ++at)
        ++count;
      done = count > n;
      return done || log.find("graceful restart failed") != std::string::npos;
    });
    return done && slurp(d / "error.log").find("graceful restart failed") == std::string::npos;
  };
  d.write_config(p, tls);
  ::kill(child, SIGUSR1);
  ASSERT_TRUE(reloaded(1)) << slurp(d / "error.log");
  EXPECT_TRUE(eventually([&] { return served_common_name(q) == "first.example"; })) << slurp(d / "error.log");

  // the renewal: new files at the same paths, then a reload
  ASSERT_NO_FATAL_FAILURE(issue("second.example"));
  ::kill(child, SIGUSR1);
  ASSERT_TRUE(reloaded(2)) << slurp(d / "error.log");
  EXPECT_TRUE(eventually([&] { return served_common_name(q) == "second.example"; }))
      << slurp(d / "error.log");
  EXPECT_TRUE(is_file(get(p, "/a.txt")));
  stop(server);
}

namespace {

// Whether a TLS server on 127.0.0.1:`port` that requires a client certificate answers /a.txt to a
// client presenting `crt`/`key` (with TLS 1.3 a refused certificate shows only after the handshake,
// as the server's alert instead of a response).
bool client_accepted(unsigned short port, const fs::path& crt, const fs::path& key) {
  const int fd = testing_support::connect_loopback(port, 2);
  if (fd < 0) return false;
  bool ok = false;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = nullptr;
  if (ctx && SSL_CTX_use_certificate_file(ctx, crt.c_str(), SSL_FILETYPE_PEM) == 1 &&
      SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) == 1 && (ssl = SSL_new(ctx)) &&
      SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1) {
    const std::string req = "GET /a.txt HTTP/1.1\r\nHost: ca.example\r\nConnection: close\r\n\r\n";
    if (SSL_write(ssl, req.data(), static_cast<int>(req.size())) > 0) {
      std::string resp;
      char buf[4096];
      for (int i = 0; i < 64; ++i) { // bounded: the server closes after the response
        const int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) break;
        resp.append(buf, static_cast<std::size_t>(n));
      }
      ok = is_file(resp);
    }
  }
  if (ssl) SSL_free(ssl);
  if (ctx) SSL_CTX_free(ctx);
  ::close(fd);
  return ok;
}

// The CNs of the CA names a TLS server on 127.0.0.1:`port` asks clients for (its CertificateRequest).
std::vector<std::string> requested_ca_names(unsigned short port) {
  std::vector<std::string> out;
  const int fd = testing_support::connect_loopback(port, 2);
  if (fd < 0) return out;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = ctx ? SSL_new(ctx) : nullptr;
  if (ssl && SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1)
    if (const STACK_OF(X509_NAME)* names = SSL_get_client_CA_list(ssl))
      for (int i = 0; i < sk_X509_NAME_num(names); ++i) {
        char buf[256] = {};
        if (X509_NAME_get_text_by_NID(sk_X509_NAME_value(names, i), NID_commonName, buf, sizeof buf) > 0)
          out.emplace_back(buf);
      }
  if (ssl) SSL_free(ssl);
  if (ctx) SSL_CTX_free(ctx);
  ::close(fd);
  return out;
}

// Copies the certificate `crt` into `dir` under OpenSSL's hashed name ("<subject hash>.0").
bool add_hashed(const fs::path& dir, const fs::path& crt) {
  FILE* f = std::fopen(crt.c_str(), "r");
  if (!f) return false;
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!x) return false;
  char name[32];
  std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(x));
  X509_free(x);
  std::error_code ec;
  fs::copy_file(crt, dir / name, fs::copy_options::overwrite_existing, ec);
  return !ec;
}

} // namespace

// SSLCACertificatePath in a root-only (0700) directory, added by a graceful reload: OpenSSL would read
// its hashed entries lazily, as www-data, when a client certificate is verified; the context build
// reads them at once through the helper, so a client whose certificate the directory holds is
// accepted, one whose certificate it does not hold is still refused, and the CertificateRequest
// names the directory's certificates (as mod_ssl's, which its root parent reads at start).
TEST_F(LifecyclePrivilegedReload, ReloadReadsARootOnlyCaCertificatePath) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_ssl.so")) GTEST_SKIP() << "no mod_ssl";
  const ServerDir d("bd-priv-capath");
  const ReservedPort port, tls_port;
  ASSERT_NE(port.port(), 0);
  ASSERT_NE(tls_port.port(), 0);
  const unsigned short p = port.port(), q = tls_port.port();
  const fs::path priv = d / "private", ca = priv / "ca", clients = d / "clients";
  fs::create_directory(ca);
  ASSERT_EQ(::chmod(ca.c_str(), 0700), 0);
  fs::create_directory(clients);
  ASSERT_TRUE(net::testing::write_self_signed(priv.string(), "site", "ca.example"));
  ASSERT_EQ(::chmod((priv / "site.key").c_str(), 0600), 0);
  ASSERT_TRUE(net::testing::write_self_signed(clients.string(), "known", "known.example"));
  ASSERT_TRUE(net::testing::write_self_signed(clients.string(), "stranger", "stranger.example"));
  ASSERT_TRUE(add_hashed(ca, clients / "known.crt"));

  const std::string base =
      "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nListen 127.0.0.1:" + std::to_string(q) +
      "\n";
  const std::string tls = base + "<VirtualHost 127.0.0.1:" + std::to_string(q) +
                          ">\n  ServerName ca.example\n  SSLEngine on\n  SSLCertificateFile " +
                          (priv / "site.crt").string() + "\n  SSLCertificateKeyFile " +
                          (priv / "site.key").string() + "\n  SSLCACertificatePath " + ca.string() +
                          "\n  SSLVerifyClient require\n</VirtualHost>\n";
  Server server;
  ASSERT_NO_FATAL_FAILURE(start(server, d, p, base, 2));
  const pid_t child = server.pid;
  ASSERT_TRUE(eventually([&] { return uid_of(child) == static_cast<long>(::getpwnam("www-data")->pw_uid); }));

  d.write_config(p, tls);
  ::kill(child, SIGUSR1);
  ASSERT_TRUE(eventually([&] {
    return slurp(d / "error.log").find("resuming normal operations") !=
           slurp(d / "error.log").rfind("resuming normal operations");
  })) << slurp(d / "error.log");
  EXPECT_EQ(slurp(d / "error.log").find("graceful restart failed"), std::string::npos)
      << slurp(d / "error.log");
  EXPECT_TRUE(eventually([&] { return client_accepted(q, clients / "known.crt", clients / "known.key"); }))
      << slurp(d / "error.log");
  EXPECT_FALSE(client_accepted(q, clients / "stranger.crt", clients / "stranger.key"));
  // mod_ssl names the directory's certificates among the CAs it asks for
  EXPECT_EQ(requested_ca_names(q), std::vector<std::string>{"known.example"});
  stop(server);
}

// A reload that adds a Listen port below 1024 binds it although the server runs as www-data, as
// Apache's root parent can: the thread that serves (the main thread, the only one with one io loop)
// holds CAP_NET_BIND_SERVICE permitted but not effective, and the reload's own thread raises it
// around the bind and then ends.
TEST_F(LifecyclePrivilegedReload, ReloadBindsAPortBelow1024) {
  const ServerDir d("bd-priv-low-port");
  const ReservedPort port;
  ASSERT_NE(port.port(), 0);
  const unsigned short p = port.port();
  unsigned short low = 0;
  for (unsigned short q = 1023; q > 900 && !low; --q) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(q);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) low = q;
    ::close(fd);
  }
  if (!low) GTEST_SKIP() << "no free port below 1024";
  Server server;
  ASSERT_NO_FATAL_FAILURE(start(server, d, p, "", 1));
  const pid_t child = server.pid;
  ASSERT_TRUE(eventually([&] { return uid_of(child) == static_cast<long>(::getpwnam("www-data")->pw_uid); }));
  EXPECT_EQ(testing_support::thread_count(child), 1u);
  EXPECT_EQ(testing_support::status_field(child, "CapEff:"), "0000000000000000");
  EXPECT_EQ(testing_support::status_field(child, "CapPrm:"), "0000000000000400"); // CAP_NET_BIND_SERVICE

  d.write_config(p, "Listen 127.0.0.1:" + std::to_string(low) + "\n");
  ::kill(child, SIGUSR1);
  EXPECT_TRUE(eventually([&] { return is_file(get(low, "/a.txt")); })) << slurp(d / "error.log");
  EXPECT_EQ(slurp(d / "error.log").find("graceful restart failed"), std::string::npos)
      << slurp(d / "error.log");
  EXPECT_TRUE(is_file(get(p, "/a.txt")));
  EXPECT_TRUE(eventually([&] { return testing_support::thread_count(child) == 1u; }));
  EXPECT_EQ(testing_support::status_field(child, "CapEff:"), "0000000000000000");
  stop(server);
  EXPECT_TRUE(get(low, "/a.txt").empty());
}
