// mod_mime's findings for a file name, as apache2 2.4.71 answered compat http-core mime-* (static
// files) and proxy resp-mime-* (proxied requests share the resolver).
#include "server/handlers/file_mime.hpp"

#include <gtest/gtest.h>

namespace balancerd::handlers {
namespace {

using K = directives::MimeMapping::Kind;

MimeTypes types() {
  MimeTypes m;
  m.add("html", "text/html");
  m.add("txt", "text/plain");
  m.add("gz", "application/gzip");
  return m;
}

void map(directives::DirConf& dir, K kind, std::string value, std::string ext, bool remove = false) {
  directives::MimeMapping m;
  m.kind = kind;
  m.value = std::move(value);
  m.extensions.push_back(std::move(ext));
  m.remove = remove;
  dir.mapping->mime.push_back(std::move(m));
}

directives::DirConf site() {
  directives::DirConf dir;
  map(dir, K::Encoding, "X-GZip", "gz");
  map(dir, K::Encoding, "br", "br");
  map(dir, K::Language, "en", "en");
  map(dir, K::Language, "de-DE", "de");
  map(dir, K::Charset, "utf-8", "utf8");
  return dir;
}

TEST(FileMime, ExtensionsInAnyOrder) {
  const auto m = types();
  const auto dir = site();
  FileMime out;
  resolve_file_mime("index.html.en.gz", m, &dir, out);
  EXPECT_EQ(out.type, "application/gzip"); // .gz has a type too, and it comes last
  EXPECT_EQ(out.encoding, "x-gzip");       // lower case, x-gzip kept as named
  EXPECT_EQ(out.languages, "en");
  resolve_file_mime("file.gz.html", m, &dir, out);
  EXPECT_EQ(out.type, "text/html");
  EXPECT_EQ(out.encoding, "x-gzip");
  resolve_file_mime("a.tar.gz.br", m, &dir, out);
  EXPECT_EQ(out.encoding, "x-gzip, br");
  resolve_file_mime("a.en.de.html", m, &dir, out);
  EXPECT_EQ(out.languages, "en,de-de");
  resolve_file_mime("A.TXT.EN.GZ.UTF8", m, &dir, out); // extensions match in any case
  EXPECT_EQ(out.type, "application/gzip; charset=utf-8");
  EXPECT_EQ(out.encoding, "x-gzip");
  EXPECT_EQ(out.languages, "en");
}

TEST(FileMime, UnknownExtensionsAndTheFirstSegment) {
  const auto m = types();
  auto dir = site();
  FileMime out;
  resolve_file_mime("a.unknown", m, &dir, out);
  EXPECT_EQ(out.type, "");
  EXPECT_EQ(out.languages, "");
  resolve_file_mime("en.txt", m, &dir, out); // the name itself is no extension
  EXPECT_EQ(out.languages, "");
  resolve_file_mime(".en", m, &dir, out); // leading dots belong to the name
  EXPECT_EQ(out.languages, "");
  resolve_file_mime("..en", m, &dir, out);
  EXPECT_EQ(out.languages, "");
  resolve_file_mime(".a.en", m, &dir, out);
  EXPECT_EQ(out.type, "");
  EXPECT_EQ(out.languages, "en");
  resolve_file_mime("a.utf8", m, &dir, out); // a charset without a type names nothing
  EXPECT_EQ(out.type, "");
  dir.mapping->default_language = "EN-gb";
  resolve_file_mime("noext", m, &dir, out);
  EXPECT_EQ(out.languages, "EN-gb"); // DefaultLanguage as written, only when no extension gave one
  resolve_file_mime("a.en.en", m, &dir, out);
  EXPECT_EQ(out.languages, "en,en");
}

TEST(FileMime, RemoveUndoesAnEnclosingAdd) {
  const auto m = types();
  auto dir = site();
  dir.mapping->default_language = "nl";
  map(dir, K::Type, "text/x-page", "html");
  map(dir, K::Encoding, "", "gz", true);
  map(dir, K::Language, "", "en", true);
  map(dir, K::Charset, "", "utf8", true);
  map(dir, K::Type, "", "html", true);
  FileMime out;
  resolve_file_mime("a.html.en.gz.utf8", m, &dir, out);
  EXPECT_EQ(out.type, "application/gzip");
  EXPECT_EQ(out.encoding, "");
  EXPECT_EQ(out.languages, "nl");
  resolve_file_mime("a.html", m, &dir, out); // RemoveType: no type, not even TypesConfig's
  EXPECT_EQ(out.type, "");
  map(dir, K::Type, "text/x-again", "html"); // until a later AddType
  resolve_file_mime("a.html", m, &dir, out);
  EXPECT_EQ(out.type, "text/x-again");
}

TEST(FileMime, ForceTypeKeepsEncodingAndLanguageButNoCharset) {
  const auto m = types();
  auto dir = site();
  dir.core->force_type = "text/x-forced";
  FileMime out;
  resolve_file_mime("a.txt.en.gz.utf8", m, &dir, out);
  EXPECT_EQ(out.type, "text/x-forced");
  EXPECT_EQ(out.encoding, "x-gzip");
  EXPECT_EQ(out.languages, "en");
  dir.core->force_type = "None";
  resolve_file_mime("a.txt", m, &dir, out);
  EXPECT_EQ(out.type, "text/plain");
}

TEST(FileMime, WithoutPerDirConfigOnlyTypesConfig) {
  const auto m = types();
  FileMime out;
  resolve_file_mime("a.html.gz", m, nullptr, out);
  EXPECT_EQ(out.type, "application/gzip");
  EXPECT_EQ(out.encoding, "");
  EXPECT_EQ(out.languages, "");
}

TEST(FileMime, CharsetRewritesTheTypesParameters) {
  std::string out;
  append_type_with_charset(out, "text/plain; charset=koi8-r", "");
  EXPECT_EQ(out, "text/plain; charset=koi8-r");
  out.clear();
  append_type_with_charset(out, "text/plain;format=flowed; charset=koi8-r;  x=y", "utf-8");
  EXPECT_EQ(out, "text/plain; format=flowed; charset=utf-8; x=y");
  out.clear();
  append_type_with_charset(out, "text/plain;format=flowed; charset=koi8-r;  x=y", "");
  EXPECT_EQ(out, "text/plain; format=flowed; charset=koi8-r; x=y");
  out.clear();
  append_type_with_charset(out, "text/plain;format=flowed", "utf-8");
  EXPECT_EQ(out, "text/plain; format=flowed; charset=utf-8");
  out.clear();
  append_type_with_charset(out, "text/html", "");
  EXPECT_EQ(out, "text/html");
}

TEST(FileMime, WithoutTheTypeEncodingsAndLanguagesStillApply) {
  const auto m = types();
  const auto dir = site();
  FileMime out;
  resolve_file_mime("a.html.en.gz", m, &dir, out, false);
  EXPECT_EQ(out.type, "");
  EXPECT_EQ(out.encoding, "x-gzip");
  EXPECT_EQ(out.languages, "en");
  resolve_file_mime("a.html.en.gz", m, &dir, out);
  EXPECT_EQ(out.type, "application/gzip"); // the last extension with a type
}

} // namespace
} // namespace balancerd::handlers
