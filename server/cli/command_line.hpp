#pragma once
// apache2's command line: options, config test and dump modes, exit codes.
namespace balancerd::cli {
int run(int argc, char** argv);
}
