// The read ("build") pass: Apache's ap_build_config behaviour, reproduced from black-box runs of
// apache2 2.4.71 (expected texts live in parser/tests/). Lines are processed by an explicit frame
// stack instead of recursion, so deep nesting or long include chains cannot exhaust the C++ stack.
#include "parser/config_reader.hpp"

#include "parser/ascii_case.hpp"
#include "parser/include_paths.hpp"
#include "parser/line_source.hpp"
#include "parser/log_escape.hpp"
#include "parser/macro.hpp"
#include "parser/variables.hpp"
#include "parser/version_condition.hpp"
#include "parser/words.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <variant>

namespace balancerd::parser {
namespace {

constexpr unsigned kMaxIncludeDepth = 128;
constexpr const char* kCmdlineFile = "-c/-C directives";

// Internal failure carrying Apache's message and, when it is not the current line, the line the
// "Syntax error on line" prefix must name.
struct Failure {
  std::string message;
  std::optional<unsigned> line;
};

[[noreturn]] void fail(std::string message, std::optional<unsigned> line = std::nullopt) {
  throw Failure{std::move(message), line};
}

// A macro Use being read: its lines come before the rest of the file (see parser/macro.hpp).
struct Expansion {
  std::shared_ptr<const std::string> file; // "macro 'x' (defined on ...) used on line N of \"F\""
  std::vector<ExpandedLine> lines;
  std::size_t pos = 0;
  unsigned line = 0;
  std::string macro;
};

// One file being read (or the -C/-c pseudo file), with the macro expansions inserted into it.
struct Source {
  std::unique_ptr<LineSource> lines;
  std::shared_ptr<const std::string> file;
  unsigned depth = 0;               // include depth
  unsigned last_directive_line = 0; // last read-time directive; a read error names it
  bool cmdline = false;
  std::vector<Expansion> expansions; // innermost last

  bool next(LogicalLine& out) {
    while (!expansions.empty()) {
      Expansion& e = expansions.back();
      while (e.pos < e.lines.size()) {
        const ExpandedLine& l = e.lines[e.pos++];
        e.line = l.line;
        std::string_view t = l.text;
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
        if (t.empty() || t.front() == '#') continue; // a value may have made it a comment
        out.text = t;
        out.line = l.line;
        out.too_long = false;
        return true;
      }
      expansions.pop_back();
    }
    return lines->next(out);
  }
  unsigned current_line() const {
    return expansions.empty() ? lines->current_line() : expansions.back().line;
  }
  const std::shared_ptr<const std::string>& current_file() const {
    return expansions.empty() ? file : expansions.back().file;
  }
};

// A section whose closing tag has not been read yet. Its children gather on the reader's scratch
// stack from index `first` on and move into an exactly sized vector when it closes: growing each
// section's own vector moved its nodes several times and left spare capacity in every one.
struct OpenSection {
  Node node;
  std::size_t first = 0;
};

// A frame reads lines from a source into a container. File frames own their source and check
// section nesting for that file; conditional frames (a true <If*> body) share the source of the
// frame below and have a nesting stack of their own, as Apache's nested build does.
struct Frame {
  enum class Kind { File, Cond } kind = Kind::File;
  std::unique_ptr<Source> owned; // File frames, once opened
  Source* src = nullptr;
  // Where this frame's top-level nodes go; nullptr: into the innermost open section of a frame
  // below (that is, onto the scratch stack).
  std::vector<Node>* out = nullptr;
  std::vector<OpenSection> open; // open sections, outermost first
  std::string terminator;        // Cond: "IfModule>" (compared with the text after "</")
  // A File frame not read yet (an Include expands to several, read one after the other).
  bool pending = false;
  std::string pending_path;
  std::string pending_error;
  unsigned included_at = 0;

