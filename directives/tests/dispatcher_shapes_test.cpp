// Generic argument splitting and counting per ArgShape (Apache's invoke_cmd), with synthetic
// directive entries so that every shape is covered, including those no core directive uses.
#include "directives/arg_shapes.hpp"
#include "directives/dispatcher.hpp"

#include <gtest/gtest.h>

namespace balancerd::directives {
namespace {

// What the handler saw, call by call.
std::vector<std::vector<std::string>> calls;

std::optional<std::string> record(CmdParms&, std::span<const std::string> args) {
  calls.emplace_back(args.begin(), args.end());
  return std::nullopt;
}

struct Run {
  std::optional<std::string> error;
  std::vector<std::vector<std::string>> calls;
};

Run run(ArgShape shape, const std::string& args, std::string_view help = "HELP") {
  calls.clear();
  Diagnostics diagnostics;
  ModuleSet modules(diagnostics);
  Config config;
  Dispatcher dispatcher(config, modules, diagnostics);
  const DirectiveDef def{"Dir", RSRC_CONF, shape, help, Support::Implemented, record};
  parser::Node node;
  node.name = "dir";
  node.args = args;
  CmdParms cmd{node, def, RSRC_CONF, config, config.main, nullptr, {}, dispatcher};
  Run r;
  r.error = invoke_with_shape(cmd, args);
  r.calls = calls;
  return r;
}

using Calls = std::vector<std::vector<std::string>>;

TEST(ArgShapes, Take1) {
  EXPECT_EQ(run(ArgShape::Take1, "a").calls, (Calls{{"a"}}));
  EXPECT_EQ(run(ArgShape::Take1, "").error, "Dir takes one argument, HELP");
  EXPECT_EQ(run(ArgShape::Take1, "a b").error, "Dir takes one argument, HELP");
  EXPECT_EQ(run(ArgShape::Take1, "\"\"").error, "Dir takes one argument, HELP"); // empty word = missing
  EXPECT_EQ(run(ArgShape::Take1, "a b", "").error, "Dir takes one argument");    // no help, no comma
}

TEST(ArgShapes, Take2AndTake12) {
  EXPECT_EQ(run(ArgShape::Take2, "a b").calls, (Calls{{"a", "b"}}));
  EXPECT_EQ(run(ArgShape::Take2, "a").error, "Dir takes two arguments, HELP");
  EXPECT_EQ(run(ArgShape::Take2, "a b c").error, "Dir takes two arguments, HELP");
  EXPECT_EQ(run(ArgShape::Take12, "a").calls, (Calls{{"a"}}));
  EXPECT_EQ(run(ArgShape::Take12, "a b").calls, (Calls{{"a", "b"}}));
  EXPECT_EQ(run(ArgShape::Take12, "a b c").error, "Dir takes 1-2 arguments, HELP");
  EXPECT_EQ(run(ArgShape::Take12, "").error, "Dir takes 1-2 arguments, HELP");
}

TEST(ArgShapes, Take3Take23Take123Take13) {
  EXPECT_EQ(run(ArgShape::Take3, "a b c").calls, (Calls{{"a", "b", "c"}}));
  EXPECT_EQ(run(ArgShape::Take3, "a b").error, "Dir takes three arguments, HELP");
  EXPECT_EQ(run(ArgShape::Take23, "a b").calls, (Calls{{"a", "b"}}));
  EXPECT_EQ(run(ArgShape::Take23, "a").error, "Dir takes two or three arguments, HELP");
  EXPECT_EQ(run(ArgShape::Take23, "a b c d").error, "Dir takes two or three arguments, HELP");
  EXPECT_EQ(run(ArgShape::Take123, "a").calls, (Calls{{"a"}}));
  EXPECT_EQ(run(ArgShape::Take123, "a b c d").error, "Dir takes one, two or three arguments, HELP");
  EXPECT_EQ(run(ArgShape::Take13, "a").calls, (Calls{{"a"}}));
  EXPECT_EQ(run(ArgShape::Take13, "a b c").calls, (Calls{{"a", "b", "c"}}));
  EXPECT_EQ(run(ArgShape::Take13, "a b").error, "Dir takes one or three arguments, HELP");
}

TEST(ArgShapes, IterateStopsAtAnEmptyWord) {
  EXPECT_EQ(run(ArgShape::Iterate, "a b c").calls, (Calls{{"a"}, {"b"}, {"c"}}));
  EXPECT_EQ(run(ArgShape::Iterate, "a \"\" c").calls, (Calls{{"a"}}));
  EXPECT_EQ(run(ArgShape::Iterate, "").error, "Dir requires at least one argument, HELP");
}

TEST(ArgShapes, Iterate2PairsTheFirstWordWithEachOther) {
  EXPECT_EQ(run(ArgShape::Iterate2, "k a b").calls, (Calls{{"k", "a"}, {"k", "b"}}));
  EXPECT_EQ(run(ArgShape::Iterate2, "k").error, "Dir requires at least two arguments, HELP");
}

TEST(ArgShapes, FlagTakesOnOrOffAnyCaseAndIgnoresTheRest) {
  EXPECT_EQ(run(ArgShape::Flag, "oN").calls, (Calls{{"oN"}}));
  EXPECT_EQ(run(ArgShape::Flag, "Off extra").calls, (Calls{{"Off"}}));
  EXPECT_EQ(run(ArgShape::Flag, "yes").error, "Dir must be On or Off");
  EXPECT_EQ(run(ArgShape::Flag, "").error, "Dir must be On or Off");
}

TEST(ArgShapes, NoArgsRawAndArgv) {
  EXPECT_EQ(run(ArgShape::NoArgs, "").calls, (Calls{{}}));
  EXPECT_EQ(run(ArgShape::NoArgs, "x").error, "Dir takes no arguments");
  EXPECT_EQ(run(ArgShape::RawArgs, "a \"b c\" >").calls, (Calls{{"a \"b c\" >"}}));
  EXPECT_EQ(run(ArgShape::TakeArgv, "a \"b c\" d").calls, (Calls{{"a", "b c", "d"}}));
  EXPECT_EQ(run(ArgShape::TakeArgv, "").calls, (Calls{{}}));
}

} // namespace
} // namespace balancerd::directives
