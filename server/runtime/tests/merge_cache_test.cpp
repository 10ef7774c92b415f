// The per-thread merge cache: the last key found is answered without hashing, and never after the
// cache was emptied under it.
#include <gtest/gtest.h>

#include <memory>

#include "server/runtime/merge_cache.hpp"

namespace balancerd::runtime {
namespace {

MergeCache::Value conf() {
  return std::make_shared<const directives::DirConf>();
}

TEST(MergeCacheMemo, RepeatedKeyHitsTheSameEntry) {
  MergeCache c;
  const MergeCache::Key a{1, 4}, b{1, 5};
  const auto va = conf(), vb = conf();
  c.insert(a, va, 8);
  c.insert(b, vb, 8);
  ASSERT_NE(c.find(a), nullptr);
  EXPECT_EQ(*c.find(a), va); // the remembered key
  EXPECT_EQ(*c.find(b), vb); // another key replaces it
  EXPECT_EQ(*c.find(a), va);
  EXPECT_EQ(c.find(MergeCache::Key{1}), nullptr); // a prefix is another key
  EXPECT_EQ(c.hits, 4u);
  EXPECT_EQ(c.misses, 1u);
}

TEST(MergeCacheMemo, ForgottenWhenTheCacheIsEmptied) {
  MergeCache c;
  const MergeCache::Key a{2, 7}, b{2, 8};
  c.insert(a, conf(), 1);
  ASSERT_NE(c.find(a), nullptr); // remembered
  c.insert(b, conf(), 1);        // full: emptied first, then b
  EXPECT_EQ(c.find(a), nullptr);
  EXPECT_NE(c.find(b), nullptr);
  EXPECT_EQ(c.size(), 1u);
}

} // namespace
} // namespace balancerd::runtime