  // The `out` of a frame started from this one at the current line (Include, a true <If*>).
  std::vector<Node>* nested_out() const { return open.empty() ? out : nullptr; }
};

// The names the read pass acts on (any case). Found by length first, then one case-insensitive
// comparison: nearly every line of a large config is none of them, and this runs for each.
enum class ReadTime {
  None,
  Include,
  IncludeOptional,
  Define,
  UnDefine,
  LoadModule,
  LoadFile,
  ServerRoot,
  DefaultRuntimeDir,
  MacroIgnoreEmptyArgs,
  MacroIgnoreBadNesting,
  Use,
  UndefMacro,
};

ReadTime read_time_kind(std::string_view name) {
  auto is = [name](std::string_view lower_name) { return ci_equal(name, lower_name); };
  switch (name.size()) {
  case 3:
    return is("use") ? ReadTime::Use : ReadTime::None;
  case 6:
    return is("define") ? ReadTime::Define : ReadTime::None;
  case 7:
    return is("include") ? ReadTime::Include : ReadTime::None;
  case 8:
    return is("undefine") ? ReadTime::UnDefine : is("loadfile") ? ReadTime::LoadFile : ReadTime::None;
  case 10:
    return is("loadmodule")   ? ReadTime::LoadModule
           : is("serverroot") ? ReadTime::ServerRoot
           : is("undefmacro") ? ReadTime::UndefMacro
                              : ReadTime::None;
  case 15:
    return is("includeoptional") ? ReadTime::IncludeOptional : ReadTime::None;
  case 17:
    return is("defaultruntimedir") ? ReadTime::DefaultRuntimeDir : ReadTime::None;
  case 20:
    return is("macroignoreemptyargs") ? ReadTime::MacroIgnoreEmptyArgs : ReadTime::None;
  case 21:
    return is("macroignorebadnesting") ? ReadTime::MacroIgnoreBadNesting : ReadTime::None;
  default:
    return ReadTime::None;
  }
}

// Directives Apache runs while reading (EXEC_ON_READ). Only they move the line a read error's
// "Syntax error on line N" prefix names: Apache keeps the last one it executed, not the last line.
bool is_read_time(ReadTime kind) {
  switch (kind) {
  case ReadTime::Include:
  case ReadTime::IncludeOptional:
  case ReadTime::Define:
  case ReadTime::UnDefine:
  case ReadTime::LoadModule:
  case ReadTime::LoadFile:
  case ReadTime::ServerRoot:
  case ReadTime::DefaultRuntimeDir:
    return true;
  default:
    return false;
  }
}

// The read-time sections and their canonical spelling.
struct CondSection {
  const char* lower_name; // "<ifmodule"
  const char* name;       // "IfModule"
};
constexpr CondSection kCondSections[] = {
    {"<ifmodule", "IfModule"}, {"<ifdefine", "IfDefine"},       {"<ifversion", "IfVersion"},
    {"<iffile", "IfFile"},     {"<ifdirective", "IfDirective"}, {"<ifsection", "IfSection"},
};

class Reader {
public:
  Reader(const ReadOptions& options, ReadHooks& hooks) : options_(options), hooks_(hooks) {}

  ReadResult run() {
    result_.server_root = options_.server_root;
    for (const auto& d : options_.defines) add_define(d);
    if (!options_.pre_directives.empty()) read_cmdline(options_.pre_directives);
    read_main();
    if (!options_.post_directives.empty()) read_cmdline(options_.post_directives);
    result_.defines = std::set<std::string>(define_order_.begin(), define_order_.end());
    result_.define_order = define_order_;
    result_.variables = std::map<std::string, std::string>(vars_.begin(), vars_.end());
    return std::move(result_);
  }

private:
  // ---- driving ------------------------------------------------------------------------------

  void read_main() {
    std::string path = resolve_path(result_.server_root, options_.config_file);
    std::string contents;
    if (auto err = read_file(path, contents)) throw ReadError(escape_for_log(*err));
    auto src = std::make_unique<Source>();
    src->file = std::make_shared<const std::string>(path);
    src->lines = std::make_unique<LineSource>(std::move(contents));
    result_.includes.push_back({0, 0, path});
    push_file(std::move(src), &result_.tree);
    drive();
  }

  void read_cmdline(const std::vector<std::string>& directives) {
    std::string text;
    for (const auto& d : directives) {
      text += d;
      text += '\n';
    }
    auto src = std::make_unique<Source>();
    src->file = std::make_shared<const std::string>(kCmdlineFile);
    src->lines = std::make_unique<LineSource>(std::move(text));
    src->cmdline = true;
    push_file(std::move(src), &result_.tree);
    drive();
  }

