#pragma once
// What the process is doing while the config is read, as Apache's ap_state_query(AP_SQ_RUN_MODE)
// tells modules: some checks (mod_ssl's certificate files) are skipped when only dumping the config
// (-S, -M, -D DUMP_*), where apache2 still prints its output and exits 0.
namespace balancerd::directives {

enum class RunMode { Normal, ConfigTest, ConfigDump };

void set_run_mode(RunMode mode);
RunMode run_mode();

} // namespace balancerd::directives
