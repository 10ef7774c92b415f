// mod_mime's Remove* as apache2 2.4.71 applies them (compat http-core mime-remove-*): RemoveType
// marks the extension typeless where it stands; the other Remove* act when their section is merged,
// after all of the section's Add*, and not at all at the main server's own level.
#include <gtest/gtest.h>

#include "directives/tests/http_test_support.hpp"

namespace balancerd::directives {
namespace {

using K = MimeMapping::Kind;

std::shared_ptr<const Config> ok(const std::string& text) {
  auto c = http_test::compile_text(text);
  EXPECT_EQ(c.error, "");
  return c.config;
}

TEST(HttpMimeModel, SectionRemovesComeAfterTheSectionsAdds) {
  auto c = ok("<Location /x>\n"
              "  RemoveEncoding .zz\n"
              "  AddEncoding x-zz .zz\n"
              "  RemoveType .foo\n"
              "  AddType text/x-a .foo\n"
              "</Location>\n");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->main.sections.size(), 1u);
  const auto& mime = c->main.sections[0].conf.mapping->mime;
  ASSERT_EQ(mime.size(), 4u);
  EXPECT_EQ(mime[0].kind, K::Encoding);
  EXPECT_FALSE(mime[0].remove); // the AddEncoding moved before the RemoveEncoding
  EXPECT_EQ(mime[1].kind, K::Encoding);
  EXPECT_TRUE(mime[1].remove);
  EXPECT_EQ(mime[2].kind, K::Type); // RemoveType and AddType stay in the order written
  EXPECT_TRUE(mime[2].remove);
  EXPECT_EQ(mime[3].kind, K::Type);
  EXPECT_FALSE(mime[3].remove);
}

TEST(HttpMimeModel, MainServerLevelRemovesOtherThanTypeDoNothing) {
  auto c = ok("AddLanguage en .en\n"
              "RemoveLanguage .en\n"
              "RemoveType .txt\n"
              "<VirtualHost *:80>\n"
              "  RemoveLanguage .en\n"
              "</VirtualHost>\n");
  ASSERT_TRUE(c);
  const auto& mime = c->main.dir.mapping->mime;
  ASSERT_EQ(mime.size(), 2u);
  EXPECT_EQ(mime[0].kind, K::Language);
  EXPECT_EQ(mime[1].kind, K::Type);
  EXPECT_TRUE(mime[1].remove);
  ASSERT_EQ(c->vhosts.size(), 1u);
  const auto& vmime = c->vhosts[0].dir.mapping->mime;
  ASSERT_EQ(vmime.size(), 1u);
  EXPECT_TRUE(vmime[0].remove); // a vhost's level is merged onto the main server's
}

} // namespace
} // namespace balancerd::directives
