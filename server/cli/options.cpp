#include "server/cli/options.hpp"

#include <algorithm>
#include <cstring>

namespace balancerd::cli {

bool Options::has_define(const std::string& name) const {
  return std::find(defines.begin(), defines.end(), name) != defines.end();
}

std::optional<Options> parse_options(int argc, char** argv, std::string& error) {
  Options o;
  if (argc > 0 && argv[0]) {
    const char* slash = std::strrchr(argv[0], '/');
    o.program = slash ? slash + 1 : argv[0];
  }
  // Apache's option string: "C:c:D:d:E:e:f:k:hlLStTvVXM"
  const std::string with_value = "CcDdEefk";
  const std::string flags = "hlLStTvVXMn";
  int i = 1;
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;
    for (std::size_t k = 1; k < arg.size(); ++k) {
      const char c = arg[k];
      if (with_value.find(c) != std::string::npos) {
        std::string value;
        if (k + 1 < arg.size()) {
          value = arg.substr(k + 1);
        } else if (i + 1 < argc) {
          value = argv[++i];
        } else {
          error = std::string("option requires an argument -- ") + c;
          return std::nullopt;
        }
        switch (c) {
        case 'C':
          o.pre_directives.push_back(value);
          break;
        case 'c':
          o.post_directives.push_back(value);
          break;
        case 'D':
          o.defines.push_back(value);
          break;
        case 'd':
          o.server_root = value;
          break;
        case 'E':
          o.startup_log_file = value;
          break;
        case 'e':
          o.startup_log_level = value;
          break;
        case 'f':
          o.config_file = value;
          break;
        case 'k':
          o.signal = value;
          break;
        }
        break; // the value used the rest of this argument
      }
      switch (c) {
      case 'h':
        o.help = true;
        break;
      case 'l':
        o.list_compiled = true;
        break;
      case 'L':
        o.list_directives = true;
        break;
      case 'S':
        o.config_test = true;
        o.defines.push_back("DUMP_VHOSTS");
        o.defines.push_back("DUMP_RUN_CFG");
        break;
      case 'M':
        o.config_test = true;
        o.defines.push_back("DUMP_MODULES");
        break;
      case 't':
        o.config_test = true;
        break;
      case 'T':
        o.no_docroot_check = true;
        break;
      case 'v':
        o.version = true;
        break;
      case 'V':
        o.version_details = true;
        break;
      case 'X':
        o.foreground_single = true;
        o.defines.push_back("ONE_PROCESS");
        break;
      default:
        error = std::string("illegal option -- ") + c;
        return std::nullopt;
      }
    }
  }
  if (i < argc) {
    // apache2 refuses stray arguments the same way (usage).
    error = std::string("illegal option -- ") + argv[i];
    return std::nullopt;
  }
  return o;
}

std::string usage_text(const std::string& program) {
  const std::string pad(program.size(), ' ');
  return "Usage: " + program + " [-D name] [-d directory] [-f file]\n" + pad +
         "       [-C \"directive\"] [-c \"directive\"]\n" + pad +
         "       [-k start|restart|graceful|graceful-stop|stop]\n" + pad +
         "       [-v] [-V] [-h] [-l] [-L] [-t] [-T] [-S] [-X]\n"
         "Options:\n"
         "  -D name            : define a name for use in <IfDefine name> directives\n"
         "  -d directory       : specify an alternate initial ServerRoot\n"
         "  -f file            : specify an alternate ServerConfigFile\n"
         "  -C \"directive\"     : process directive before reading config files\n"
         "  -c \"directive\"     : process directive after reading config files\n"
         "  -e level           : show startup errors of level (see LogLevel)\n"
         "  -E file            : log startup errors to file\n"
         "  -v                 : show version number\n"
         "  -V                 : show compile settings\n"
         "  -h                 : list available command line options (this page)\n"
         "  -l                 : list compiled in modules\n"
         "  -L                 : list available configuration directives\n"
         "  -t -D DUMP_VHOSTS  : show parsed vhost settings\n"
         "  -t -D DUMP_RUN_CFG : show parsed run settings\n"
         "  -S                 : a synonym for -t -D DUMP_VHOSTS -D DUMP_RUN_CFG\n"
         "  -t -D DUMP_MODULES : show all loaded modules \n"
         "  -M                 : a synonym for -t -D DUMP_MODULES\n"
         "  -t -D DUMP_INCLUDES: show all included configuration files\n"
         "  -t                 : run syntax check for config files\n"
         "  -T                 : start without DocumentRoot(s) check\n"
         "  -X                 : debug mode (only one worker, do not detach)\n"
         "  -t -D DUMP_COMPAT  : list directives in use that balancerd does not fully reproduce\n";
}

} // namespace balancerd::cli
