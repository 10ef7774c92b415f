// The field-name classifier the response path relies on: exact ASCII case-insensitive equality, so a
// name is recognised in any case but never by a byte that only looks alike once 0x20 is or-ed in.
#include "server/backend/response_field.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <utility>

using balancerd::backend::classify_response_field;
using balancerd::backend::is_response_hop;
using balancerd::backend::ResponseField;

TEST(ResponseFieldName, EveryKnownNameInAnyCase) {
  const std::pair<const char*, ResponseField> names[] = {
      {"Connection", ResponseField::Connection},
      {"Keep-Alive", ResponseField::KeepAlive},
      {"Proxy-Connection", ResponseField::ProxyConnection},
      {"Proxy-Authenticate", ResponseField::ProxyAuthenticate},
      {"TE", ResponseField::TE},
      {"Trailer", ResponseField::Trailer},
      {"Upgrade", ResponseField::Upgrade},
      {"Transfer-Encoding", ResponseField::TransferEncoding},
      {"Content-Length", ResponseField::ContentLength},
      {"Date", ResponseField::Date},
      {"Server", ResponseField::Server},
      {"Content-Type", ResponseField::ContentType},
      {"Location", ResponseField::Location},
      {"Content-Location", ResponseField::ContentLocation},
      {"URI", ResponseField::Uri},
      {"Set-Cookie", ResponseField::SetCookie},
      {"Set-Cookie2", ResponseField::SetCookie2},
  };
  for (const auto& [name, kind] : names) {
    std::string n = name;
    EXPECT_EQ(classify_response_field(n), kind) << n;
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(classify_response_field(n), kind) << n;
    for (auto& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(classify_response_field(n), kind) << n;
    // Every single byte changed makes it another name.
    for (std::size_t i = 0; i < n.size(); ++i) {
      std::string m = name;
      m[i] = m[i] == 'x' ? 'y' : 'x';
      if (m == name) continue;
      EXPECT_EQ(classify_response_field(m), ResponseField::Other) << m;
    }
  }
}

TEST(ResponseFieldName, LookAlikeBytesAreOtherNames) {
  // '\r' | 0x20 == '-', '@' | 0x20 == '`', '[' | 0x20 == '{': none of them may match.
  EXPECT_EQ(classify_response_field("Content\rLength"), ResponseField::Other);
  EXPECT_EQ(classify_response_field("Keep\rAlive"), ResponseField::Other);
  EXPECT_EQ(classify_response_field("Content-Lengt\x08"), ResponseField::Other);
  EXPECT_EQ(classify_response_field("Set\rCookie"), ResponseField::Other);
  EXPECT_EQ(classify_response_field("T\x05"), ResponseField::Other);
  EXPECT_EQ(classify_response_field("UR\x09"), ResponseField::Other);
  EXPECT_EQ(classify_response_field("Dat\x05"), ResponseField::Other);
  EXPECT_EQ(classify_response_field(""), ResponseField::Other);
  EXPECT_EQ(classify_response_field("Content-Length "), ResponseField::Other);
  EXPECT_EQ(classify_response_field("X-Content-Length"), ResponseField::Other);
}

TEST(ResponseFieldName, HopByHopSet) {
  EXPECT_TRUE(is_response_hop(ResponseField::Connection, false));
  EXPECT_TRUE(is_response_hop(ResponseField::Date, false));
  EXPECT_TRUE(is_response_hop(ResponseField::Server, true));
  EXPECT_TRUE(is_response_hop(ResponseField::Upgrade, false));
  EXPECT_FALSE(is_response_hop(ResponseField::Upgrade, true));
  EXPECT_FALSE(is_response_hop(ResponseField::Other, false));
  EXPECT_FALSE(is_response_hop(ResponseField::ContentType, false));
  EXPECT_FALSE(is_response_hop(ResponseField::Location, false));
  EXPECT_FALSE(is_response_hop(ResponseField::SetCookie2, false));
}
