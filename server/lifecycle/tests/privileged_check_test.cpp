// The privileged helper checks a request against the configuration before doing it as root
// (privileged_check.hpp): what the configuration names (its log files, relative ones under
// ServerRoot, its piped-log programs, its BalancerPersist file) is done, anything else is refused
// with EPERM, also when the validator cannot run; requests made before require_checks() (start-up,
// still root) are not checked; a piped logger restarts under checks. The validator itself: its
// exit status for allowed, refused and malformed requests. The helper tests need root.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "directives/compile.hpp"
#include "server/balancer/state_store.hpp"
#include "server/lifecycle/privileged_check.hpp"
#include "server/lifecycle/privileged_helper.hpp"
#include "server/lifecycle/tests/proc_files.hpp"
#include "server/log/piped_log.hpp"
#include "server/net/tests/tls_test_pki.hpp"

namespace fs = std::filesystem;
using namespace balancerd;
using testing_support::slurp;

namespace {

constexpr const char* kMpm = "/usr/lib/apache2/modules/mod_mpm_event.so";

struct ConfDir {
  std::string dir;
  ConfDir() {
    std::string tmpl = "/tmp/bd-check-XXXXXX";
    dir = ::mkdtemp(tmpl.data());
    fs::create_directory(dir + "/logs");
  }
  ~ConfDir() { fs::remove_all(dir); }
  std::string path(const std::string& name) const { return dir + "/" + name; }
  parser::ReadOptions read() const {
    parser::ReadOptions r;
    r.server_root = dir;
    r.config_file = "server.conf";
    return r;
  }
  // A server with a main ErrorLog, a relative CustomLog, a piped CustomLog and a vhost's own
  // ErrorLog; `more` is appended.
  void write(const std::string& more = "") const {
    std::ofstream c(path("server.conf"), std::ios::trunc);
    c << "LoadModule mpm_event_module " << kMpm << "\n"
      << "ServerName localhost\nListen 127.0.0.1:1\n"
      << "ErrorLog " << path("error.log") << "\n"
      << "CustomLog logs/access.log common\n"
      << "CustomLog \"|$exec cat >> " << path("piped.out") << "\" common\n"
      << "<VirtualHost 127.0.0.1:1>\n  ServerName v.example\n  ErrorLog " << path("v-error.log")
      << "\n</VirtualHost>\n"
      << more;
  }
};

std::shared_ptr<const directives::Config> compile(const parser::ReadOptions& read) {
  directives::Diagnostics diag("balancerd", [](const directives::LogRecord&) {});
  return directives::compile_config(read, diag).config;
}

// The validator's exit status for `words` after the prefix (-1: it did not exit).
int run_validator(const parser::ReadOptions& read, const std::vector<std::string>& words) {
  auto argv_words = lifecycle::privileged_check_prefix(BALANCERD_BINARY, read);
  argv_words.insert(argv_words.end(), words.begin(), words.end());
  std::vector<char*> argv;
  for (auto& w : argv_words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

template <typename F> bool eventually(F f) {
  for (int i = 0; i < 200; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

} // namespace

TEST(LifecyclePrivilegedCheck, AllowsExactlyWhatTheConfigurationNames) {
  if (!fs::exists(kMpm)) GTEST_SKIP() << "no Apache modules";
  const ConfDir d;
  d.write();
  auto config = compile(d.read());
  ASSERT_TRUE(config);
  using lifecycle::privileged_request_allowed;
  EXPECT_TRUE(privileged_request_allowed(*config, "log", {d.path("error.log")}));
  EXPECT_TRUE(privileged_request_allowed(*config, "log", {d.path("v-error.log")}));
  // CustomLog's relative path, under ServerRoot as the log layer opens it
  EXPECT_TRUE(privileged_request_allowed(*config, "log", {d.path("logs/access.log")}));
  EXPECT_FALSE(privileged_request_allowed(*config, "log", {"logs/access.log"}));
  EXPECT_FALSE(privileged_request_allowed(*config, "log", {"/etc/passwd"}));
  EXPECT_FALSE(privileged_request_allowed(*config, "log", {d.path("error.log"), "x"}));
  // a log path is not a runtime file, nor a program
  EXPECT_FALSE(privileged_request_allowed(*config, "runtime", {d.path("error.log")}));
  EXPECT_FALSE(privileged_request_allowed(*config, "spawn", {d.path("error.log")}));
  // the piped log's program as PipedLog starts it, and nothing near it
  const std::vector<std::string> piped{"/bin/sh", "-c", "exec cat >> " + d.path("piped.out")};
  EXPECT_TRUE(privileged_request_allowed(*config, "spawn", piped));
  EXPECT_FALSE(privileged_request_allowed(*config, "spawn", {"/bin/sh", "-c"}));
  EXPECT_FALSE(privileged_request_allowed(*config, "spawn", {"/bin/sh", "-c", "id"}));
  EXPECT_FALSE(privileged_request_allowed(*config, "spawn", {}));
  EXPECT_FALSE(privileged_request_allowed(*config, "unknown", {d.path("error.log")}));
  // no BalancerPersist: no runtime file
  EXPECT_EQ(lifecycle::configured_persist_file(*config), "");
}

TEST(LifecyclePrivilegedCheck, DefaultErrorLogAndPersistFile) {
  if (!fs::exists(kMpm)) GTEST_SKIP() << "no Apache modules";
  if (!fs::exists("/usr/lib/apache2/modules/mod_proxy_balancer.so")) GTEST_SKIP() << "no mod_proxy_balancer";
  const ConfDir d;
  fs::create_directory(d.path("run"));
  std::ofstream(d.path("server.conf")) << "LoadModule mpm_event_module " << kMpm << "\n"
                                       << "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n"
                                       << "LoadModule proxy_balancer_module "
                                          "/usr/lib/apache2/modules/mod_proxy_balancer.so\n"
                                       << "ServerName localhost\nListen 127.0.0.1:1\n"
                                       << "DefaultRuntimeDir run\nBalancerPersist On\n";
  auto config = compile(d.read());
  ASSERT_TRUE(config);
  // no ErrorLog: ServerRoot/logs/error_log, as LogSet::open opens it
  EXPECT_EQ(lifecycle::configured_log_files(*config), std::vector<std::string>{d.path("logs/error_log")});
  EXPECT_EQ(lifecycle::configured_persist_file(*config), d.path("run/balancerd-balancers.state"));
  {
    // the file the balancer state store writes (and would ask the helper to open)
    balancer::StateStore store;
    store.sync(*config);
    EXPECT_EQ(store.persist_path(), lifecycle::configured_persist_file(*config));
  }
  EXPECT_TRUE(
      lifecycle::privileged_request_allowed(*config, "runtime", {d.path("run/balancerd-balancers.state")}));
  EXPECT_FALSE(lifecycle::privileged_request_allowed(*config, "runtime", {d.path("run/other")}));
}

TEST(LifecyclePrivilegedCheck, ValidatorExitStatus) {
  if (!fs::exists(kMpm)) GTEST_SKIP() << "no Apache modules";
  const ConfDir d;
  d.write();
  EXPECT_EQ(run_validator(d.read(), {"log", d.path("error.log")}), 0);
  EXPECT_EQ(run_validator(d.read(), {"log", d.path("other.log")}), 1);
  EXPECT_EQ(run_validator(d.read(), {"spawn", "/bin/sh", "-c", "exec cat >> " + d.path("piped.out")}), 0);
  EXPECT_EQ(run_validator(d.read(), {"spawn", "/bin/sh", "-c", "--"}), 1);
  EXPECT_EQ(run_validator(d.read(), {}), 2); // no request
  // -D and -c reach the configuration as on a reload: the log exists only with the define
  d.write("<IfDefine EXTRA>\nErrorLog " + d.path("extra.log") + "\n</IfDefine>\n");
  auto read = d.read();
  EXPECT_EQ(run_validator(read, {"log", d.path("extra.log")}), 1);
  read.defines.push_back("EXTRA");
  EXPECT_EQ(run_validator(read, {"log", d.path("extra.log")}), 0);
  read.post_directives.push_back("ErrorLog " + d.path("post.log"));
  EXPECT_EQ(run_validator(read, {"log", d.path("post.log")}), 0);
  // a configuration that does not compile allows nothing
  std::ofstream(d.path("server.conf"), std::ios::app) << "NoSuchDirective x\n";
  EXPECT_EQ(run_validator(d.read(), {"log", d.path("error.log")}), 2);
}

// TLS files for reading: those of servers with SSLEngine on (the main server's settings merged
// into vhosts), nothing of a server with SSLEngine off, no other file.
TEST(LifecyclePrivilegedCheck, TlsFilesOfServersWithSslEngineOn) {
  if (!fs::exists(kMpm)) GTEST_SKIP() << "no Apache modules";
  if (!fs::exists("/usr/lib/apache2/modules/mod_ssl.so")) GTEST_SKIP() << "no mod_ssl";
  const ConfDir d;
  for (const char* stem : {"main", "on", "off"})
    ASSERT_TRUE(net::testing::write_self_signed(d.dir, stem, "x"));
  std::ofstream(d.path("chain.pem")) << slurp(d.path("main.crt"));
  std::ofstream(d.path("ca.pem")) << slurp(d.path("main.crt"));
  d.write("LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"
          "SSLCertificateFile " +
          d.path("main.crt") + "\nSSLCertificateKeyFile " + d.path("main.key") +
          "\nSSLCACertificateFile ca.pem\n"
          "<VirtualHost 127.0.0.1:2>\n  SSLEngine on\n  SSLCertificateFile " +
          d.path("on.crt") + "\n  SSLCertificateKeyFile " + d.path("on.key") +
          "\n  SSLCertificateChainFile " + d.path("chain.pem") +
          "\n</VirtualHost>\n<VirtualHost 127.0.0.1:3>\n  SSLEngine off\n  SSLCertificateFile " +
          d.path("off.crt") + "\n  SSLCertificateKeyFile " + d.path("off.key") + "\n</VirtualHost>\n");
  auto config = compile(d.read());
  ASSERT_TRUE(config);
  using lifecycle::privileged_request_allowed;
  for (const char* f : {"on.crt", "on.key", "chain.pem", "ca.pem"})
    EXPECT_TRUE(privileged_request_allowed(*config, "read", {d.path(f)})) << f;
  // the main server's SSLEngine is off: its own certificate is read by no server
  for (const char* f : {"main.crt", "main.key", "off.crt", "off.key", "error.log", "server.conf"})
    EXPECT_FALSE(privileged_request_allowed(*config, "read", {d.path(f)})) << f;
  EXPECT_FALSE(privileged_request_allowed(*config, "read", {"/etc/shadow"}));
  EXPECT_FALSE(privileged_request_allowed(*config, "read", {"ca.pem"})); // not as written: as opened
  EXPECT_FALSE(privileged_request_allowed(*config, "log", {d.path("on.key")}));
  EXPECT_EQ(run_validator(d.read(), {"read", d.path("on.key")}), 0);
  EXPECT_EQ(run_validator(d.read(), {"read", d.path("off.key")}), 1);
  EXPECT_EQ(run_validator(d.read(), {"read", "/etc/shadow"}), 1);
}

// SSLCACertificatePath of a server with SSLEngine on: the directory (as configured, with or without
// its trailing '/') and its hashed entries may be read; other files in it, entries of another
// directory and a server with SSLEngine off's directory may not.
TEST(LifecyclePrivilegedCheck, HashedEntriesOfTheCaPathOfServersWithSslEngineOn) {
  if (!fs::exists(kMpm)) GTEST_SKIP() << "no Apache modules";
  if (!fs::exists("/usr/lib/apache2/modules/mod_ssl.so")) GTEST_SKIP() << "no mod_ssl";
  const ConfDir d;
  ASSERT_TRUE(net::testing::write_self_signed(d.dir, "on", "x"));
  for (const char* sub : {"ca", "offca"}) fs::create_directory(d.path(sub));
  d.write("LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"
          "<VirtualHost 127.0.0.1:2>\n  SSLEngine on\n  SSLCertificateFile " +
          d.path("on.crt") + "\n  SSLCertificateKeyFile " + d.path("on.key") + "\n  SSLCACertificatePath " +
          d.path("ca/") +
          "\n</VirtualHost>\n<VirtualHost 127.0.0.1:3>\n  SSLEngine off\n  SSLCACertificatePath " +
          d.path("offca") + "\n</VirtualHost>\n");
  auto config = compile(d.read());
  ASSERT_TRUE(config);
  using lifecycle::privileged_request_allowed;
  for (const char* f : {"ca/", "ca", "ca/0a1b2c3d.0", "ca/ABCDEF01.12", "ca/0a1b2c3d.r0"})
    EXPECT_TRUE(privileged_request_allowed(*config, "read", {d.path(f)})) << f;
  for (const char* f :
       {"ca/ca.pem", "ca/0a1b2c3d", "ca/0a1b2c3d.", "ca/0a1b2c3g.0", "ca/0a1b2c3d.0x", "ca/sub/0a1b2c3d.0",
        "ca/../on.key", "ca/0a1b2c3d.0/", "offca", "offca/0a1b2c3d.0", "0a1b2c3d.0", "cax/0a1b2c3d.0"})
    EXPECT_FALSE(privileged_request_allowed(*config, "read", {d.path(f)})) << f;
  EXPECT_FALSE(privileged_request_allowed(*config, "log", {d.path("ca/0a1b2c3d.0")}));
  EXPECT_EQ(run_validator(d.read(), {"read", d.path("ca/0a1b2c3d.0")}), 0);
  EXPECT_EQ(run_validator(d.read(), {"read", d.path("ca/other.pem")}), 1);
}

// Through the helper under checks: a configured key is opened read-only as root, any other file
// is refused with EPERM.
TEST(LifecyclePrivilegedHelper, ReadOpensOnlyConfiguredTlsFiles) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  if (!fs::exists(kMpm)) GTEST_SKIP() << "no Apache modules";
  if (!fs::exists("/usr/lib/apache2/modules/mod_ssl.so")) GTEST_SKIP() << "no mod_ssl";
  const ConfDir d;
  ASSERT_TRUE(net::testing::write_self_signed(d.dir, "site", "x"));
  ::chmod(d.path("site.key").c_str(), 0600);
  d.write("LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n<VirtualHost 127.0.0.1:2>\n"
          "  SSLEngine on\n  SSLCertificateFile " +
          d.path("site.crt") + "\n  SSLCertificateKeyFile " + d.path("site.key") + "\n</VirtualHost>\n");
  auto helper = lifecycle::PrivilegedHelper::start(d.path("httpd.pid"), BALANCERD_BINARY, d.read());
  ASSERT_TRUE(helper);
  ASSERT_TRUE(helper->require_checks());
  auto key = helper->open_read(d.path("site.key"));
  ASSERT_TRUE(key);
  ASSERT_GE(*key, 0);
  EXPECT_EQ(::fcntl(*key, F_GETFL) & O_ACCMODE, O_RDONLY);
  char head[11] = {};
  EXPECT_EQ(::read(*key, head, 10), 10);
  EXPECT_EQ(std::string(head), "-----BEGIN");
  ::close(*key);
  std::ofstream(d.path("secret")) << "s\n";
  for (const std::string& other : {d.path("secret"), d.path("error.log"), std::string("/etc/shadow")}) {
    auto refused = helper->open_read(other);
    ASSERT_TRUE(refused);
    EXPECT_EQ(*refused, -EPERM) << other;
  }
  // the certificate renewed away between the check and the open: the open's own error
  auto cert = helper->open_read(d.path("site.crt"));
  ASSERT_TRUE(cert);
  EXPECT_GE(*cert, 0);
  if (*cert >= 0) ::close(*cert);
}

TEST(LifecyclePrivilegedHelper, RefusesWhatTheConfigurationDoesNotNameWithEperm) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  if (!fs::exists(kMpm)) GTEST_SKIP() << "no Apache modules";
  const ConfDir d;
  d.write();
  auto helper = lifecycle::PrivilegedHelper::start(d.path("httpd.pid"), BALANCERD_BINARY, d.read());
  ASSERT_TRUE(helper);
  // start-up (the server still root): done as asked
  auto early = helper->open_log(d.path("early.log"));
  ASSERT_TRUE(early);
  ASSERT_GE(*early, 0);
  ::close(*early);
  ASSERT_TRUE(helper->require_checks());

  auto allowed = helper->open_log(d.path("logs/access.log"));
  ASSERT_TRUE(allowed);
  ASSERT_GE(*allowed, 0);
  ::close(*allowed);
  EXPECT_TRUE(fs::exists(d.path("logs/access.log")));

  // a file the configuration does not name is neither opened nor created
  std::ofstream(d.path("passwd")) << "root:x:0:0::/root:/bin/sh\n";
  auto refused = helper->open_log(d.path("passwd"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, -EPERM);
  EXPECT_EQ(slurp(d.path("passwd")), "root:x:0:0::/root:/bin/sh\n");
  auto created = helper->open_log(d.path("early.log.2"));
  ASSERT_TRUE(created);
  EXPECT_EQ(*created, -EPERM);
  EXPECT_FALSE(fs::exists(d.path("early.log.2")));
  auto runtime = helper->open_runtime_file(d.path("logs/access.log"));
  ASSERT_TRUE(runtime);
  EXPECT_EQ(*runtime, -EPERM);

  // a program that is not a piped log of the configuration does not run
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  auto bad =
      helper->spawn_logger({"/bin/sh", "-c", "touch " + d.path("ran")}, fds[0], STDOUT_FILENO, STDERR_FILENO);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->error, EPERM);
  EXPECT_EQ(bad->pid, -1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(fs::exists(d.path("ran")));
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(LifecyclePrivilegedHelper, WithoutAValidatorEveryCheckedRequestIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  if (!fs::exists(kMpm)) GTEST_SKIP() << "no Apache modules";
  const ConfDir d;
  d.write();
  for (const std::string& binary : {std::string(), d.path("no-such-balancerd")}) {
    auto helper = lifecycle::PrivilegedHelper::start(d.path("httpd.pid"), binary, d.read());
    ASSERT_TRUE(helper);
    ASSERT_TRUE(helper->require_checks());
    auto fd = helper->open_log(d.path("error.log")); // named by the configuration, yet unchecked
    ASSERT_TRUE(fd);
    EXPECT_EQ(*fd, -EPERM) << binary;
    EXPECT_FALSE(fs::exists(d.path("error.log")));
  }
}

// The piped log the configuration names: started under checks, and restarted through the helper
// after its program dies (the validator allows it again).
TEST(LifecyclePrivilegedHelper, ConfiguredPipedLogRestartsUnderChecks) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  if (!fs::exists(kMpm)) GTEST_SKIP() << "no Apache modules";
  const ConfDir d;
  d.write();
  auto helper = lifecycle::PrivilegedHelper::start(d.path("httpd.pid"), BALANCERD_BINARY, d.read());
  ASSERT_TRUE(helper);
  ASSERT_TRUE(helper->require_checks());
  const lifecycle::InstalledHelper installed(helper.get());
  log::PipedLog piped("|$exec cat >> " + d.path("piped.out"));
  const pid_t first = piped.pid();
  ASSERT_GT(first, 0);
  piped.write("one\n");
  EXPECT_TRUE(eventually([&] { return slurp(d.path("piped.out")) == "one\n"; }));
  ::kill(first, SIGKILL);
  EXPECT_TRUE(eventually([&] { return piped.restarts() == 1u && piped.pid() > 0 && piped.pid() != first; }));
  piped.write("two\n");
  EXPECT_TRUE(eventually([&] { return slurp(d.path("piped.out")) == "one\ntwo\n"; }));
}