  void push_file(std::unique_ptr<Source> src, std::vector<Node>* out) {
    Frame f;
    f.kind = Frame::Kind::File;
    f.src = src.get();
    f.owned = std::move(src);
    f.out = out;
    frames_.push_back(std::move(f));
  }

  void drive() {
    try {
      while (!frames_.empty()) step();
    } catch (const Failure& f) {
      ReadError e(escape_for_log(compose(f)));
      e.includes = result_.includes;
      throw e;
    }
  }

  void step() {
    Frame& f = frames_.back();
    if (f.pending) {
      activate(f);
      return;
    }
    LogicalLine line;
    if (!f.src->next(line)) {
      end_of_frame();
      return;
    }
    if (line.too_long) read_error(line.line);
    process(f, line.text);
  }

  // An Include'd file whose turn has come: open it (or report the deferred expansion error).
  void activate(Frame& f) {
    if (!f.pending_error.empty()) {
      std::string e = std::move(f.pending_error);
      frames_.pop_back();
      fail(std::move(e));
    }
    std::string contents;
    if (auto err = read_file(f.pending_path, contents)) {
      frames_.pop_back();
      fail(*err);
    }
    unsigned depth = 0;
    for (auto it = frames_.rbegin() + 1; it != frames_.rend(); ++it) {
      if (it->kind == Frame::Kind::File && !it->pending) {
        depth = it->src->depth + 1;
        break;
      }
    }
    auto src = std::make_unique<Source>();
    src->file = std::make_shared<const std::string>(f.pending_path);
    src->lines = std::make_unique<LineSource>(std::move(contents));
    src->depth = depth;
    result_.includes.push_back({depth, f.included_at, f.pending_path});
    f.pending = false;
    f.src = src.get();
    f.owned = std::move(src);
  }

  void end_of_frame() {
    Frame& f = frames_.back();
    if (f.kind == Frame::Kind::File && !f.open.empty()) {
      std::string msg;
      for (auto it = f.open.rbegin(); it != f.open.rend(); ++it) {
        if (!msg.empty()) msg += '\n'; // rendered as the two characters \n by the escaping
        msg += *f.src->file + ":" + std::to_string(it->node.line) + ": " + display_name(it->node.name) +
               "> was not closed.";
      }
      fail(std::move(msg), f.open.front().node.line);
    }
    // A true conditional body may end with the file: Apache keeps what it has, unclosed or not.
    while (!f.open.empty()) close_innermost(f);
    frames_.pop_back();
  }

  // The container a node read now in `f` belongs to.
  std::vector<Node>& sink(Frame& f) { return (!f.open.empty() || f.out == nullptr) ? scratch_ : *f.out; }

  void close_innermost(Frame& f) {
    // The node moves once, into the container it belongs to (the enclosing section's children on
    // the scratch stack, or the frame's output).
    Node& node = f.open.back().node;
    const auto first = scratch_.begin() + static_cast<std::ptrdiff_t>(f.open.back().first);
    node.children.assign(std::make_move_iterator(first), std::make_move_iterator(scratch_.end()));
    scratch_.erase(first, scratch_.end());
    std::vector<Node>& into = (f.open.size() > 1 || f.out == nullptr) ? scratch_ : *f.out;
    into.push_back(std::move(node));
    f.open.pop_back();
  }

  // ---- one logical line -----------------------------------------------------------------------

