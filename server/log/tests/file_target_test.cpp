// The file target of error logs (spdlog's file sink underneath): whole lines under concurrent
// writers, rotation by reopen(), and the descriptor's flags and mode as our own open(2) had them.
#include "server/log/file_target.hpp"
#include "server/log/tests/log_test_files.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace balancerd::log {
namespace {

using test_files::slurp;
using test_files::TempDir;

// Line `seq` of writer `id`: every 4th is longer than any stdio buffer (a buffered FILE would
// hand it to the kernel in pieces, which another writer's line could then split).
std::string make_line(int id, int seq) {
  const std::size_t filler = seq % 4 == 0 ? 20000 : 40 + static_cast<std::size_t>(seq % 97);
  return "w" + std::to_string(id) + " " + std::to_string(seq) + " " +
         std::string(filler, static_cast<char>('a' + id)) + "\n";
}

// Checks that `text` holds exactly the lines of `writers` writers x `per_writer` lines, each whole
// and each writer's in its own order.
void expect_whole_lines(const std::string& text, int writers, int per_writer) {
  std::map<int, int> next; // writer -> next expected seq
  std::size_t pos = 0;
  int lines = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    ASSERT_NE(nl, std::string::npos) << "last line not terminated";
    const std::string line = text.substr(pos, nl + 1 - pos);
    pos = nl + 1;
    int id = -1;
    int seq = -1;
    ASSERT_EQ(std::sscanf(line.c_str(), "w%d %d ", &id, &seq), 2) << "torn line at " << lines;
    ASSERT_TRUE(id >= 0 && id < writers);
    ASSERT_EQ(seq, next[id]) << "writer " << id << " out of order or lost";
    ASSERT_EQ(line, make_line(id, seq)) << "line " << lines << " is not whole";
    ++next[id];
    ++lines;
  }
  EXPECT_EQ(lines, writers * per_writer);
}

constexpr int kLines = 1500;

TEST(FileTarget, TwoThreadsOneTargetWriteWholeLines) {
  TempDir d("bd-filetarget");
  FileTarget f(d.path("error.log"), LogKind::Error);
  std::vector<std::thread> threads;
  for (int id = 0; id < 2; ++id)
    threads.emplace_back([&f, id] {
      for (int i = 0; i < kLines; ++i) f.write(make_line(id, i), 7);
    });
  for (auto& t : threads) t.join();
  expect_whole_lines(slurp(d.path("error.log")), 2, kLines);
}

// Two targets on one file stand for two processes (or a generation still draining after a
// reload): nothing serialises them but O_APPEND and one write(2) per line.
TEST(FileTarget, TwoTargetsOnOneFileWriteWholeLines) {
  TempDir d("bd-filetarget");
  FileTarget a(d.path("error.log"), LogKind::Error);
  FileTarget b(d.path("error.log"), LogKind::Error);
  std::thread ta([&a] {
    for (int i = 0; i < kLines; ++i) a.write(make_line(0, i), 3);
  });
  std::thread tb([&b] {
    for (int i = 0; i < kLines; ++i) b.write(make_line(1, i), 3);
  });
  ta.join();
  tb.join();
  expect_whole_lines(slurp(d.path("error.log")), 2, kLines);
}

TEST(FileTarget, EachLineIsOnDiskWhenWriteReturns) {
  TempDir d("bd-filetarget");
  std::ofstream(d.path("error.log")) << "old\n";
  FileTarget f(d.path("error.log"), LogKind::Error);
  f.write("[x] one\n", 3);
  EXPECT_EQ(slurp(d.path("error.log")), "old\n[x] one\n"); // nothing added, nothing buffered
  f.write("two\nthree\n", 3);
  EXPECT_EQ(slurp(d.path("error.log")), "old\n[x] one\ntwo\nthree\n");
}

TEST(FileTarget, ReopenSendsNewLinesToTheNewFile) {
  TempDir d("bd-filetarget");
  FileTarget f(d.path("error.log"), LogKind::Error);
  f.write("first\n", 3);
  std::filesystem::rename(d.path("error.log"), d.path("error.log.1"));
  f.write("rotated away\n", 3);
  f.reopen();
  f.write("second\n", 3);
  std::filesystem::rename(d.path("error.log"), d.path("error.log.2"));
  f.reopen();
  f.write("third\n", 3);
  EXPECT_EQ(slurp(d.path("error.log.1")), "first\nrotated away\n");
  EXPECT_EQ(slurp(d.path("error.log.2")), "second\n");
  EXPECT_EQ(slurp(d.path("error.log")), "third\n");
}

TEST(FileTarget, FailedReopenKeepsTheOldFile) {
  TempDir d("bd-filetarget");
  std::filesystem::create_directory(d.path("logs"));
  FileTarget f(d.path("logs/error.log"), LogKind::Error);
  f.write("before\n", 3);
  std::filesystem::rename(d.path("logs"), d.path("moved"));
  try {
    f.reopen();
    FAIL() << "reopen in a missing directory must fail";
  } catch (const LogOpenError& e) {
    EXPECT_EQ(std::string(e.what()),
              "(2)No such file or directory: AH00091: balancerd: could not open error log file " +
                  d.path("logs/error.log") + ".");
  }
  // Apache does not create log directories: neither may the sink.
  EXPECT_FALSE(std::filesystem::exists(d.path("logs")));
  f.write("after\n", 3);
  EXPECT_EQ(slurp(d.path("moved/error.log")), "before\nafter\n");
}

// The descriptor on `path` in this process: its /proc/self/fdinfo flags (octal).
long open_flags_of(const std::string& path) {
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(e.path(), ec) != path) continue;
    std::ifstream info("/proc/self/fdinfo/" + e.path().filename().string());
    std::string key;
    while (info >> key)
      if (key == "flags:") {
        std::string octal;
        info >> octal;
        return std::stol(octal, nullptr, 8);
      }
  }
  return -1;
}

TEST(FileTarget, FileIsAppendCloexecAndCreatedWithApacheMode) {
  TempDir d("bd-filetarget");
  const mode_t old = ::umask(0);
  {
    FileTarget f(d.path("error.log"), LogKind::Error);
    const long flags = open_flags_of(d.path("error.log"));
    ASSERT_NE(flags, -1) << "no descriptor open on the file";
    EXPECT_TRUE(flags & O_APPEND);
    EXPECT_TRUE(flags & O_CLOEXEC);
    EXPECT_EQ(flags & O_ACCMODE, O_WRONLY);
  }
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(d.path("error.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u); // open(2)'s 0666 as apr_file_open, not spdlog's 0644
}

TEST(FileTarget, AccessLogsStayOnTheirOwnDescriptor) {
  TempDir d("bd-filetarget");
  FileTarget f(d.path("access.log"), LogKind::Access);
  f.write("a\n");
  std::filesystem::rename(d.path("access.log"), d.path("access.log.1"));
  f.reopen();
  f.write("b\n");
  EXPECT_EQ(slurp(d.path("access.log.1")), "a\n");
  EXPECT_EQ(slurp(d.path("access.log")), "b\n");
}

} // namespace
} // namespace balancerd::log
