// mod_autoindex rendering. Expected texts were produced by apache2 2.4.71 on the same directory
// (files with the fixed mtime 2024-01-02 03:04:05 UTC; the test runs with TZ=UTC).
#include "server/handlers/autoindex.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <utime.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace balancerd::handlers {
namespace {

namespace d = directives;

class Autoindex : public ::testing::Test {
protected:
  Autoindex() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    char tmpl[] = "/tmp/bd-autoindex-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    write("one.txt", "1\n");
    write("two.html", "<p>2</p>\n");
    write("big.bin", std::string(5000, '\0'));
    write("file10.txt", "v\n");
    write("file9.txt", "v\n");
    write(".hidden", "y\n");
    std::filesystem::create_directory(root_ + "/sub");
    stamp("sub");
  }
  ~Autoindex() override { std::filesystem::remove_all(root_); }
  void write(const std::string& name, const std::string& data) {
    std::ofstream(root_ + "/" + name, std::ios::binary) << data;
    stamp(name);
  }
  void stamp(const std::string& name) {
    struct utimbuf t {
      1704164645, 1704164645
    }; // 2024-01-02 03:04:05 UTC
    ::utime((root_ + "/" + name).c_str(), &t);
  }
  AutoindexPage render(std::string_view query = {}) {
    AutoindexRequest rq;
    rq.uri = "/list/";
    rq.query = query;
    dir_ = root_ + "/";
    rq.dir_path = dir_;
    rq.conf = &conf;
    rq.content_type = [](std::string_view name) {
      if (name.ends_with(".txt")) return std::string("text/plain");
      if (name.ends_with(".html")) return std::string("text/html");
      return std::string();
    };
    return render_autoindex(rq);
  }
  std::string root_, dir_;
  d::AutoindexDirConf conf;
};

TEST(AutoindexSizes, AprStyle) {
  EXPECT_EQ(format_size(-1), "  - ");
  EXPECT_EQ(format_size(2), "  2 ");
  EXPECT_EQ(format_size(972), "972 ");
  EXPECT_EQ(format_size(973), "1.0K");
  EXPECT_EQ(format_size(5000), "4.9K");
  EXPECT_EQ(format_size(10 * 1024), " 10K");
  EXPECT_EQ(format_size(1536 * 1024), "1.5M");
  EXPECT_EQ(format_size(700LL * 1024 * 1024 * 1024), "700G");
}

TEST(AutoindexSizes, NaturalOrder) {
  EXPECT_LT(natural_compare("file9.txt", "file10.txt", false), 0);
  EXPECT_GT(natural_compare("file10", "file9", false), 0);
  EXPECT_LT(natural_compare("a01", "a1", false), 0);
  EXPECT_EQ(natural_compare("ABC", "abc", true), 0);
  EXPECT_NE(natural_compare("ABC", "abc", false), 0);
}

TEST_F(Autoindex, PlainList) {
  auto p = render();
  EXPECT_EQ(p.content_type, "text/html;charset=ISO-8859-1");
  EXPECT_EQ(p.body,
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
            "<html>\n <head>\n  <title>Index of /list</title>\n </head>\n <body>\n<h1>Index of /list</h1>\n"
            "<ul><li><a href=\"/\"> Parent Directory</a></li>\n"
            "<li><a href=\".hidden\"> .hidden</a></li>\n"
            "<li><a href=\"big.bin\"> big.bin</a></li>\n"
            "<li><a href=\"file10.txt\"> file10.txt</a></li>\n"
            "<li><a href=\"file9.txt\"> file9.txt</a></li>\n"
            "<li><a href=\"one.txt\"> one.txt</a></li>\n"
            "<li><a href=\"sub/\"> sub/</a></li>\n"
            "<li><a href=\"two.html\"> two.html</a></li>\n"
            "</ul>\n</body></html>\n");
}