  void process(Frame& f, std::string_view raw) {
    // A true <If*> body ends at a line that is exactly its closing tag, when nothing is open.
    if (f.kind == Frame::Kind::Cond && f.open.empty() && raw.size() >= 2 && raw[0] == '<' && raw[1] == '/' &&
        ci_equal(raw.substr(2), f.terminator)) {
      frames_.pop_back();
      return;
    }
    std::string substituted;
    std::string_view text = raw;
    // Most lines have no "${" at all: no substitution call (and no std::function) for them.
    if (raw.find("${") != std::string_view::npos &&
        substitute_variables(
            raw, vars_, [this](std::string_view name) { warn_undefined(name); }, substituted))
      text = substituted;

    std::string_view rest = text;
    std::string name = next_word(rest);
    if (name.empty()) return;
    const unsigned lineno = f.src->current_line();

    if (name[0] == '<') {
      if (name.size() > 1 && name[1] == '/') {
        close_section(f, name);
        return;
      }
      bool had_gt = name.size() > 1 && name.back() == '>';
      if (had_gt) name.pop_back();
      std::string args(rest);
      if (had_gt && args.empty()) args = ">";
      if (ci_equal(name, "<macro") && hooks_.directive_known("<Macro")) {
        define_macro(f, args, lineno);
        return;
      }
      const bool maybe_cond =
          name.size() > 3 && (name[1] == 'i' || name[1] == 'I') && (name[2] == 'f' || name[2] == 'F');
      for (const auto& cs : kCondSections) {
        if (maybe_cond && ci_equal(name, cs.lower_name)) {
          f.src->last_directive_line = lineno;
          conditional(f, cs.name, args, lineno);
          return;
        }
      }
      OpenSection& s = f.open.emplace_back();
      s.first = scratch_.size();
      s.node.name = std::move(name);
      s.node.args = std::move(args);
      s.node.file = f.src->current_file();
      s.node.line = lineno;
      s.node.is_section = true;
      return;
    }

    // Apache drops a '>' ending the first word of any line, not only of a section opener:
    // "ServerName>" is ServerName without arguments, ">" alone an empty (invalid) name.
    if (name.back() == '>') name.pop_back();
    const ReadTime kind = read_time_kind(name);
    if (is_read_time(kind)) f.src->last_directive_line = lineno;
    switch (kind) {
    case ReadTime::None:
      add_directive(f, std::move(name), rest, lineno);
      return;
    case ReadTime::Include:
    case ReadTime::IncludeOptional:
      include(f, rest, kind == ReadTime::IncludeOptional);
      return;
    case ReadTime::Define:
      define(rest);
      return;
    case ReadTime::UnDefine:
      undefine(rest);
      return;
    case ReadTime::LoadModule:
      load_module(rest);
      return;
    case ReadTime::LoadFile:
      load_file(rest);
      return;
    case ReadTime::ServerRoot:
      server_root(rest);
      return;
    case ReadTime::DefaultRuntimeDir:
      runtime_dir(rest);
      return;
    case ReadTime::MacroIgnoreEmptyArgs:
    case ReadTime::MacroIgnoreBadNesting:
      // mod_macro's directives only when it is loaded; otherwise the walk pass calls them unknown.
      if (!hooks_.directive_known(name)) break;
      (kind == ReadTime::MacroIgnoreEmptyArgs ? macros_.ignore_empty_args : macros_.ignore_bad_nesting) =
          true;
      return;
    case ReadTime::Use:
      if (!hooks_.directive_known(name)) break;
      use_macro(f, rest, lineno);
      return;
    case ReadTime::UndefMacro:
      if (!hooks_.directive_known(name)) break;
      if (auto err = macros_.undefine(rest)) fail(*err);
      return;
    }
    add_directive(f, std::move(name), rest, lineno);
  }

  // A directive for the walk pass.
  void add_directive(Frame& f, std::string name, std::string_view args, unsigned lineno) {
    Node& n = sink(f).emplace_back();
    n.name = std::move(name);
    n.args = std::string(args);
    n.file = f.src->current_file();
    n.line = lineno;
  }

  void close_section(Frame& f, const std::string& word) {
    if (f.open.empty()) fail(word + " without matching <" + word.substr(2) + " section");
    if (word.back() != '>') fail(word + "> directive missing closing '>'");
    std::string_view closing = std::string_view(word).substr(2, word.size() - 3);
    const Node& top = f.open.back().node;
    if (!ci_equal(closing, std::string_view(top.name).substr(1)))
      fail("Expected </" + display_name(top.name).substr(1) + "> but saw " + word);
    close_innermost(f);
  }

  // The spelling Apache prints for an open section: the registered one when a loaded module
  // knows it, else as typed.
  std::string display_name(const std::string& name) const { return hooks_.canonical_name(name); }

  // ---- read-time sections -----------------------------------------------------------------------

