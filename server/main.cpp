// balancerd: apache2's command line (see server/cli/).
#include "server/cli/command_line.hpp"

int main(int argc, char** argv) {
  return balancerd::cli::run(argc, argv);
}