TEST_F(Autoindex, DebianTableSortedBySizeDescending) {
  conf.opts = d::kIndexFancy | d::kIndexVersionSort | d::kIndexHtmlTable;
  conf.name_width = -1;
  conf.desc_width = -1;
  conf.charset = "UTF-8";
  conf.icons = {{d::AutoindexItem::Kind::Type, "text/*", "/icons/text.gif"},
                {d::AutoindexItem::Kind::Name, ".bin", "/icons/binary.gif"},
                {d::AutoindexItem::Kind::Name, "..", "/icons/back.gif"},
                {d::AutoindexItem::Kind::Name, "^^DIRECTORY^^", "/icons/folder.gif"},
                {d::AutoindexItem::Kind::Name, "^^BLANKICON^^", "/icons/blank.gif"}};
  conf.alts = {{d::AutoindexItem::Kind::Type, "text/*", "TXT"}};
  conf.ignore = {".??*"};
  auto p = render("C=S;O=D");
  EXPECT_EQ(p.content_type, "text/html;charset=UTF-8");
  const std::string rows =
      "<tr><td valign=\"top\"><img src=\"/icons/back.gif\" alt=\"[PARENTDIR]\"></td><td><a href=\"/\">Parent "
      "Directory</a></td><td>&nbsp;</td><td align=\"right\">  - </td><td>&nbsp;</td></tr>\n"
      "<tr><td valign=\"top\"><img src=\"/icons/binary.gif\" alt=\"[   ]\"></td><td><a "
      "href=\"big.bin\">big.bin</a></td><td align=\"right\">2024-01-02 03:04  </td><td "
      "align=\"right\">4.9K</td><td>&nbsp;</td></tr>\n"
      "<tr><td valign=\"top\"><img src=\"/icons/text.gif\" alt=\"[TXT]\"></td><td><a "
      "href=\"two.html\">two.html</a></td><td align=\"right\">2024-01-02 03:04  </td><td align=\"right\">  9 "
      "</td><td>&nbsp;</td></tr>\n"
      "<tr><td valign=\"top\"><img src=\"/icons/text.gif\" alt=\"[TXT]\"></td><td><a "
      "href=\"one.txt\">one.txt</a></td><td align=\"right\">2024-01-02 03:04  </td><td align=\"right\">  2 "
      "</td><td>&nbsp;</td></tr>\n"
      "<tr><td valign=\"top\"><img src=\"/icons/text.gif\" alt=\"[TXT]\"></td><td><a "
      "href=\"file10.txt\">file10.txt</a></td><td align=\"right\">2024-01-02 03:04  </td><td "
      "align=\"right\">  2 "
      "</td><td>&nbsp;</td></tr>\n";
  EXPECT_NE(
      p.body.find("<th><a href=\"?C=N;O=A\">Name</a></th><th><a href=\"?C=M;O=A\">Last modified</a></th>"
                  "<th><a href=\"?C=S;O=A\">Size</a></th>"),
      std::string::npos)
      << p.body;
  EXPECT_NE(p.body.find(rows), std::string::npos) << p.body;
  EXPECT_EQ(p.body.find(".hidden"), std::string::npos);
}

TEST_F(Autoindex, PreformattedWithDescriptionsAndPattern) {
  conf.opts = d::kIndexFancy;
  conf.default_icon = "/icons/unknown.gif";
  conf.icons = {{d::AutoindexItem::Kind::Name, ".txt", "/icons/text.gif"}};
  conf.alts = {{d::AutoindexItem::Kind::Name, "*.txt", "Text!"}};
  conf.descriptions = {{d::AutoindexItem::Kind::Name, "one.txt", "A text file"}};
  auto p = render("C=M;O=A;F=1;V=0;P=*.txt");
  EXPECT_NE(p.body.find("<pre>      <a href=\"?C=N;O=A;F=1;V=0;P=*.txt\">Name</a>                    <a "
                        "href=\"?C=M;O=D;F=1;V=0;P=*.txt\">Last modified</a>      <a "
                        "href=\"?C=S;O=A;F=1;V=0;P=*.txt\">Size</a>  <a "
                        "href=\"?C=D;O=A;F=1;V=0;P=*.txt\">Description</a><hr>"),
            std::string::npos)
      << p.body;
  EXPECT_NE(p.body.find(
                "<img src=\"/icons/text.gif\" alt=\"[Text!]\"> <a href=\"one.txt\">one.txt</a>              "
                "   2024-01-02 03:04    2   A text file\n"),
            std::string::npos)
      << p.body;
  EXPECT_EQ(p.body.find("big.bin"), std::string::npos); // P= filter
}

TEST_F(Autoindex, UnreadableDirectoryIs403) {
  AutoindexRequest rq;
  rq.uri = "/x/";
  rq.dir_path = "/nonexistent-dir-for-autoindex/";
  EXPECT_EQ(render_autoindex(rq).status, 403);
}

} // namespace
} // namespace balancerd::handlers
