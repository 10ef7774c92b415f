#pragma once
// The immutable config model: what the runtime is built from. Each module family owns one slot per
// level (server, per-directory); this file only assembles them, the way Apache keeps one config
// vector per server and per section. Merging of sections happens at run time (server/).
#include "directives/model/authz_conf.hpp"
#include "directives/model/autoindex_conf.hpp"
#include "directives/model/core_conf.hpp"
#include "directives/model/env_conf.hpp"
#include "directives/model/headers_conf.hpp"
#include "directives/model/log_conf.hpp"
#include "directives/model/mapping_conf.hpp"
#include "directives/model/misc_conf.hpp"
#include "directives/model/proxy_conf.hpp"
#include "directives/model/slot.hpp"
#include "directives/model/source_file.hpp"
#include "directives/model/ssl_conf.hpp"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace balancerd::directives {

// Per-directory settings of every module: what a <Location>, <Directory>, <Proxy>... section holds.
// The large slots are allocated only when a directive sets them (see slot.hpp: read with `->`, an
// unset one reads as defaults); the small ones stay inline, where a pointer would save nothing.
struct DirConf {
  Slot<CoreDirConf> core;
  Slot<ProxyDirConf> proxy;
  HeadersDirConf headers;
  Slot<AuthzDirConf> authz;
  Slot<SslDirConf> ssl;
  LogDirConf log;
  Slot<MappingDirConf> mapping;
  EnvDirConf env;
  MiscDirConf misc;
  Slot<AutoindexDirConf> autoindex;
};

enum class SectionKind {
  Directory,
  DirectoryMatch,
  Files,
  FilesMatch,
  Location,
  LocationMatch,
  Proxy,
  ProxyMatch,
  If,
  ElseIf,
  Else,
  Limit,
  LimitExcept,
};

struct Section {
  SectionKind kind;
  std::string pattern;              // path, URL, file name or regex source / ap_expr text
  bool regex = false;               // "~" form or *Match
  std::vector<std::string> methods; // <Limit>/<LimitExcept>
  SourceFile file;
  unsigned line = 0;
  DirConf conf;
  std::vector<Section> nested; // <Files>/<If>/<Limit> inside this one, in config order
};

struct ServerConf {
  bool is_vhost = false;
  SourceFile file; // where <VirtualHost> was opened (empty for the main server)
  unsigned line = 0;
  CoreServerConf core;
  ProxyServerConf proxy;
  // Allocated only when an SSL* directive sets something (most vhosts of a large config have none,
  // and inline it was over a KiB each); read with `->`, an unset one reads as defaults.
  Slot<SslServerConf> ssl;
  LogServerConf log;
  MappingServerConf mapping;
  EnvServerConf env;
  MiscServerConf misc;
  DirConf dir;                   // directives written directly at server/vhost level
  std::vector<Section> sections; // per-dir sections in config order
};

struct LoadedModule {
  std::string id;     // "proxy_module"
  std::string source; // "mod_proxy.c"
  std::string path;   // .so path, empty for built-in
};

struct Config {
  std::string server_root;
  std::string default_runtime_dir;
  std::vector<std::string> defines;  // in definition order, for -S
  std::vector<LoadedModule> modules; // static first, then LoadModule order
  ServerConf main;
  // In config order. A deque: a vhost is several KiB, and growing a vector of 10,000 of them moved
  // each one repeatedly while reading (a fifth of a large configtest).
  std::deque<ServerConf> vhosts;
};

} // namespace balancerd::directives