  void conditional(Frame& f, const char* canonical, const std::string& args, unsigned lineno) {
    const std::string cname = canonical;
    bool take = false;
    if (cname == "IfVersion") {
      try {
        take = evaluate_ifversion(args);
      } catch (const std::runtime_error& e) {
        fail(e.what());
      }
    } else {
      if (args.empty()) fail("<" + cname + "> directive requires additional arguments");
      std::size_t gt = args.rfind('>');
      if (gt == std::string::npos) fail("<" + cname + "> directive missing closing '>'");
      std::string_view inner = std::string_view(args).substr(0, gt);
      // The '!' is seen before unquoting: <IfDefine "!X"> asks whether "!X" is defined.
      bool negate = !inner.empty() && inner.front() == '!';
      if (negate) inner.remove_prefix(1);
      std::string word = next_word(inner);
      if (word.empty()) fail("<" + cname + "> directive requires additional arguments");
      if (cname == "IfModule") {
        take = hooks_.module_loaded(word);
      } else if (cname == "IfDefine") {
        take = std::find(define_order_.begin(), define_order_.end(), word) != define_order_.end();
      } else if (cname == "IfFile") {
        struct stat st {};
        take = ::stat(resolve_path(result_.server_root, word).c_str(), &st) == 0;
      } else if (cname == "IfDirective") {
        take = hooks_.directive_known(word);
      } else { // IfSection
        take = hooks_.directive_known("<" + word);
      }
      if (negate) take = !take;
    }
    if (take) {
      Frame c;
      c.kind = Frame::Kind::Cond;
      c.src = f.src;
      c.out = f.nested_out();
      c.terminator = cname + ">";
      frames_.push_back(std::move(c));
    } else {
      skip_body(f, cname, lineno);
    }
  }

  // A false condition: its body is not interpreted, only its <...>/</...> nesting is checked.
  // Errors name the line of the read-time section that started the skipping.
  void skip_body(Frame& f, const std::string& outer, unsigned opener_line) {
    std::vector<std::string> names{outer};
    LogicalLine line;
    while (f.src->next(line)) {
      if (line.too_long) read_error(line.line);
      std::string_view rest = line.text;
      std::string word = next_word(rest);
      if (word.empty() || word[0] != '<') continue;
      if (word.size() > 1 && word[1] == '/') {
        std::string seen = word.substr(0, word.size() - 1); // Apache drops the last character
        std::string_view closing = seen.size() > 2 ? std::string_view(seen).substr(2) : std::string_view{};
        if (!ci_equal(closing, names.back()))
          fail("Expected </" + names.back() + "> but saw " + seen + ">", opener_line);
        names.pop_back();
        if (names.empty()) return;
      } else {
        std::string n = word.substr(1);
        if (!n.empty() && n.back() == '>') n.pop_back();
        names.push_back(std::move(n));
      }
    }
    fail("Expected </" + names.back() + "> before end of configuration", opener_line);
  }

  // ---- mod_macro ----------------------------------------------------------------------------------

  void define_macro(Frame& f, const std::string& args, unsigned lineno) {
    auto warn = [this](const std::string& text) { hooks_.log("macro", "warn", text); };
    std::string location =
        "defined on line " + std::to_string(lineno) + " of \"" + *f.src->current_file() + "\"";
    auto header = MacroTable::parse_header(args, std::move(location), warn);
    if (auto* err = std::get_if<std::string>(&header)) fail(*err, lineno);
    Macro m = std::move(std::get<Macro>(header));
    // The body: raw lines up to the matching </Macro> (nested definitions counted).
    int nested = 0;
    bool closed = false;
    LogicalLine line;
    f.src->lines->set_keep_blank_and_comments(true);
    while (f.src->next(line)) {
      if (line.too_long) {
        f.src->lines->set_keep_blank_and_comments(false);
        read_error(line.line);
      }
      std::string_view t = line.text;
      if (ci_starts_with(t, "</macro>")) {
        if (nested == 0) {
          if (t.size() > 8)
            warn("AH02794: non blank chars found after directive closing on line " +
                 std::to_string(f.src->current_line()) + " of " + *f.src->current_file() + ": " +
                 std::string(t.substr(8)));
          closed = true;
          break;
        }
        --nested;
      } else if (ci_starts_with(t, "<macro") &&
                 (t.size() == 6 || t[6] == ' ' || t[6] == '\t' || t[6] == '>')) {
        ++nested;
      }
      m.body.push_back({std::string(t), !t.empty() && t.front() == '#'});
    }
    f.src->lines->set_keep_blank_and_comments(false);
    if (!closed) fail(m.label() + "\n\tcontents error: expected token not found: </Macro>", lineno);
    macros_.define(std::move(m), warn);
  }

