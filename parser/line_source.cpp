// The physical-line / continuation layer as a PEGTL grammar. One parse call per logical line, so
// reading stays lazy (an error later in a file never hides one earlier, as in Apache).
#include "parser/line_source.hpp"

#include <tao/pegtl.hpp>

namespace balancerd::parser {
namespace {

namespace pegtl = tao::pegtl;

// "\" LF or "\" CR LF: join with the next physical line.
struct continuation : pegtl::seq<pegtl::one<'\\'>, pegtl::opt<pegtl::one<'\r'>>, pegtl::one<'\n'>> {};
// Ordinary bytes.
struct text : pegtl::plus<pegtl::not_one<'\\', '\n', '\0'>> {};
// A backslash that is not a continuation is an ordinary character.
struct lone_backslash : pegtl::one<'\\'> {};
// Apache reads lines as C strings: a NUL hides the rest of its physical line.
struct nul_tail : pegtl::seq<pegtl::one<'\0'>, pegtl::star<pegtl::not_one<'\n'>>> {};
struct line_end : pegtl::sor<pegtl::one<'\n'>, pegtl::eof> {};
struct logical_line
    : pegtl::seq<pegtl::star<pegtl::sor<continuation, text, nul_tail, lone_backslash>>, line_end> {};

struct State {
  std::string& buffer;
  unsigned& line;
  std::size_t max;
  bool too_long = false;
  unsigned too_long_line = 0;

  void append(const char* b, std::size_t n) {
    if (too_long) return;
    if (buffer.size() + n > max) {
      too_long = true;
      too_long_line = line;
      return;
    }
    buffer.append(b, n);
  }
};

template <typename Rule> struct action : pegtl::nothing<Rule> {};

template <> struct action<text> {
  template <typename Input> static void apply(const Input& in, State& s) { s.append(in.begin(), in.size()); }
};

template <> struct action<lone_backslash> {
  template <typename Input> static void apply(const Input& in, State& s) { s.append(in.begin(), in.size()); }
};

template <> struct action<continuation> {
  template <typename Input> static void apply(const Input&, State& s) { ++s.line; }
};

constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

} // namespace

LineSource::LineSource(std::string contents, std::size_t max_line)
    : data_(std::move(contents)), max_line_(max_line) {}

bool LineSource::next(LogicalLine& out) {
  while (pos_ < data_.size()) {
    buffer_.clear();
    ++line_;
    State state{buffer_, line_, max_line_};
    pegtl::memory_input<pegtl::tracking_mode::lazy, pegtl::eol::lf> in(data_.data() + pos_,
                                                                       data_.data() + data_.size(), "");
    pegtl::parse<logical_line, action>(in, state); // cannot fail: every byte matches something
    pos_ = static_cast<std::size_t>(in.current() - data_.data());
    if (state.too_long) {
      out.text = {};
      out.line = state.too_long_line;
      out.too_long = true;
      return true;
    }
    std::string_view t = buffer_;
    while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
    while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
    if (t.empty() || t.front() == '#') continue;
    out.text = t;
    out.line = line_;
    out.too_long = false;
    return true;
  }
  return false;
}

} // namespace balancerd::parser
