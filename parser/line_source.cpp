// The physical-line / continuation layer as a PEGTL grammar. One parse call per logical line, so
// reading stays lazy (an error later in a file never hides one earlier, as in Apache).
#include "parser/line_source.hpp"

#include <tao/pegtl.hpp>

namespace balancerd::parser {
namespace {

namespace pegtl = tao::pegtl;

// One physical line: ordinary bytes, then LF or end of input. Apache reads lines as C strings, so
// a NUL hides the rest of its physical line. Continuation is decided afterwards on the joined
// buffer (see LineSource::next), because that is what Apache looks at.
struct text : pegtl::plus<pegtl::not_one<'\n', '\0'>> {};
struct nul_tail : pegtl::seq<pegtl::one<'\0'>, pegtl::star<pegtl::not_one<'\n'>>> {};
struct lf : pegtl::one<'\n'> {};
struct physical_line : pegtl::seq<pegtl::star<pegtl::sor<text, nul_tail>>, pegtl::sor<lf, pegtl::eof>> {};

struct State {
  std::string& buffer;
  unsigned line;
  std::size_t max;
  bool too_long = false;
  unsigned too_long_line = 0;
  bool saw_lf = false;
  bool saw_nul = false; // a line cut short by a NUL never continues

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

template <> struct action<nul_tail> {
  template <typename Input> static void apply(const Input&, State& s) { s.saw_nul = true; }
};

template <> struct action<lf> {
  template <typename Input> static void apply(const Input&, State& s) { s.saw_lf = true; }
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
    State state{buffer_, line_, max_line_};
    // A physical line ending in "\" (or "\" CR) continues on the next one. The test is on the
    // joined buffer, as in Apache: an empty line after a continuation whose text itself ends in a
    // backslash continues again.
    while (true) {
      state.line = ++line_;
      state.saw_lf = false;
      state.saw_nul = false;
      pegtl::memory_input<pegtl::tracking_mode::lazy, pegtl::eol::lf> in(data_.data() + pos_,
                                                                         data_.data() + data_.size(), "");
      pegtl::parse<physical_line, action>(in, state); // cannot fail: every byte matches something
      pos_ = static_cast<std::size_t>(in.current() - data_.data());
      if (!state.saw_lf || state.saw_nul || state.too_long) break;
      if (buffer_.size() >= 2 && buffer_.back() == '\r' && buffer_[buffer_.size() - 2] == '\\')
        buffer_.pop_back();
      if (buffer_.empty() || buffer_.back() != '\\') break;
      buffer_.pop_back();
      if (pos_ >= data_.size()) break;
    }
    if (state.too_long) {
      // Reading ends here: the caller reports the error.
      out.text = {};
      out.line = state.too_long_line;
      out.too_long = true;
      return true;
    }
    std::string_view t = buffer_;
    while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
    while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
    if ((t.empty() || t.front() == '#') && !keep_all_) continue;
    out.text = t;
    out.line = line_;
    out.too_long = false;
    return true;
  }
  return false;
}

} // namespace balancerd::parser
