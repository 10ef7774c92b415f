#pragma once
// Apache's argument tokeniser (ap_getword_conf): quoting, escapes, and the empty word.
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::parser {

// Takes the next word from `line` and advances it past the word and following blanks. An empty
// result with an empty `line` means there are no more words; "" in quotes also yields an empty word.
std::string next_word(std::string_view& line);
// Like next_word, plus a word starting with '{' runs to the matching '}' (ap_getword_conf2).
std::string next_word_braced(std::string_view& line);
// All words of a line.
std::vector<std::string> split_words(std::string_view line);

} // namespace balancerd::parser
