// Apache's argument tokeniser. Behaviour verified against apache2 2.4.71 (see the table in
// shared/spec/apache-config-language.md §1.7 and parser/tests/words_test.cpp).
#include "parser/words.hpp"

#include <array>

namespace balancerd::parser {
namespace {

// C isspace() in the "C" locale; Apache uses apr_isspace which is the same set. A table: this
// runs for every character of every word of a config.
constexpr std::array<bool, 256> kSpace = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {' ', '\t', '\n', '\v', '\f', '\r'}) t[c] = true;
  return t;
}();

inline bool is_space(char c) {
  return kSpace[static_cast<unsigned char>(c)];
}

void skip_space(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  s.remove_prefix(i);
}

// Copies `raw`, turning "\\" into "\" and, inside quotes, "\Q" into "Q"; every other backslash
// stays literal.
std::string unescape(std::string_view raw, char quote) {
  // Most words have no backslash at all: one copy, no per-character appends.
  std::size_t first = raw.find('\\');
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

std::string quoted_word(std::string_view& line) {
  const char quote = line[0];
  std::size_t end = 1;
  // An escaped quote or an escaped backslash does not end the word.
  while (end < line.size() && line[end] != quote) {
    if (line[end] == '\\' && end + 1 < line.size() && (line[end + 1] == quote || line[end + 1] == '\\')) {
      end += 2;
    } else {
      ++end;
    }
  }
  if (end > line.size()) end = line.size();
  std::string word = unescape(line.substr(1, end - 1), quote);
  if (end < line.size()) ++end; // the closing quote ends the word even without a blank after it
  line.remove_prefix(end);
  skip_space(line);
  return word;
}

std::string plain_word(std::string_view& line) {
  std::size_t end = 0;
  while (end < line.size() && !is_space(line[end])) ++end;
  std::string word = unescape(line.substr(0, end), 0);
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