  void use_macro(Frame& f, std::string_view args, unsigned lineno) {
    auto warn = [this](const std::string& text) { hooks_.log("macro", "warn", text); };
    std::string used = "used on line " + std::to_string(lineno) + " of \"" + *f.src->current_file() + "\"";
    std::vector<std::string> active;
    for (const auto& e : f.src->expansions)
      if (e.pos < e.lines.size() || &e == &f.src->expansions.back()) active.push_back(e.macro);
    auto result = macros_.use(args, used, active, warn);
    if (auto* err = std::get_if<std::string>(&result)) fail(*err);
    auto& u = std::get<MacroTable::Use>(result);
    Expansion e;
    e.file = std::make_shared<const std::string>(u.macro->label() + " " + used);
    e.lines = std::move(u.lines);
    e.macro = u.macro->name;
    f.src->expansions.push_back(std::move(e));
  }

  // ---- read-time directives ----------------------------------------------------------------------

  static std::string take1(std::string_view args, const char* message) {
    std::string w = next_word(args);
    if (w.empty() || !args.empty()) fail(message);
    return w;
  }

  void include(Frame& f, std::string_view args, bool optional) {
    std::string arg = take1(
        args,
        optional
            ? "IncludeOptional takes one argument, Name or pattern of the config file(s) to be included; "
              "ignored if the file does not exist or the pattern does not match any files"
            : "Include takes one argument, Name(s) of the config file(s) to be included; fails if the "
              "wildcard does not match at least one file");
    if (f.src->depth >= kMaxIncludeDepth)
      fail("Exceeded maximum include depth of 128, There appears to be a recursion.");
    std::string path = resolve_path(result_.server_root, arg);
    // Only a relative ServerRoot (-d) leaves a path relative here; Apache refuses to expand a
    // wildcard in it.
    if (path.front() != '/' && has_wildcard(path)) fail("Include must have an absolute path, " + path);
    std::vector<IncludeItem> items = expand_include(path, optional);
    const unsigned at = f.src->current_line();
    std::vector<Node>* out = f.nested_out();
    // Read in order: the first item ends up on top of the stack.
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
      Frame p;
      p.kind = Frame::Kind::File;
      p.pending = true;
      p.pending_path = it->path;
      p.pending_error = it->error;
      p.included_at = at;
      p.out = out;
      frames_.push_back(std::move(p));
    }
  }

  void define(std::string_view args) {
    std::string name = next_word(args);
    std::string value = next_word(args);
    if (name.empty() || !args.empty())
      fail("Define takes 1-2 arguments, Define a variable, optionally to a value.  Same as passing -D to the "
           "command line.");
    if (name.find(':') != std::string::npos) fail("Variable name must not contain ':'");
    add_define(name);
    if (!value.empty()) vars_[name] = std::move(value);
  }

  void undefine(std::string_view args) {
    std::string name =
        take1(args, "UnDefine takes one argument, Undefine the existence of a variable. Undo a Define.");
    if (name.find(':') != std::string::npos) fail("Variable name must not contain ':'");
    // Apache fills the hole with the last name (visible in the order of -S "Define:" lines).
    auto it = std::find(define_order_.begin(), define_order_.end(), name);
    if (it != define_order_.end()) {
      *it = std::move(define_order_.back());
      define_order_.pop_back();
    }
    if (auto v = vars_.find(name); v != vars_.end()) vars_.erase(v);
  }

  void add_define(const std::string& name) {
    if (std::find(define_order_.begin(), define_order_.end(), name) == define_order_.end())
      define_order_.push_back(name);
  }

  void load_module(std::string_view args) {
    std::string id = next_word(args);
    std::string path = next_word(args);
    if (id.empty() || path.empty() || !args.empty())
      fail("LoadModule takes two arguments, a module name and the name of a shared object file to load it "
           "from");
    if (auto err = hooks_.load_module_as_written(id, resolve_path(result_.server_root, path), path))
      fail(*err);
  }

  void load_file(std::string_view args) {
    bool any = false;
    while (true) {
      std::string w = next_word(args);
      if (w.empty()) break;
      any = true;
      if (auto err = hooks_.load_file_as_written(resolve_path(result_.server_root, w), w)) fail(*err);
    }
    if (!any)
      fail(
          "LoadFile requires at least one argument, shared object file or library to load into the server at "
          "runtime");
  }

