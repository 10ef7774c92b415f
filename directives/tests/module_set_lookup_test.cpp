// ModuleSet::find: the directive table's case-insensitive lookup (hashed eight bytes at a time,
// compared a block at a time), across name lengths around the eight-byte blocks.
#include "directives/ci_string.hpp"
#include "directives/module_set.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace balancerd::directives;

std::string flip_case(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

TEST(ModuleSetLookup, EveryBuiltinDirectiveIsFoundInAnyCaseAndNothingElse) {
  Diagnostics diagnostics("apache2");
  ModuleSet modules(diagnostics);
  std::size_t checked = 0;
  for (const ModuleSet::Loaded& m : modules.loaded()) {
    if (!m.def) continue;
    for (const DirectiveDef& d : m.def->directives) {
      const std::string name(d.name);
      for (const std::string& spelling : {name, flip_case(name)}) {
        const FoundDirective f = modules.find(spelling);
        ASSERT_NE(f.def, nullptr) << spelling;
        EXPECT_TRUE(ci_equal(f.def->name, name)) << spelling;
      }
      // One character changed (kept the same length) or one added: not found, unless that
      // spelling is another directive's.
      std::string changed = name;
      changed.back() = changed.back() == 'x' ? 'y' : 'x';
      const FoundDirective other = modules.find(changed);
      if (other.def) {
        EXPECT_TRUE(ci_equal(other.def->name, changed)) << changed;
      }
      const FoundDirective longer = modules.find(name + "x");
      if (longer.def) {
        EXPECT_TRUE(ci_equal(longer.def->name, name + "x")) << name;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 20u);
  // '@' and '`' differ only in the bit that folds letters: the hash may mix them, the lookup not.
  EXPECT_EQ(modules.find("Server@ame").def, nullptr);
  EXPECT_EQ(modules.find("ServerName`").def, nullptr);
  EXPECT_EQ(modules.find("").def, nullptr);
  EXPECT_NE(modules.find("SERVERNAME").def, nullptr);
  EXPECT_NE(modules.find("<virtualhost").def, nullptr);
  EXPECT_NE(modules.find("<VIRTUALHOST").def, nullptr);
}

} // namespace
