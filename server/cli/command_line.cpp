// apache2's command line for balancerd: option handling, the config test, the dump modes and the
// exit codes, with Apache's output layout (dumps on stdout, everything else on stderr).
#include "server/cli/command_line.hpp"

#include "directives/compile.hpp"
#include "directives/registry.hpp"
#include "directives/run_mode.hpp"
#include "server/cli/dumps.hpp"
#include "server/cli/one_shot_heap.hpp"
#include "server/cli/options.hpp"
#include "server/cli/signal_server.hpp"
#include "server/lifecycle/run_server.hpp"

#include <filesystem>
#include <iostream>
#include <optional>

namespace balancerd::cli {

namespace {

constexpr const char* default_server_root = "/etc/apache2"; // Debian's HTTPD_ROOT
constexpr const char* default_config_file = "apache2.conf"; // Debian's SERVER_CONFIG_FILE

int usage(const Options& o, const std::string& error) {
  if (!error.empty()) std::cerr << o.program << ": " << error << "\n";
  std::cerr << usage_text(o.program);
  return 1;
}

void list_compiled_modules() {
  std::cout << "Compiled in modules:\n";
  for (const auto& m : directives::all_modules())
    if (m.builtin) std::cout << "  " << m.source << "\n";
}

} // namespace

int run(int argc, char** argv) {
  std::string error;
  auto parsed = parse_options(argc, argv, error);
  if (!parsed) {
    std::string ignored;
    Options o = parse_options(argc > 0 ? 1 : 0, argv, ignored).value_or(Options{});
    return usage(o, error);
  }
  const Options& o = *parsed;
  if (o.help) return usage(o, "");
  if (!o.signal.empty() && o.signal != "start" && o.signal != "restart" && o.signal != "graceful" &&
      o.signal != "graceful-stop" && o.signal != "stop")
    return usage(o, "");
  if (o.version) {
    std::cout << version_text();
    return 0;
  }
  if (o.list_compiled) {
    list_compiled_modules();
    return 0;
  }

  parser::ReadOptions read;
  read.server_root = o.server_root.empty() ? default_server_root : o.server_root;
  read.config_file = o.config_file.empty() ? default_config_file : o.config_file;
  read.defines = o.defines;
  read.pre_directives = o.pre_directives;
  read.post_directives = o.post_directives;

  directives::Diagnostics diagnostics(o.program, [](const directives::LogRecord& record) {
    std::cerr << directives::format_log_line(record) << std::endl;
  });
  if (o.version_details) {
    // Apache reads the configuration (read pass only: it loads the MPM) before printing; a read
    // error is printed first and the MPM line stays empty.
    auto rp = directives::read_pass_only(read, diagnostics);
    if (rp.error) std::cerr << *rp.error << std::endl;
    std::string mpm;
    for (const auto& m : rp.modules)
      if (m.id.rfind("mpm_", 0) == 0 && m.id.size() > 11) mpm = m.id.substr(4, m.id.size() - 4 - 7);
    std::cout << version_details_text(mpm) << std::flush;
    return 0;
  }

  const bool dumping = o.has_define("DUMP_INCLUDES") || o.has_define("DUMP_VHOSTS") ||
                       o.has_define("DUMP_RUN_CFG") || o.has_define("DUMP_MODULES");
  // A one-shot run builds the model once and exits: its heap is tuned for that, and filled ahead
  // of use by a helper thread until the model is built.
  std::optional<HeapPrefaulter> prefaulter;
  if (dumping || o.config_test) {
    tune_heap_for_one_shot_run();
    prefaulter.emplace();
  }
  directives::set_run_mode(dumping         ? directives::RunMode::ConfigDump
                           : o.config_test ? directives::RunMode::ConfigTest
                                           : directives::RunMode::Normal);
  directives::CompileResult result;
  try {
    result = directives::compile_config(read, diagnostics);
  } catch (const directives::ConfigError& e) {
    if (o.has_define("DUMP_INCLUDES") && !e.includes().empty()) {
      directives::CompileResult partial;
      partial.includes = e.includes();
      cli::dump_includes(std::cout, partial);
      std::cout << std::flush;
    }
    std::cerr << e.report(o.program) << std::endl;
    return 1;
  }
  prefaulter.reset();
  if (o.list_directives) {
    list_directives(std::cout, *result.config);
    return 0;
  }

  const bool dump_includes = o.has_define("DUMP_INCLUDES");
  const bool dump_vhosts = o.has_define("DUMP_VHOSTS");
  const bool dump_run_cfg = o.has_define("DUMP_RUN_CFG");
  const bool dump_modules_ = o.has_define("DUMP_MODULES");
  const bool dump_compat_ = o.has_define("DUMP_COMPAT");
  const bool any_dump = dump_includes || dump_vhosts || dump_run_cfg || dump_modules_ || dump_compat_;
  if (o.config_test || any_dump) {
    if (dump_includes) cli::dump_includes(std::cout, result);
    if (dump_vhosts) cli::dump_vhosts(std::cout, result);
    if (dump_run_cfg) cli::dump_run_cfg(std::cout, result);
    if (dump_modules_) dump_modules(std::cout, *result.config);
    if (dump_compat_) dump_compat(std::cout, result);
    std::cout << std::flush;
    if (!any_dump) std::cerr << "Syntax OK" << std::endl;
    // The process ends here: tearing down a large model (10,000 vhosts) costs as much as a third of
    // building it, so the last reference is kept and the OS reclaims the memory.
    static_cast<void>(new std::shared_ptr<const directives::Config>(result.config));
    return 0;
  }

  // -k: signal a running server, or fall through to starting one (Apache's ap_signal_server).
  if (!o.signal.empty()) {
    if (auto done = signal_server(o.program, o.signal, *result.config)) return *done;
  }

  // Starting the server. As apache2: a daemon (detached from the terminal) unless -X (ONE_PROCESS),
  // -DFOREGROUND or -DNO_DETACH keep it in the foreground.
  lifecycle::RunOptions run;
  run.program = o.program;
  run.startup_log = diagnostics.records();
  // AH00094's text: the arguments without "-k verb", as apache2 logs them
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i > 0 && arg == "-k") {
      ++i;
      continue;
    }
    if (i > 0 && arg.size() > 2 && arg.substr(0, 2) == "-k") continue;
    if (!run.command_line.empty()) run.command_line += ' ';
    run.command_line += arg;
  }
  run.read = read;
  // this very program checks the privileged helper's requests (privileged_check.hpp); resolved now,
  // as the path may name another file by the time of a reload
  std::error_code exe_ec;
  run.privileged_check_binary = std::filesystem::read_symlink("/proc/self/exe", exe_ec).string();
  run.single_process = o.foreground_single;
  run.detach = !o.foreground_single && !o.has_define("ONE_PROCESS") && !o.has_define("FOREGROUND") &&
               !o.has_define("NO_DETACH");
  // The daemon works from "/": a graceful restart must find the configuration again.
  if (run.detach) {
    std::error_code ec;
    auto root = std::filesystem::absolute(run.read.server_root, ec);
    if (!ec) run.read.server_root = root.lexically_normal().string();
  }
  return lifecycle::run_server(result, run);
}

} // namespace balancerd::cli