  void server_root(std::string_view args) {
    std::string arg = take1(
        args, "ServerRoot takes one argument, Common directory of server-related files (logs, confs, etc.)");
    std::string path = arg;
    if (path.front() != '/') {
      char cwd[4096];
      path = resolve_path(::getcwd(cwd, sizeof cwd) != nullptr ? cwd : "/", arg);
    } else {
      path = resolve_path("/", arg);
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) fail("ServerRoot must be a valid directory");
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    result_.server_root = path;
  }

  void runtime_dir(std::string_view args) {
    std::string arg = take1(args, "DefaultRuntimeDir takes one argument, Common directory for run-time files "
                                  "(shared memory, locks, etc.)");
    std::string path = resolve_path(result_.server_root, arg);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      fail("DefaultRuntimeDir must be a valid directory, absolute or relative to ServerRoot");
    result_.default_runtime_dir = path;
  }

  // ---- errors and helpers -------------------------------------------------------------------------

  void warn_undefined(std::string_view name) {
    hooks_.log("core", "warn", "AH00111: Config variable ${" + std::string(name) + "} is not defined");
  }

  // A line over the limit. Apache's prefix for this file names the last read-time directive
  // (Include, Define, <IfModule>, ...) executed from it, and is absent when there was none.
  [[noreturn]] void read_error(unsigned line) {
    Source* s = frames_.back().src;
    std::string msg = "Error reading " + *s->file + " at line " + std::to_string(line) + ": Line too long";
    read_error_source_ = s;
    fail(std::move(msg), s->last_directive_line);
  }

  // Wraps `f` with one "Syntax error on line L of FILE: " per open file, innermost first.
  std::string compose(const Failure& f) {
    std::string msg = f.message;
    bool innermost = true;
    for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
      if (it->kind != Frame::Kind::File || it->pending) continue;
      Source* s = it->src;
      unsigned line = s->current_line();
      if (innermost && f.line) line = *f.line;
      bool skip = innermost && s == read_error_source_ && line == 0;
      innermost = false;
      if (skip) continue;
      if (s->cmdline)
        msg = "Syntax error in -C/-c directive: " + msg;
      else
        msg = "Syntax error on line " + std::to_string(line) + " of " + *s->current_file() + ": " + msg;
    }
    frames_.clear();
    return msg;
  }

  // Reads a whole config file. Non-regular files are refused the way Apache refuses them (and a
  // FIFO never blocks us: it is opened non-blocking and then rejected), except "/dev/null".
  std::optional<std::string> read_file(const std::string& path, std::string& contents) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return "Could not open configuration file " + path + ": " + std::strerror(errno);
    struct stat st {};
    // Apache makes one exception, by name: "/dev/null" reads as an empty file.
    if (::fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && path != "/dev/null")) {
      ::close(fd);
      hooks_.log("core", "error",
                 "AH00554: Access to file " + path + " denied by server: not a regular file");
      return "Could not open configuration file " + path + ": " + std::strerror(EBADF);
    }
    // Read straight into the string (a large config is read once, not copied through a buffer).
    contents.clear();
    std::size_t used = 0;
    std::size_t room = S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) + 1 : 65536;
    contents.resize(room);
    while (true) {
      if (used == contents.size()) contents.resize(contents.size() * 2);
      ssize_t n = ::read(fd, contents.data() + used, contents.size() - used);
      if (n < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        ::close(fd);
        return "Could not open configuration file " + path + ": " + std::strerror(e);
      }
      if (n == 0) break;
      used += static_cast<std::size_t>(n);
    }
    contents.resize(used);
    ::close(fd);
    return std::nullopt;
  }

  const ReadOptions& options_;
  ReadHooks& hooks_;
  ReadResult result_;
  std::deque<Frame> frames_;
  std::vector<Node> scratch_; // children of the open sections, innermost last (see OpenSection)
  std::vector<std::string> define_order_;
  std::map<std::string, std::string, std::less<>> vars_;
  Source* read_error_source_ = nullptr;
  MacroTable macros_;
};

} // namespace

ReadResult read_config(const ReadOptions& options, ReadHooks& hooks) {
  Reader reader(options, hooks);
  return reader.run();
}

} // namespace balancerd::parser
