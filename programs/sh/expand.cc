// Word expansion (POSIX 2.6): tilde, parameters, command substitution, arithmetic, then field
// splitting, pathname expansion and quote removal. A word is expanded from its source text
// into characters that each carry where they came from (quoted or not, from an expansion or
// typed), which is all field splitting and globbing need to know.

#include "arithmetic.h"
#include "parser.h"
#include "pattern.h"
#include "shell.h"

namespace stellina::sh {
namespace {

constexpr uint8_t kQuoted = 1;  // quoted: never split, never a pattern character
constexpr uint8_t kSplit = 2;   // from an unquoted expansion: field splitting applies
constexpr uint8_t kBreak = 4;   // not a character: fields end here ("$@" between parameters)
constexpr uint8_t kMarker = 8;  // not a character: a field is here even if empty ("", '')

struct Expansion {
  Text chars;
  Vector<uint8_t> flags{kMaxString};

  void add(char c, uint8_t f) {
    chars.append(c);
    flags.push(f);
  }
  void add(StringView s, uint8_t f) {
    for (char c : s) add(c, f);
  }
  bool failed() const { return chars.failed() || flags.failed(); }
  bool too_long() const { return chars.too_long() || flags.size() == flags.limit(); }
  size_t size() const { return flags.size(); }
};

struct Context {
  bool dquote = false;      // inside "..."
  bool heredoc = false;     // a here-document's body: " is an ordinary character
  bool in_param = false;    // the word of an unquoted ${x-word}: what it gives is split too
  bool tilde = true;        // ~ at the start is $HOME
  bool assignment = false;  // ~ after : too (PATH=~/bin:~/sbin)
};

bool is_special_parameter(char c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' ||
         c == '0';
}

bool is_pattern_special(char c) {
  return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

}  // namespace

class ShellArithmetic final : public ArithmeticScope {
 public:
  explicit ShellArithmetic(Shell& shell) : shell_(shell) {}
  bool lookup(StringView name, StringView* value) override {
    const Variable* v = shell_.find_variable(name);
    if (!v || !v->set) return false;
    *value = v->value.view();
    return true;
  }
  bool assign(StringView name, int64_t value, Message& error) override {
    Text number;
    number.append_number(value);
    const Variable* v = shell_.find_variable(name);
    if (v && v->readonly) {
      error.clear();
      error.add(name).add(": is read only");
      return false;
    }
    if (!shell_.assign(name, number.view())) {
      error.clear();
      error.add(name).add(": cannot assign");
      return false;
    }
    return true;
  }

 private:
  Shell& shell_;
};

class Expander {
 public:
  explicit Expander(Shell& shell) : shell_(shell) {}

  // Expands text[start, end) into out; false after an error (reported, and fatal() called).
  bool expand(StringView text, size_t start, size_t end, Context ctx, Expansion& out);

 private:
  bool dollar(StringView text, size_t* i, size_t end, Context ctx, Expansion& out);
  bool brace(StringView text, size_t at, size_t close, Context ctx, Expansion& out);
  bool add_all_positional(char which, Context ctx, Expansion& out);
  void add_value(StringView value, Context ctx, Expansion& out) {
    out.add(value, ctx.dquote ? kQuoted : kSplit);
  }
  bool fail(StringView a, StringView b = StringView()) {
    if (b.empty()) {
      shell_.error(a);
    } else {
      shell_.error(a, b);
    }
    shell_.fatal();
    return false;
  }
  bool bad_substitution(StringView text) { return fail(text, "bad substitution"); }
  bool too_long_or_no_memory(bool too_long) {
    if (too_long) {
      shell_.error("expansion too long (at most 1 MiB)");
      shell_.abort_command();
    } else {
      shell_.no_memory();
    }
    return false;
  }

