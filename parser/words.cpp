// Apache's argument tokeniser. Behaviour verified against apache2 2.4.71 (see the table in
// shared/spec/apache-config-language.md §1.7 and parser/tests/words_test.cpp).
#include "parser/words.hpp"

#include <array>

namespace balancerd::parser {
namespace {

// Character classes of the word scanner. Space is C isspace() in the "C" locale (Apache uses
// apr_isspace, the same set); a backslash is the only character that can make a word's text differ
// from its bytes. One table lookup per character: this runs for every character of every word.
enum : unsigned char { kOther = 0, kSpaceChar = 1, kBackslash = 2 };
constexpr std::array<unsigned char, 256> kClass = [] {
  std::array<unsigned char, 256> t{};
  for (unsigned char c : {' ', '\t', '\n', '\v', '\f', '\r'}) t[c] = kSpaceChar;
  t[static_cast<unsigned char>('\\')] = kBackslash;
  return t;
}();

inline bool is_space(char c) {
  return kClass[static_cast<unsigned char>(c)] == kSpaceChar;
}

void skip_space(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  s.remove_prefix(i);
}

// Copies `raw`, turning "\\" into "\" and, inside quotes, "\Q" into "Q"; every other backslash
// stays literal. `first` is the position of the first backslash (npos: none, a plain copy).
std::string unescape(std::string_view raw, char quote, std::size_t first) {
  if (first == std::string_view::npos) return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  out.append(raw.substr(0, first));
  for (std::size_t i = first; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '\\' || (quote != 0 && raw[i + 1] == quote))) {
      out.push_back(raw[++i]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string unescape(std::string_view raw, char quote) {
  return unescape(raw, quote, raw.find('\\'));
}

std::string quoted_word(std::string_view& line) {
  const char quote = line[0];
  std::size_t end = 1;
  std::size_t first_backslash = std::string_view::npos;
  // An escaped quote or an escaped backslash does not end the word.
  while (end < line.size() && line[end] != quote) {
    if (line[end] == '\\') {
      if (first_backslash == std::string_view::npos) first_backslash = end - 1;
      if (end + 1 < line.size() && (line[end + 1] == quote || line[end + 1] == '\\')) {
        end += 2;
        continue;
      }
    }
    ++end;
  }
  if (end > line.size()) end = line.size();
  std::string word = unescape(line.substr(1, end - 1), quote, first_backslash);
  if (end < line.size()) ++end; // the closing quote ends the word even without a blank after it
  line.remove_prefix(end);
  skip_space(line);
  return word;
}

std::string plain_word(std::string_view& line) {
  std::size_t end = 0;
  std::size_t first_backslash = std::string_view::npos;
  for (; end < line.size(); ++end) {
    const unsigned char k = kClass[static_cast<unsigned char>(line[end])];
    if (k == kOther) continue;
    if (k == kSpaceChar) break;
    if (first_backslash == std::string_view::npos) first_backslash = end;
  }
  std::string word = unescape(line.substr(0, end), 0, first_backslash);
  line.remove_prefix(end);
  skip_space(line);
  return word;
}

std::string braced_word(std::string_view& line) {
  std::size_t end = 1;
  int depth = 1;
  while (end < line.size()) {
    if (line[end] == '}' && --depth == 0) break;
    if (line[end] == '{') ++depth;
    if (line[end] == '\\' && end + 1 < line.size() && line[end + 1] == '\\') ++end;
    ++end;
  }
  if (end > line.size()) end = line.size();
  std::string word = unescape(line.substr(1, end - 1), 0);
  if (end < line.size()) ++end;
  line.remove_prefix(end);
  skip_space(line);
  return word;
}

} // namespace

std::string next_word(std::string_view& line) {
  skip_space(line);
  if (line.empty()) return {};
  if (line[0] == '"' || line[0] == '\'') return quoted_word(line);
  return plain_word(line);
}

std::string next_word_braced(std::string_view& line) {
  skip_space(line);
  if (line.empty()) return {};
  if (line[0] == '{') return braced_word(line);
  return next_word(line);
}

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  skip_space(line);
  while (!line.empty()) words.push_back(next_word(line));
  return words;
}

} // namespace balancerd::parser
