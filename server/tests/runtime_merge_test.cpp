// Merge rules of the per-dir slots and of vhost over main server, through compile_config() on small
// configs. Where a rule is not obvious from the manual it was checked on apache2 (noted per test).
#include "runtime_test_support.hpp"
#include "server/runtime/dir_merge.hpp"
#include "server/runtime/request_config.hpp"
#include "server/runtime/server_merge.hpp"

#include <gtest/gtest.h>

namespace {

using namespace balancerd::runtime;
namespace d = balancerd::directives;
using balancerd::runtime::testing::compile_text;

struct Fixture {
  explicit Fixture(const std::string& text) : resolver(compile_text(text)) {}
  std::shared_ptr<const d::DirConf> at(std::string_view uri, int vhost = kMainServer) const {
    return resolver.resolve(resolver.server(vhost), uri, "", "", {}).dir;
  }
  RequestConfigResolver resolver;
};

// "ip:10.0.0.0/8" style summary of a Require tree, for comparisons.
std::string describe(const d::AuthzNode& n) {
  if (!n.is_section) {
    static const char* const kNames[] = {"all", "ip",     "host", "forward-dns",
                                         "env", "method", "expr", "local"};
    return std::string(n.require.negated ? "not " : "") + kNames[static_cast<int>(n.require.provider)] + " " +
           n.require.args;
  }
  std::string out = n.logic == d::AuthzLogic::All ? "All(" : n.logic == d::AuthzLogic::Any ? "Any(" : "None(";
  for (std::size_t i = 0; i < n.children.size(); ++i) out += (i ? ", " : "") + describe(n.children[i]);
  return out + ")";
}
std::string authz(const d::DirConf& c) {
  return c.authz->root ? describe(*c.authz->root) : "-";
}

// apache2 -f /tmp/reqconfig/g/g.conf (these Locations over a docroot, client 127.0.0.1):
//   /and/i.txt 403, /or/i.txt 200, /off/i.txt 403, /off/none/i.txt 403, /and/more/i.txt 200 (with
//   "Require ip 127.0.0.1" there: AuthMerging And of /and is not inherited).
const std::string kAuthz = "<Location />\nRequire all granted\n</Location>\n"
                           "<Location /and>\nAuthMerging And\nRequire ip 10.0.0.0/8\n</Location>\n"
                           "<Location /or>\nAuthMerging Or\nRequire ip 10.0.0.0/8\n</Location>\n"
                           "<Location /off>\nRequire ip 192.168.0.0/16\n</Location>\n"
                           "<Location /off/none>\nHeader set X-A 1\n</Location>\n"
                           "<Location /and/more>\nRequire host example.org\n</Location>\n";

TEST(RuntimeMerge, RequireReplacesByDefault) {
  Fixture f(kAuthz);
  EXPECT_EQ(authz(*f.at("/x")), "Any(all granted)");
  EXPECT_EQ(authz(*f.at("/off")), "Any(ip 192.168.0.0/16)");
}

TEST(RuntimeMerge, SectionWithoutRequireInheritsIt) {
  Fixture f(kAuthz);
  EXPECT_EQ(authz(*f.at("/off/none")), "Any(ip 192.168.0.0/16)");
}

TEST(RuntimeMerge, AuthMergingAndOr) {
  Fixture f(kAuthz);
  EXPECT_EQ(authz(*f.at("/and")), "All(Any(all granted), Any(ip 10.0.0.0/8))");
  EXPECT_EQ(authz(*f.at("/or")), "Any(Any(all granted), Any(ip 10.0.0.0/8))");
}

TEST(RuntimeMerge, AuthMergingIsNotInherited) {
  Fixture f(kAuthz);
  // /and/more has no AuthMerging of its own: its Require replaces the combined logic.
  EXPECT_EQ(authz(*f.at("/and/more")), "Any(host example.org)");
  EXPECT_EQ(f.at("/and/more")->authz->merging, d::AuthMerging::Unset);
}

TEST(RuntimeMerge, RequireInsideLimitJoinsTheSectionsRequireAny) {
  Fixture f("<Location />\nRequire all denied\n<Limit GET>\nRequire ip 10.0.0.0/8\n</Limit>\n</Location>\n");
  const auto c = f.at("/");
  ASSERT_TRUE(c->authz->root);
  EXPECT_EQ(authz(*c), "Any(all denied, ip 10.0.0.0/8)");
  EXPECT_EQ(c->authz->root->children[1].limit_methods, std::vector<std::string>{"GET"});
}

// apache2 (g.conf): <Location /ac> Order deny,allow + Deny from all; /ac/a with only "Allow from
// 10.0.0.0/8" -> 200 from 127.0.0.1 (the Deny is gone); /ac/b with no access directive -> 403.
TEST(RuntimeMerge, AccessCompatSectionReplacesAllFour) {
  Fixture f(
      "<Location />\nOrder deny,allow\nDeny from all\nAllow from 10.0.0.0/8\n</Location>\n"
      "<Location /a>\nAllow from 192.168.0.0/16\n</Location>\n<Location /b>\nHeader set X 1\n</Location>\n");
  const auto a = f.at("/a");
  EXPECT_EQ(a->authz->order, d::AccessOrder::Unset); // not inherited: mod_access_compat has no merge
  EXPECT_TRUE(a->authz->deny.empty());
  EXPECT_EQ(a->authz->allow.size(), 1u);
  const auto b = f.at("/b");
  EXPECT_EQ(b->authz->order, d::AccessOrder::DenyAllow);
  EXPECT_EQ(b->authz->deny.size(), 1u);
}

std::vector<std::string> header_names(const d::DirConf& c) {
  std::vector<std::string> out;
  for (const auto& r : c.headers.rules) out.push_back(r.header);
  return out;
}

TEST(RuntimeMerge, HeaderRulesAppendInMergeOrder) {
  Fixture f(
      "Header set X-Server 1\nRequestHeader set X-Req 1\n<Location />\nHeader always set X-Root 1\n"
      "</Location>\n<Location /a>\nHeader unset X-Server\nHeader set X-A 1\n</Location>\n"
      "<VirtualHost *:28080>\nHeader set X-Vhost 1\n<Location /a>\nHeader set X-Vhost-A 1\n</Location>\n"
      "</VirtualHost>\n");
  EXPECT_EQ(header_names(*f.at("/a/b")),
            (std::vector<std::string>{"X-Server", "X-Req", "X-Root", "X-Server", "X-A"}));
  EXPECT_EQ(f.at("/a/b")->headers.rules[3].action, d::HeaderAction::Unset);
  EXPECT_EQ(
      header_names(*f.at("/a/b", 0)),
      (std::vector<std::string>{"X-Server", "X-Req", "X-Vhost", "X-Root", "X-Server", "X-A", "X-Vhost-A"}));
}

TEST(RuntimeMerge, ErrorDocumentsMergeByStatus) {
  Fixture f("ErrorDocument 404 /nf\nErrorDocument 500 /err\n<Location /a>\nErrorDocument 404 /a-nf\n"
            "ErrorDocument 403 /a-fb\n</Location>\n");
  const auto c = f.at("/a");
  ASSERT_EQ(c->core->error_documents.size(), 3u);
  EXPECT_EQ(c->core->error_documents.at(404).action, "/a-nf");
  EXPECT_EQ(c->core->error_documents.at(500).action, "/err");
  EXPECT_EQ(c->core->error_documents.at(403).action, "/a-fb");
}

TEST(RuntimeMerge, SetEnvIfAndSetEnvAppend) {
  Fixture f("SetEnvIf User-Agent bot is_bot\nSetEnv A 1\n<Location /a>\nSetEnvIf Referer x from_x\n"
            "UnsetEnv A\nSetEnv B 2\n</Location>\n");
  const auto c = f.at("/a");
  ASSERT_EQ(c->env.setenvif.size(), 2u);
  EXPECT_EQ(c->env.setenvif[0].name, "User-Agent");
  EXPECT_EQ(c->env.setenvif[1].name, "Referer");
  ASSERT_EQ(c->env.setenv.size(), 3u);
  EXPECT_FALSE(c->env.setenv[0].unset);
  EXPECT_TRUE(c->env.setenv[1].unset);
  EXPECT_EQ(c->env.setenv[2].name, "B");
}

TEST(RuntimeMerge, ScalarsOverrideOnlyWhenSet) {
  Fixture f("ServerSignature On\nLimitRequestBody 100\n<Location /a>\nLimitRequestBody 5\n</Location>\n"
            "<Location /a/b>\nServerSignature Off\n</Location>\n");
  const auto c = f.at("/a/b");
  EXPECT_EQ(c->core->server_signature, "off");
  EXPECT_EQ(c->core->limit_request_body, 5);
  EXPECT_EQ(f.at("/x")->core->limit_request_body, 100);
}

TEST(RuntimeMerge, OptionsPlusMinusApplyToInheritedSet) {
  EXPECT_EQ(merge_option_words({"Indexes", "FollowSymLinks"}, {"-Indexes", "+MultiViews"}),
            (std::vector<std::string>{"Indexes", "FollowSymLinks", "-Indexes", "+MultiViews"}));
  EXPECT_EQ(merge_option_words({"Indexes"}, {"None"}), (std::vector<std::string>{"None"}));
  EXPECT_EQ(merge_option_words({"Indexes"}, {}), (std::vector<std::string>{"Indexes"}));
  Fixture f("<Directory /srv>\nOptions Indexes FollowSymLinks\n</Directory>\n<Directory /srv/a>\n"
            "Options -Indexes\n</Directory>\n");
  const auto c = f.resolver.resolve(f.resolver.server(kMainServer), "/", "/srv/a/f", "", {}).dir;
  ASSERT_TRUE(c->core->options);
  EXPECT_EQ(*c->core->options, "Indexes FollowSymLinks -Indexes");
}

TEST(RuntimeMerge, ProxyPassInLocationAndReverseRules) {
  Fixture f("<Location /app>\nProxyPass http://backend/app\nProxyPassReverse http://backend/app\n"
            "ProxyPreserveHost On\n</Location>\n<Location /app/sub>\nProxyPassReverse http://other/\n"
            "ProxyPreserveHost Off\n</Location>\n");
  const auto c = f.at("/app/sub/x");
  ASSERT_TRUE(c->proxy->pass);
  EXPECT_EQ(c->proxy->pass->url, "http://backend/app"); // inherited from /app
  EXPECT_EQ(c->proxy->reverse.size(), 2u);
  EXPECT_EQ(c->proxy->preserve_host, false);
  EXPECT_FALSE(f.at("/other")->proxy->pass);
}

// apache2 -f /tmp/reqconfig/e/e.conf: GET /a/r/z -> 302 http://two/z (the /a/r section's RedirectMatch).
TEST(RuntimeMerge, RedirectsOfTheMoreSpecificSectionComeFirst) {
  Fixture f("<Location /a>\nRedirectMatch 301 ^/a/(.*) http://one/$1\n</Location>\n"
            "<Location /a/b>\nRedirectMatch 302 ^/a/b/(.*) http://two/$1\n</Location>\n");
  const auto c = f.at("/a/b/c");
  ASSERT_EQ(c->mapping->redirects.size(), 2u);
  EXPECT_EQ(c->mapping->redirects[0].status, 302);
}

TEST(RuntimeMerge, DirMergeIsPureAndSlotwise) {
  d::DirConf parent, child;
  parent.core->log_level.level = 4;
  parent.core->log_level.modules["proxy_module"] = 7;
  child.core->log_level.modules["ssl_module"] = 6;
  child.core->log_level.modules["proxy_module"] = 5;
  parent.ssl->require_ssl = true;
  parent.ssl->options = {"+StdEnvVars"};
  child.ssl->options = {"-StdEnvVars", "+ExportCertData"};
  child.mapping->directory_index = std::vector<std::string>{};
  parent.misc.h2_push_resources = {"/a.css"};
  child.misc.h2_push_resources = {"/b.js"};
  const d::DirConf out = merge_dir(parent, child);
  EXPECT_EQ(out.core->log_level.level, 4);
  EXPECT_EQ(out.core->log_level.modules.at("proxy_module"), 5);
  EXPECT_EQ(out.core->log_level.modules.at("ssl_module"), 6);
  EXPECT_TRUE(out.ssl->require_ssl);
  EXPECT_EQ(out.ssl->options.size(), 3u);
  ASSERT_TRUE(out.mapping->directory_index);
  EXPECT_TRUE(out.mapping->directory_index->empty()); // "DirectoryIndex disabled" wins
  EXPECT_EQ(out.misc.h2_push_resources.size(), 2u);
  EXPECT_EQ(parent.core->log_level.modules.size(), 1u); // inputs untouched
}

TEST(RuntimeServerMerge, VhostInheritsUnsetServerSettings) {
  const auto config = compile_text("Timeout 30\nKeepAliveTimeout 7\nTraceEnable off\n"
                                   "<VirtualHost *:28080>\nServerName v.example\nTimeout 5\n</VirtualHost>\n"
                                   "<VirtualHost *:28080>\nServerAlias w.example\n</VirtualHost>\n");
  const d::ServerConf v = merge_server(config->main, config->vhosts[0]);
  EXPECT_EQ(v.core.timeout, std::chrono::seconds(5));
  EXPECT_EQ(v.core.keep_alive_timeout, std::chrono::seconds(7));
  EXPECT_EQ(v.core.trace_enable, "off");
  EXPECT_EQ(v.core.server_name, "v.example");
  const d::ServerConf w = merge_server(config->main, config->vhosts[1]);
  EXPECT_EQ(w.core.server_name, "main.example");
  EXPECT_EQ(w.core.aliases, std::vector<std::string>{"w.example"});
  EXPECT_TRUE(w.core.listeners.size() == config->main.core.listeners.size());
}

// apache2 -f /tmp/reqconfig/f/f.conf: main "ProxyPass /m .../main/" and vhost "ProxyPass /m .../vh/" -> a
// request for /m/x on the vhost went to .../main/x.
// apache2 2.4.71 (/tmp/ppi): with "ProxyPassInherit Off" in the vhost, GET /m with Host: w still went
// to the main server's backend (503 from the dead port, not 404): 2.4 keeps main rules first regardless.
TEST(RuntimeServerMerge, ProxyPassRulesOfMainServerFirstEvenWhenNotInherited) {
  const auto config =
      compile_text("ProxyPass /m http://main-backend/\n<VirtualHost *:28080>\n"
                   "ProxyPass /v http://vhost-backend/\n</VirtualHost>\n<VirtualHost *:28080>\n"
                   "ProxyPassInherit Off\nProxyPass /w http://w-backend/\n</VirtualHost>\n");
  const d::ServerConf v = merge_server(config->main, config->vhosts[0]);
  ASSERT_EQ(v.proxy.rules.size(), 2u);
  EXPECT_EQ(v.proxy.rules[0].path, "/m");
  EXPECT_EQ(v.proxy.rules[1].path, "/v");
  ASSERT_TRUE(v.proxy.rules[1].worker);
  EXPECT_EQ(v.proxy.workers.at(*v.proxy.rules[1].worker).name, config->vhosts[0].proxy.workers.at(0).name);
  const d::ServerConf w = merge_server(config->main, config->vhosts[1]);
  ASSERT_EQ(w.proxy.rules.size(), 2u);
  EXPECT_EQ(w.proxy.rules[0].path, "/m");
  EXPECT_EQ(w.proxy.rules[1].path, "/w");
}

// apache2 (e.conf): "Redirect /red" in main and vhost -> the vhost answers with its own target.
TEST(RuntimeServerMerge, AliasesOfVhostFirstAndLogsInherited) {
  const auto config = compile_text("Alias /x /srv/main-x\nLogFormat \"%h\" short\nCustomLog /dev/null short\n"
                                   "<VirtualHost *:28080>\nAlias /x /srv/vhost-x\n</VirtualHost>\n"
                                   "<VirtualHost *:28080>\nCustomLog /dev/null \"%h %s\"\n</VirtualHost>\n");
  const d::ServerConf v = merge_server(config->main, config->vhosts[0]);
  ASSERT_EQ(v.mapping.aliases.size(), 2u);
  EXPECT_EQ(v.mapping.aliases[0].real, "/srv/vhost-x");
  ASSERT_EQ(v.log.logs.size(), 1u); // the main server's CustomLog
  EXPECT_EQ(v.log.logs[0].format_name, "short");
  EXPECT_TRUE(v.log.formats.count("short"));
  const d::ServerConf w = merge_server(config->main, config->vhosts[1]);
  ASSERT_EQ(w.log.logs.size(), 1u); // its own only
  EXPECT_EQ(w.log.logs[0].format.source, "%h %s");
}

TEST(RuntimeServerMerge, ServerLevelPerDirOfVhostOverMain) {
  Fixture f(
      "ErrorDocument 404 /main\nErrorDocument 500 /main500\n<VirtualHost *:28080>\nErrorDocument 404 /vh\n"
      "</VirtualHost>\n");
  const auto c = f.at("/", 0);
  EXPECT_EQ(c->core->error_documents.at(404).action, "/vh");
  EXPECT_EQ(c->core->error_documents.at(500).action, "/main500");
  EXPECT_EQ(f.resolver.server(0).merged.core.server_name, "main.example");
}

} // namespace