  // Where the construct starting at text[i] ends (the index after it); end when it does not.
  size_t skip_single(StringView text, size_t i, size_t end) {
    const size_t q = text.substr(0, end).find('\'', i + 1);
    return q == StringView::kNpos ? end : q + 1;
  }
  size_t skip_double(StringView text, size_t i, size_t end);
  size_t skip_backquote(StringView text, size_t i, size_t end);
  size_t skip_dollar(StringView text, size_t i, size_t end);
  size_t skip_brace(StringView text, size_t i, size_t end);
  size_t skip_arithmetic(StringView text, size_t i, size_t end);

  Shell& shell_;
  int depth_ = 0;
  bool saw_quoted_at_ = false;
};

size_t Expander::skip_double(StringView text, size_t i, size_t end) {
  for (++i; i < end;) {
    switch (text[i]) {
      case '"': return i + 1;
      case '\\': i += 2; break;
      case '`': i = skip_backquote(text, i, end); break;
      case '$': i = skip_dollar(text, i, end); break;
      default: ++i; break;
    }
  }
  return end;
}

size_t Expander::skip_backquote(StringView text, size_t i, size_t end) {
  for (++i; i < end;) {
    if (text[i] == '\\') {
      i += 2;
    } else if (text[i] == '`') {
      return i + 1;
    } else {
      ++i;
    }
  }
  return end;
}

size_t Expander::skip_dollar(StringView text, size_t i, size_t end) {
  if (i + 1 >= end) return i + 1;
  if (text[i + 1] == '{') return skip_brace(text, i, end);
  if (text[i + 1] != '(') return i + 1;
  if (i + 2 < end && text[i + 2] == '(') return skip_arithmetic(text, i, end);
  Arena arena;
  Parser parser(arena, text.substr(0, end), i + 2, depth_);
  Node* ignored = nullptr;
  if (parser.parse_substitution(&ignored) != ParseStatus::Ok) return end;
  return parser.position();
}

size_t Expander::skip_brace(StringView text, size_t i, size_t end) {
  for (i += 2; i < end;) {
    switch (text[i]) {
      case '}': return i + 1;
      case '\\': i += 2; break;
      case '\'': i = skip_single(text, i, end); break;
      case '"': i = skip_double(text, i, end); break;
      case '`': i = skip_backquote(text, i, end); break;
      case '$': i = skip_dollar(text, i, end); break;
      default: ++i; break;
    }
  }
  return end;
}

size_t Expander::skip_arithmetic(StringView text, size_t i, size_t end) {
  int parens = 0;
  for (i += 3; i < end;) {
    const char c = text[i];
    if (c == '(') {
      ++parens;
      ++i;
    } else if (c == ')') {
      if (parens == 0) return i + 1 < end && text[i + 1] == ')' ? i + 2 : end;
      --parens;
      ++i;
    } else if (c == '$') {
      i = skip_dollar(text, i, end);
    } else if (c == '`') {
      i = skip_backquote(text, i, end);
    } else if (c == '\'') {
      i = skip_single(text, i, end);
    } else if (c == '"') {
      i = skip_double(text, i, end);
    } else {
      ++i;
    }
  }
  return end;
}

bool Expander::expand(StringView text, size_t start, size_t end, Context ctx, Expansion& out) {
  if (++depth_ > kMaxNesting) return fail("expansion nested too deeply");
  if (end > text.size()) end = text.size();
  size_t i = start;
  while (i < end) {
    if (shell_.stopping()) {
      --depth_;
      return false;
    }
    const char c = text[i];
    if (c == '\'' && !ctx.dquote && !ctx.heredoc) {
      const size_t close = skip_single(text, i, end);
      const size_t stop =
          close > i + 1 && close <= end && text[close - 1] == '\'' ? close - 1 : end;
      out.add(text.substr(i + 1, stop - i - 1), kQuoted);
      out.add('\0', kMarker);
      i = close;
    } else if (c == '"' && !ctx.dquote && !ctx.heredoc) {
      const size_t close = skip_double(text, i, end);
      const size_t stop = close > i + 1 && text[close - 1] == '"' ? close - 1 : close;
      Context inner = ctx;
      inner.dquote = true;
      const bool saw = saw_quoted_at_;
      saw_quoted_at_ = false;
      if (!expand(text, i + 1, stop, inner, out)) return false;
      if (!saw_quoted_at_) out.add('\0', kMarker);
      saw_quoted_at_ = saw;
      i = close;
    } else if (c == '\\') {
      if (i + 1 >= end) {
        out.add('\\', ctx.dquote ? kQuoted : 0);
        ++i;
        continue;
      }
      const char n = text[i + 1];
      if (n == '\n') {
        i += 2;
      } else if (!ctx.dquote && !ctx.heredoc) {
        out.add(n, kQuoted);
        i += 2;
      } else if (n == '$' || n == '`' || n == '\\' || (n == '"' && !ctx.heredoc) ||
                 (n == '}' && ctx.in_param)) {
        out.add(n, kQuoted);
        i += 2;
      } else {
        out.add('\\', kQuoted);
        ++i;
      }
    } else if (c == '$') {
      if (!dollar(text, &i, end, ctx, out)) return false;
    } else if (c == '`') {
      const size_t close = skip_backquote(text, i, end);
      const size_t stop = close > i + 1 && text[close - 1] == '`' ? close - 1 : close;
      // Inside backquotes, \ quotes only $ ` \ (and " within double quotes).
      Text script;
      for (size_t k = i + 1; k < stop; ++k) {
        if (text[k] == '\\' && k + 1 < stop &&
            (text[k + 1] == '$' || text[k + 1] == '`' || text[k + 1] == '\\' ||
             (ctx.dquote && text[k + 1] == '"')))
          ++k;
        script.append(text[k]);
      }
      Text output;
      if (script.failed()) {
        shell_.no_memory();
        return false;
      }
      if (!shell_.capture(script.view(), output)) return false;
      add_value(output.view(), ctx, out);
      i = close;
    } else if (c == '~' && ctx.tilde && !ctx.dquote && !ctx.heredoc &&
               (i == start || (ctx.assignment && text[i - 1] == ':'))) {
      size_t stop = i + 1;
      while (stop < end && text[stop] != '/' && !(ctx.assignment && text[stop] == ':')) ++stop;
      const Text* home = shell_.variable("HOME");
      if (stop == i + 1 && home) {
        out.add(home->view(), kQuoted);
        out.add('\0', kMarker);
      } else {
        out.add(text.substr(i, stop - i), 0);
      }
      i = stop;
    } else {
      out.add(c, ctx.dquote ? kQuoted : (ctx.in_param ? kSplit : 0));
      ++i;
    }
  }
  --depth_;
  if (out.failed()) return too_long_or_no_memory(out.too_long());
  return true;
}

bool Expander::add_all_positional(char which, Context ctx, Expansion& out) {
  const Vector<Text>& params = shell_.positional_;
  if (ctx.dquote && which == '*') {
    const Variable* ifs = shell_.find_variable("IFS");
    const bool has_separator = !ifs || !ifs->set || !ifs->value.empty();
    const char separator = ifs && ifs->set && !ifs->value.empty() ? ifs->value.view()[0] : ' ';
    for (size_t k = 0; k < params.size(); ++k) {
      if (k && has_separator) out.add(separator, kQuoted);
      out.add(params[k].view(), kQuoted);
    }
    return true;
  }
  for (size_t k = 0; k < params.size(); ++k) {
    if (k) out.add('\0', kBreak);
    out.add(params[k].view(), ctx.dquote ? kQuoted : kSplit);
    if (ctx.dquote && params[k].empty()) out.add('\0', kMarker);
  }
  if (ctx.dquote) saw_quoted_at_ = true;
  return true;
}

bool Expander::dollar(StringView text, size_t* at, size_t end, Context ctx, Expansion& out) {
  const size_t i = *at;
  if (i + 1 >= end) {
    out.add('$', ctx.dquote ? kQuoted : 0);
    *at = i + 1;
    return true;
  }
  const char n = text[i + 1];
  if (n == '{') {
    const size_t close = skip_brace(text, i, end);
    *at = close;
    if (close > end || text[close - 1] != '}') return bad_substitution(text.substr(i, close - i));
    return brace(text, i, close, ctx, out);
  }
  if (n == '(') {
    if (i + 2 < end && text[i + 2] == '(') {
      const size_t close = skip_arithmetic(text, i, end);
      *at = close;
      if (close < i + 5 || text[close - 1] != ')' || text[close - 2] != ')')
        return fail("arithmetic expression: missing '))'");
      Expansion inner;
      Context arith;
      arith.dquote = true;
      arith.tilde = false;
      if (!expand(text, i + 3, close - 2, arith, inner)) return false;
      Text expression;
      for (size_t k = 0; k < inner.size(); ++k)
        if (!(inner.flags[k] & (kBreak | kMarker))) expression.append(inner.chars.view()[k]);
      ShellArithmetic scope(shell_);
      Message message;
      int64_t value = 0;
      if (!evaluate_arithmetic(expression.view(), scope, &value, message))
        return fail(message.view());
      Text number;
      number.append_number(value);
      add_value(number.view(), ctx, out);
      return true;
    }
    const size_t close = skip_dollar(text, i, end);
    *at = close;
    if (close > end || close < i + 3 || text[close - 1] != ')')
      return fail("Syntax error: Missing ')'");
    Text output;
    if (!shell_.capture(text.substr(i + 2, close - 1 - (i + 2)), output)) return false;
    add_value(output.view(), ctx, out);
    return true;
  }
  if (is_name_start(n)) {
    size_t stop = i + 1;
    while (stop < end && is_name_char(text[stop])) ++stop;
    const StringView name = text.substr(i + 1, stop - i - 1);
    *at = stop;
    const Variable* v = shell_.find_variable(name);
    if (!v || !v->set) {
      if (shell_.option('u')) return fail(name, "parameter not set");
      return true;
    }
    add_value(v->value.view(), ctx, out);
    return true;
  }
  if (is_digit(n)) {
    *at = i + 2;
    StringView value;
    if (shell_.positional(static_cast<size_t>(n - '0'), &value)) {
      add_value(value, ctx, out);
    } else if (shell_.option('u')) {
      return fail(text.substr(i + 1, 1), "parameter not set");
    }
    return true;
  }
  if (is_special_parameter(n)) {
    *at = i + 2;
    if (n == '@' || n == '*') return add_all_positional(n, ctx, out);
    Text value;
    if (shell_.special_parameter(n, value)) {
      add_value(value.view(), ctx, out);
    } else if (shell_.option('u')) {
      return fail(text.substr(i + 1, 1), "parameter not set");
    }
    return true;
  }
  out.add('$', ctx.dquote ? kQuoted : 0);
  *at = i + 1;
  return true;
}

bool Expander::brace(StringView text, size_t at, size_t close, Context ctx, Expansion& out) {
  const StringView whole = text.substr(at, close - at);
  const size_t first = at + 2;
  const size_t last = close - 1;  // the '}'
  StringView content = text.substr(first, last - first);
  if (content.empty()) return bad_substitution(whole);
  // ${#name}: the length.
  bool length = false;
  if (content[0] == '#' && content.size() > 1) {
    length = true;
    content = content.substr(1);
  }
  size_t name_size = 0;
  if (is_special_parameter(content[0])) {
    name_size = 1;
  } else if (is_digit(content[0])) {
    while (name_size < content.size() && is_digit(content[name_size])) ++name_size;
  } else if (is_name_start(content[0])) {
    while (name_size < content.size() && is_name_char(content[name_size])) ++name_size;
  } else {
    return bad_substitution(whole);
  }
  const StringView name = content.substr(0, name_size);
  const size_t op_at = first + (length ? 1 : 0) + name_size;
  StringView op = text.substr(op_at, last - op_at);
  if (length && !op.empty()) return bad_substitution(whole);

  // The parameter's value.
  Text value;
  bool set = false;
  const bool all = name == "@" || name == "*";
  if (all) {
    set = !shell_.positional_.empty();
    for (size_t k = 0; k < shell_.positional_.size(); ++k) {
      if (k) value.append(' ');
      value.append(shell_.positional_[k].view());
    }
  } else if (is_digit(name[0])) {
    int64_t n = 0;
    StringView v;
    if (parse_number(name, &n) && n >= 0 && shell_.positional(static_cast<size_t>(n), &v)) {
      value.append(v);
      set = true;
    }
  } else if (name.size() == 1 && is_special_parameter(name[0])) {
    set = shell_.special_parameter(name[0], value);
  } else {
    const Variable* v = shell_.find_variable(name);
    if (v && v->set) {
      value.append(v->value.view());
      set = true;
    }
  }
  if (value.failed()) {
    shell_.no_memory();
    return false;
  }

  if (length) {
    if (!set && shell_.option('u') && !all) return fail(name, "parameter not set");
    Text number;
    // As dash: ${#@} and ${#*} are the length of the parameters joined with spaces.
    number.append_number(static_cast<int64_t>(value.size()));
    add_value(number.view(), ctx, out);
    return true;
  }
  if (op.empty()) {
    if (!set && shell_.option('u') && !all) return fail(name, "parameter not set");
    if (all) return add_all_positional(name[0], ctx, out);
    add_value(value.view(), ctx, out);
    return true;
  }

  const bool colon = op[0] == ':';
  if (colon) op = op.substr(1);
  if (op.empty()) return bad_substitution(whole);
  const char kind = op[0];
  size_t word_start = op_at + (colon ? 1 : 0) + 1;
  const bool null_or_unset = !set || (colon && value.empty());
  Context word_ctx = ctx;
  word_ctx.in_param = !ctx.dquote;
  word_ctx.assignment = false;
  switch (kind) {
    case '-':
      if (!null_or_unset) break;
      return expand(text, word_start, last, word_ctx, out);
    case '+':
      if (null_or_unset) return true;
      return expand(text, word_start, last, word_ctx, out);
    case '=':
    case '?': {
      if (!null_or_unset) break;
      Context string_ctx = ctx;
      string_ctx.in_param = false;
      Expansion word;
      if (!expand(text, word_start, last, string_ctx, word)) return false;
      Text result;
      for (size_t k = 0; k < word.size(); ++k) {
        if (word.flags[k] & kBreak) {
          result.append(' ');
        } else if (!(word.flags[k] & kMarker)) {
          result.append(word.chars.view()[k]);
        }
      }
      if (kind == '?') {
        if (result.empty()) result.append(set ? "parameter null" : "parameter not set");
        return fail(name, result.view());
      }
      if (!is_name(name)) return fail(name, "cannot assign in this way");
      if (!shell_.assign(name, result.view())) {
        shell_.fatal();
        return false;
      }
      add_value(result.view(), ctx, out);
      return true;
    }
    case '#':
    case '%': {
      if (colon) return bad_substitution(whole);
      const bool longest = op.size() > 1 && op[1] == kind;
      if (longest) ++word_start;
      Context pattern_ctx;
      pattern_ctx.dquote = false;
      Expansion word;
      if (!expand(text, word_start, last, pattern_ctx, word)) return false;
      Text pattern;
      for (size_t k = 0; k < word.size(); ++k) {
        const uint8_t f = word.flags[k];
        if (f & (kBreak | kMarker)) continue;
        const char c = word.chars.view()[k];
        if ((f & kQuoted) && is_pattern_special(c)) pattern.append('\\');
        pattern.append(c);
      }
      const StringView v = value.view();
      StringView result = v;
      if (kind == '#') {
        for (size_t k = 0; k <= v.size(); ++k) {
          const size_t n = longest ? v.size() - k : k;
          if (match_pattern(pattern.view(), v.substr(0, n))) {
            result = v.substr(n);
            break;
          }
        }
      } else {
        for (size_t k = 0; k <= v.size(); ++k) {
          const size_t n = longest ? k : v.size() - k;
          if (match_pattern(pattern.view(), v.substr(n))) {
            result = v.substr(0, n);
            break;
          }
        }
      }
      add_value(result, ctx, out);
      return true;
    }
    default: return bad_substitution(whole);
  }
  if (all) return add_all_positional(name[0], ctx, out);
  add_value(value.view(), ctx, out);
  return true;
}

// ---- What the rest of the shell calls ----

bool Shell::expand_word(StringView word, Vector<Text>& fields) {
  Expander expander(*this);
  Expansion e;
  if (!expander.expand(word, 0, word.size(), Context{}, e)) return false;

  const Variable* ifs_variable = find_variable("IFS");
  const StringView ifs =
      ifs_variable && ifs_variable->set ? ifs_variable->value.view() : StringView(" \t\n");
  const bool noglob = option('f');
  Text field;
  Text pattern;
  bool exists = false;
  bool after_blank = false;
  bool needs_glob = false;
  auto emit = [&]() {
    if (needs_glob && !noglob && glob(pattern.view(), fields)) {
      // the matches were added
    } else {
      fields.push(static_cast<Text&&>(field));
    }
    field = Text();
    pattern = Text();
    exists = needs_glob = false;
  };
  for (size_t k = 0; k < e.size(); ++k) {
    const uint8_t f = e.flags[k];
    const char c = e.chars.view()[k];
    if (f & kBreak) {
      if (exists) emit();
      after_blank = false;
      continue;
    }
    if (f & kMarker) {
      exists = true;
      continue;
    }
    if ((f & kSplit) && ifs.find(c) != StringView::kNpos) {
      if (c == ' ' || c == '\t' || c == '\n') {
        if (exists) {
          emit();
          after_blank = true;
        }
      } else {
        if (exists) {
          emit();
        } else if (!after_blank) {
          fields.push(Text());
        }
        after_blank = false;
      }
      continue;
    }
    field.append(c);
    if (((f & kQuoted) || c == '\\') && is_pattern_special(c)) pattern.append('\\');
    pattern.append(c);
    if (!(f & kQuoted) && (c == '*' || c == '?' || c == '[')) needs_glob = true;
    exists = true;
    after_blank = false;
  }
  if (exists) emit();
  if (fields.failed()) {
    fields.clear_failure();
    error("too many words (at most 4096)");
    fatal();
    return false;
  }
  for (const Text& t : fields) {
    if (t.failed()) {
      report_failed(t);
      return false;
    }
  }
  return true;
}

bool Shell::expand_fields(Word* words, Vector<Text>& fields) {
  for (Word* w = words; w; w = w->next)
    if (!expand_word(w->text, fields)) return false;
  return true;
}

bool Shell::expand_string(StringView word, Text& out, bool assignment) {
  Expander expander(*this);
  Expansion e;
  Context ctx;
  ctx.assignment = assignment;
  if (!expander.expand(word, 0, word.size(), ctx, e)) return false;
  for (size_t k = 0; k < e.size(); ++k) {
    if (e.flags[k] & kBreak) {
      out.append(' ');
    } else if (!(e.flags[k] & kMarker)) {
      out.append(e.chars.view()[k]);
    }
  }
  if (out.failed()) {
    report_failed(out);
    return false;
  }
  return true;
}

bool Shell::expand_pattern(StringView word, Text& out) {
  Expander expander(*this);
  Expansion e;
  if (!expander.expand(word, 0, word.size(), Context{}, e)) return false;
  for (size_t k = 0; k < e.size(); ++k) {
    const uint8_t f = e.flags[k];
    const char c = e.chars.view()[k];
    if (f & kBreak) {
      out.append(' ');
    } else if (!(f & kMarker)) {
      if ((f & kQuoted) && is_pattern_special(c)) out.append('\\');
      out.append(c);
    }
  }
  if (out.failed()) {
    report_failed(out);
    return false;
  }
  return true;
}

bool Shell::expand_here_document(StringView body, bool strip_tabs, Text& out) {
  Text stripped;
  if (strip_tabs) {
    bool line_start = true;
    for (char c : body) {
      if (line_start && c == '\t') continue;
      line_start = c == '\n';
      stripped.append(c);
    }
    body = stripped.view();
  }
  Expander expander(*this);
  Expansion e;
  Context ctx;
  ctx.heredoc = true;
  ctx.tilde = false;
  if (!expander.expand(body, 0, body.size(), ctx, e)) return false;
  for (size_t k = 0; k < e.size(); ++k) {
    if (e.flags[k] & kBreak) {
      out.append(' ');
    } else if (!(e.flags[k] & kMarker)) {
      out.append(e.chars.view()[k]);
    }
  }
  if (out.failed() || stripped.failed()) {
    no_memory();
    return false;
  }
  return true;
}

// ---- Pathname expansion ----

namespace {

class NameCollector final : public DirectoryVisitor {
 public:
  explicit NameCollector(Vector<Text>& names) : names_(names) {}
  bool visit(StringView name) override {
    names_.push(Text(name));
    return !names_.failed();
  }

