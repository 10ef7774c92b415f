#include "directives/arg_shapes.hpp"

#include "directives/ci_string.hpp"
#include "parser/words.hpp"

#include <array>
#include <vector>

namespace balancerd::directives {

namespace {

std::string count_error(const DirectiveDef& def, std::string_view what) {
  std::string out(def.name);
  out += ' ';
  out += what;
  if (!def.help.empty()) {
    out += ", ";
    out += def.help;
  }
  return out;
}

std::optional<std::string> call(CmdParms& cmd, std::span<const std::string> args) {
  if (!cmd.def.handler) return std::nullopt;
  return cmd.def.handler(cmd, args);
}

// Calls with the words that are present: Apache passes NULL for a missing optional word. (An array,
// not a vector: this runs for most directives.)
template <std::size_t N>
std::optional<std::string> call_present(CmdParms& cmd, std::array<std::string, N> words) {
  std::size_t n = N;
  while (n > 0 && words[n - 1].empty()) --n;
  return call(cmd, std::span<const std::string>(words.data(), n));
}

} // namespace

std::optional<std::string> invoke_with_shape(CmdParms& cmd, std::string_view args) {
  const DirectiveDef& def = cmd.def;
  std::string_view rest = args;
  auto word = [&rest] { return parser::next_word(rest); };
  switch (def.shape) {
  case ArgShape::RawArgs: {
    // The node's own text when that is what is passed (the usual case): no copy of the line.
    if (args.data() == cmd.node.args.data() && args.size() == cmd.node.args.size())
      return call(cmd, std::span<const std::string>(&cmd.node.args, 1));
    const std::array<std::string, 1> raw{std::string(args)};
    return call(cmd, raw);
  }
  case ArgShape::NoArgs:
    if (!rest.empty()) return std::string(def.name) + " takes no arguments";
    return call(cmd, {});
  case ArgShape::TakeArgv: {
    std::vector<std::string> argv;
    while (argv.size() < 64) {
      std::string w = word();
      if (w.empty() && rest.empty()) break;
      argv.push_back(std::move(w));
      if (rest.empty()) break;
    }
    return call(cmd, argv);
  }
  case ArgShape::Take1: {
    std::string w = word();
    if (w.empty() || !rest.empty()) return count_error(def, "takes one argument");
    return call_present<1>(cmd, {std::move(w)});
  }
  case ArgShape::Take2: {
    std::string w = word(), w2 = word();
    if (w.empty() || w2.empty() || !rest.empty()) return count_error(def, "takes two arguments");
    return call_present<2>(cmd, {std::move(w), std::move(w2)});
  }
  case ArgShape::Take12: {
    std::string w = word(), w2 = word();
    if (w.empty() || !rest.empty()) return count_error(def, "takes 1-2 arguments");
    return call_present<2>(cmd, {std::move(w), std::move(w2)});
  }
  case ArgShape::Take3: {
    std::string w = word(), w2 = word(), w3 = word();
    if (w.empty() || w2.empty() || w3.empty() || !rest.empty())
      return count_error(def, "takes three arguments");
    return call_present<3>(cmd, {std::move(w), std::move(w2), std::move(w3)});
  }
  case ArgShape::Take23: {
    std::string w = word(), w2 = word(), w3 = word();
    if (w.empty() || w2.empty() || !rest.empty()) return count_error(def, "takes two or three arguments");
    return call_present<3>(cmd, {std::move(w), std::move(w2), std::move(w3)});
  }
  case ArgShape::Take123: {
    std::string w = word(), w2 = word(), w3 = word();
    if (w.empty() || !rest.empty()) return count_error(def, "takes one, two or three arguments");
    return call_present<3>(cmd, {std::move(w), std::move(w2), std::move(w3)});
  }
  case ArgShape::Take13: {
    std::string w = word(), w2 = word(), w3 = word();
    if (w.empty() || (!w2.empty() && w3.empty()) || !rest.empty())
      return count_error(def, "takes one or three arguments");
    return call_present<3>(cmd, {std::move(w), std::move(w2), std::move(w3)});
  }
  case ArgShape::Iterate: {
    std::string w = word();
    if (w.empty()) return count_error(def, "requires at least one argument");
    // As in Apache, an empty word ends the list.
    while (!w.empty()) {
      const std::array<std::string, 1> one{std::move(w)};
      if (auto err = call(cmd, one)) return err;
      w = word();
    }
    return std::nullopt;
  }
  case ArgShape::Iterate2: {
    std::string first = word();
    if (first.empty() || rest.empty()) return count_error(def, "requires at least two arguments");
    for (std::string w = word(); !w.empty(); w = word()) {
      const std::array<std::string, 2> pair{first, std::move(w)};
      if (auto err = call(cmd, pair)) return err;
    }
    return std::nullopt;
  }
  case ArgShape::Flag: {
    std::string w = word();
    if (w.empty() || (!ci_equal(w, "on") && !ci_equal(w, "off")))
      return std::string(def.name) + " must be On or Off";
    const std::array<std::string, 1> one{std::move(w)};
    return call(cmd, one);
  }
  }
  return std::nullopt;
}

} // namespace balancerd::directives