 private:
  Vector<Text>& names_;
};

bool less(const Text& a, const Text& b) {
  const StringView x = a.view();
  const StringView y = b.view();
  const size_t n = x.size() < y.size() ? x.size() : y.size();
  for (size_t i = 0; i < n; ++i) {
    const auto cx = static_cast<unsigned char>(x[i]);
    const auto cy = static_cast<unsigned char>(y[i]);
    if (cx != cy) return cx < cy;
  }
  return x.size() < y.size();
}

void swap(Text& a, Text& b) {
  Text t = static_cast<Text&&>(a);
  a = static_cast<Text&&>(b);
  b = static_cast<Text&&>(t);
}

// Heapsort items [from, size): no recursion, no extra memory.
void sort(Vector<Text>& items, size_t from) {
  Text* base = items.begin() + from;
  const size_t n = items.size() - from;
  auto sift = [&](size_t root, size_t size) {
    for (;;) {
      size_t child = 2 * root + 1;
      if (child >= size) return;
      if (child + 1 < size && less(base[child], base[child + 1])) ++child;
      if (!less(base[root], base[child])) return;
      swap(base[root], base[child]);
      root = child;
    }
  };
  for (size_t i = n / 2; i-- > 0;) sift(i, n);
  for (size_t end = n; end > 1; --end) {
    swap(base[0], base[end - 1]);
    sift(0, end - 1);
  }
}

}  // namespace

// Pathname expansion of one field, one path component at a time. Matches are added to out,
// sorted; false when nothing matched (the caller keeps the word).
bool Shell::glob(StringView pattern, Vector<Text>& out) {
  // The components; a pattern of more than kMaxNesting components is taken literally.
  StringView components[kMaxNesting];
  size_t count = 0;
  const bool absolute_pattern = !pattern.empty() && pattern[0] == '/';
  const bool trailing_slash = !pattern.empty() && pattern[pattern.size() - 1] == '/';
  for (size_t i = 0; i < pattern.size();) {
    size_t slash = pattern.find('/', i);
    if (slash == StringView::kNpos) slash = pattern.size();
    if (slash > i) {
      if (count == kMaxNesting) return false;
      components[count++] = pattern.substr(i, slash - i);
    }
    i = slash + 1;
  }
  if (count == 0) return false;

  // Breadth first: the paths matched so far (as the user wrote them), one level at a time.
  Vector<Text> paths{kMaxGlobMatches};
  paths.push(Text(absolute_pattern ? "/" : ""));
  for (size_t c = 0; c < count; ++c) {
    const StringView component = components[c];
    const bool last = c + 1 == count;
    Vector<Text> next{kMaxGlobMatches};
    for (const Text& path : paths) {
      if (!has_pattern_chars(component)) {
        Text p = path.copy();
        if (!p.empty() && p.back() != '/') p.append('/');
        unescape_pattern(component, p);
        if (last) {
          Text full;
          absolute(p.view(), full);
          if (!host_.stat(full.view()).ok()) continue;
        }
        next.push(static_cast<Text&&>(p));
        continue;
      }
      Text directory;
      absolute(path.empty() ? StringView(".") : path.view(), directory);
      Vector<Text> names{kMaxGlobMatches};
      NameCollector collector(names);
      if (!host_.list(directory.view(), collector).ok()) continue;
      const size_t first_match = next.size();
      const bool dot_pattern = component[0] == '.' || (component.size() > 1 &&
                                                       component[0] == '\\' && component[1] == '.');
      for (const Text& name : names) {
        const StringView n = name.view();
        if (n.empty() || (n[0] == '.' && !dot_pattern)) continue;
        if (!match_pattern(component, n)) continue;
        Text p = path.copy();
        if (!p.empty() && p.back() != '/') p.append('/');
        p.append(n);
        if (!last || trailing_slash) {
          Text full;
          absolute(p.view(), full);
          auto info = host_.stat(full.view());
          if (!info.ok() || info.value().type != FileInfo::Type::Directory) continue;
        }
        next.push(static_cast<Text&&>(p));
      }
      if (next.failed()) break;
      sort(next, first_match);
    }
    if (next.failed()) {
      error("glob: more than 4096 matches");
      return false;
    }
    paths = static_cast<Vector<Text>&&>(next);
    if (paths.empty()) return false;
  }
  bool any = false;
  for (Text& p : paths) {
    if (trailing_slash) p.append('/');
    out.push(static_cast<Text&&>(p));
    any = true;
  }
  return any;
}

// Field splitting for read: at most max fields, the last taking the rest of the line (with
// its trailing IFS white space removed).
bool Shell::split_ifs(StringView text, Vector<Text>& fields, size_t max) {
  const Variable* ifs_variable = find_variable("IFS");
  const StringView ifs =
      ifs_variable && ifs_variable->set ? ifs_variable->value.view() : StringView(" \t\n");
  auto is_ifs = [&](char c) { return ifs.find(c) != StringView::kNpos; };
  auto is_white = [&](char c) { return is_ifs(c) && (c == ' ' || c == '\t' || c == '\n'); };
  size_t i = 0;
  while (i < text.size() && is_white(text[i])) ++i;
  while (i < text.size() && fields.size() + 1 < max) {
    size_t start = i;
    while (i < text.size() && !is_ifs(text[i])) ++i;
    fields.push(Text(text.substr(start, i - start)));
    // One delimiter: white space around at most one other IFS character.
    while (i < text.size() && is_white(text[i])) ++i;
    if (i < text.size() && is_ifs(text[i]) && !is_white(text[i])) {
      ++i;
      while (i < text.size() && is_white(text[i])) ++i;
    }
  }
  if (i < text.size() || fields.size() + 1 == max) {
    StringView rest = text.substr(i);
    while (!rest.empty() && is_white(rest[rest.size() - 1])) rest = rest.substr(0, rest.size() - 1);
    if (i < text.size()) fields.push(Text(rest));
  }
  return !fields.failed();
}

}  // namespace stellina::sh
