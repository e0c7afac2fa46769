// The commands the shell runs itself.

#include "parser.h"
#include "pattern.h"
#include "shell.h"

namespace stellina::sh {
namespace {

using Args = std::span<const Text>;

struct BuiltinEntry {
  StringView name;
  bool special;  // POSIX special builtins: their assignments stay, their errors are fatal
};

constexpr BuiltinEntry kBuiltins[] = {
    {":", true},     {".", true},     {"break", true},  {"continue", true}, {"eval", true},
    {"exec", true},  {"exit", true},  {"export", true}, {"readonly", true}, {"return", true},
    {"set", true},   {"shift", true}, {"unset", true},  {"source", true},   {"local", false},
    {"cd", false},   {"pwd", false},  {"true", false},  {"false", false},   {"read", false},
    {"jobs", false}, {"fg", false},   {"wait", false},  {"test", false},    {"[", false},
    {"echo", false},
};

// 'value' quoted for the shell to read back.
void quote(StringView value, Text& out) {
  out.append('\'');
  for (char c : value) {
    if (c == '\'') {
      out.append("'\\''");
    } else {
      out.append(c);
    }
  }
  out.append('\'');
}

}  // namespace

Shell::BuiltinKind Shell::builtin_kind(StringView name) const {
  for (const BuiltinEntry& b : kBuiltins) {
    if (b.name != name) continue;
    if (name == "echo" && !host_.builtin_echo()) return BuiltinKind::None;
    return b.special ? BuiltinKind::Special : BuiltinKind::Regular;
  }
  return BuiltinKind::None;
}

int Shell::run_builtin(Args argv) {
  const StringView name = argv[0].view();
  if (name == ":" || name == "true") return 0;
  if (name == "false") return 1;
  if (name == "cd") return builtin_cd(argv);
  if (name == "pwd") return builtin_pwd(argv);
  if (name == "export") return builtin_export(argv, false);
  if (name == "readonly") return builtin_export(argv, true);
  if (name == "unset") return builtin_unset(argv);
  if (name == "set") return builtin_set(argv);
  if (name == "shift") return builtin_shift(argv);
  if (name == "exit") return builtin_exit(argv, false);
  if (name == "return") return builtin_exit(argv, true);
  if (name == "break") return builtin_break(argv, Flow::Break);
  if (name == "continue") return builtin_break(argv, Flow::Continue);
  if (name == "." || name == "source") return builtin_dot(argv);
  if (name == "eval") return builtin_eval(argv);
  if (name == "read") return builtin_read(argv);
  if (name == "jobs") return builtin_jobs(argv);
  if (name == "fg") return builtin_fg(argv);
  if (name == "wait") return builtin_wait(argv);
  if (name == "local") return builtin_local(argv);
  if (name == "echo") return builtin_echo(argv);
  if (name == "test") return builtin_test(argv, false);
  if (name == "[") return builtin_test(argv, true);
  return 127;
}

int Shell::builtin_cd(Args argv) {
  size_t i = 1;
  while (i < argv.size() && (argv[i].view() == "-L" || argv[i].view() == "-P")) ++i;
  if (i < argv.size() && argv[i].view() == "--") ++i;
  StringView target;
  bool print = false;
  if (i >= argv.size()) {
    const Text* home = variable("HOME");
    if (!home) {
      error("cd", "HOME not set");
      return 2;
    }
    target = home->view();
  } else if (argv[i].view() == "-") {
    const Text* old = variable("OLDPWD");
    if (!old) {
      error("cd", "OLDPWD not set");
      return 2;
    }
    target = old->view();
    print = true;
  } else {
    target = argv[i].view();
  }
  Text path;
  absolute(target, path);
  auto info = host_.stat(path.view());
  if (!info.ok() || info.value().type != FileInfo::Type::Directory) {
    Text what("can't cd to ");
    what.append(target);
    error("cd", what.view());
    return 2;
  }
  Text old = cwd_.copy();
  if (!assign("OLDPWD", old.view()) || !assign("PWD", path.view())) return 2;
  cwd_ = static_cast<Text&&>(path);
  if (print) {
    Text line(cwd_.view());
    line.append('\n');
    out(line.view());
  }
  return 0;
}

int Shell::builtin_pwd(Args) {
  Text line(cwd_.view());
  line.append('\n');
  out(line.view());
  return 0;
}

int Shell::builtin_export(Args argv, bool readonly) {
  const StringView name = argv[0].view();
  size_t i = 1;
  bool print = argv.size() == 1;
  if (i < argv.size() && argv[i].view() == "-p") {
    print = true;
    ++i;
  }
  if (print && i >= argv.size()) {
    for (const Variable& v : variables_) {
      if (readonly ? !v.readonly : !v.exported) continue;
      Text line(name);
      line.append(' ');
      line.append(v.name.view());
      if (v.set) {
        line.append('=');
        quote(v.value.view(), line);
      }
      line.append('\n');
      out(line.view());
    }
    return 0;
  }
  for (; i < argv.size(); ++i) {
    const StringView arg = argv[i].view();
    const size_t eq = arg.find('=');
    const StringView var = arg.substr(0, eq);
    if (!is_name(var)) {
      error(name, var, "bad variable name");
      fatal();
      return 2;
    }
    if (eq != StringView::kNpos) {
      if (!assign(var, arg.substr(eq + 1))) {
        fatal();
        return 2;
      }
    } else if (!find_variable(var)) {
      if (variables_.size() == variables_.limit()) {
        error(var, "too many variables");
        return 2;
      }
      Variable v;
      v.name.assign(var);
      variables_.push(static_cast<Variable&&>(v));
      if (variables_.failed()) {
        variables_.clear_failure();
        no_memory();
        return 2;
      }
    }
    Variable* v = find_variable(var);
    if (readonly) {
      v->readonly = true;
    } else {
      v->exported = true;
    }
  }
  return 0;
}

int Shell::builtin_unset(Args argv) {
  bool functions = false;
  size_t i = 1;
  for (; i < argv.size() && argv[i].view().starts_with("-"); ++i) {
    if (argv[i].view() == "-f") functions = true;
    if (argv[i].view() == "--") {
      ++i;
      break;
    }
  }
  int status = 0;
  for (; i < argv.size(); ++i) {
    const StringView name = argv[i].view();
    if (functions) {
      for (size_t k = 0; k < functions_.size(); ++k) {
        if (functions_[k]->name.view() != name) continue;
        release_function(functions_[k]);
        functions_[k] = functions_[functions_.size() - 1];
        functions_.pop();
        break;
      }
      continue;
    }
    if (!unset_variable(name)) status = 1;
  }
  return status;
}

int Shell::builtin_set(Args argv) {
  if (argv.size() == 1) {
    // Sorted by name, as dash lists them.
    Vector<const Variable*> sorted{kMaxVariables};
    for (const Variable& v : variables_)
      if (v.set) sorted.push(&v);
    for (size_t a = 1; a < sorted.size(); ++a) {
      for (size_t b = a; b > 0; --b) {
        const StringView x = sorted[b - 1]->name.view();
        const StringView y = sorted[b]->name.view();
        size_t n = 0;
        while (n < x.size() && n < y.size() && x[n] == y[n]) ++n;
        const bool greater = n < x.size() && (n == y.size() || x[n] > y[n]);
        if (!greater) break;
        const Variable* t = sorted[b - 1];
        sorted[b - 1] = sorted[b];
        sorted[b] = t;
      }
    }
    for (const Variable* v : sorted) {
      Text line(v->name.view());
      line.append('=');
      quote(v->value.view(), line);
      line.append('\n');
      out(line.view());
    }
    return 0;
  }
  size_t i = 1;
  bool set_positional = false;
  for (; i < argv.size(); ++i) {
    const StringView arg = argv[i].view();
    if (arg == "--") {
      set_positional = true;
      ++i;
      break;
    }
    if (arg.size() < 2 || (arg[0] != '-' && arg[0] != '+')) break;
    const bool on = arg[0] == '-';
    if (arg.substr(1) == "o") {
      if (i + 1 >= argv.size()) {
        for (StringView o : {"errexit", "nounset", "xtrace", "noglob"}) {
          Text line(o);
          const char c = o == "errexit" ? 'e' : o == "nounset" ? 'u' : o == "xtrace" ? 'x' : 'f';
          line.append(option(c) ? "\ton\n" : "\toff\n");
          out(line.view());
        }
        continue;
      }
      const StringView o = argv[++i].view();
      char c = 0;
      if (o == "errexit") c = 'e';
      if (o == "nounset") c = 'u';
      if (o == "xtrace") c = 'x';
      if (o == "noglob") c = 'f';
      if (!c) {
        error("set", "Illegal option -o", o);
        fatal();
        return 2;
      }
      set_option(c, on);
      continue;
    }
    for (char c : arg.substr(1)) {
      if (c != 'e' && c != 'u' && c != 'x' && c != 'f') {
        Text what("Illegal option ");
        what.append(arg[0]);
        what.append(c);
        error("set", what.view());
        fatal();
        return 2;
      }
      set_option(c, on);
    }
  }
  if (set_positional || i < argv.size()) {
    positional_.clear();
    for (; i < argv.size(); ++i) positional_.push(argv[i].copy());
    if (positional_.failed()) {
      positional_.clear();
      error("set", "too many arguments");
      return 2;
    }
  }
  return 0;
}

int Shell::builtin_shift(Args argv) {
  int64_t n = 1;
  if (argv.size() > 1 && (!parse_number(argv[1].view(), &n) || n < 0)) {
    error("shift", "Illegal number", argv[1].view());
    fatal();
    return 2;
  }
  if (static_cast<uint64_t>(n) > positional_.size()) {
    error("shift", "can't shift that many");
    fatal();
    return 2;
  }
  positional_.drop_front(static_cast<size_t>(n));
  return 0;
}

int Shell::builtin_exit(Args argv, bool is_return) {
  int64_t n = status_;
  if (argv.size() > 1 && (!parse_number(argv[1].view(), &n) || n < 0)) {
    Text what("Illegal number: ");
    what.append(argv[1].view());
    error(argv[0].view(), what.view());
    fatal();
    return 2;
  }
  const int status = static_cast<int>(n & 0xff);
  if (is_return) {
    flow_ = Flow::Return;
    status_ = status;
    return status;
  }
  flow_ = Flow::Exit;
  exit_status_ = status;
  exited_ = true;
  return status;
}

int Shell::builtin_break(Args argv, Flow flow) {
  int64_t n = 1;
  if (argv.size() > 1 && (!parse_number(argv[1].view(), &n) || n < 1)) {
    Text what("Illegal number: ");
    what.append(argv[1].view());
    error(argv[0].view(), what.view());
    fatal();
    return 2;
  }
  if (loops_ == 0) return 0;
  flow_ = flow;
  flow_count_ = n > loops_ ? loops_ : static_cast<int>(n);
  return 0;
}

int Shell::builtin_dot(Args argv) {
  if (argv.size() < 2) {
    error(argv[0].view(), "filename argument required");
    fatal();
    return 2;
  }
  const StringView name = argv[1].view();
  Text path;
  if (name.find('/') == StringView::kNpos) {
    // As dash: along PATH (for a readable file), then here.
    const Text* search = variable("PATH");
    const StringView dirs = search ? search->view() : StringView("/bin:/usr/bin");
    bool found = false;
    for (size_t i = 0; i <= dirs.size() && !found;) {
      size_t colon = dirs.find(':', i);
      if (colon == StringView::kNpos) colon = dirs.size();
      Text candidate(dirs.substr(i, colon - i));
      if (!candidate.empty()) candidate.append('/');
      candidate.append(name);
      absolute(candidate.view(), path);
      auto info = host_.stat(path.view());
      found = info.ok() && info.value().type == FileInfo::Type::Regular;
      i = colon + 1;
    }
    if (!found) absolute(name, path);
  } else {
    absolute(name, path);
  }
  Text text;
  HostError why = HostError::NotFound;
  if (!read_file(path.view(), text, &why)) {
    Text what("cannot open ");
    what.append(name);
    error(argv[0].view(), what.view(), host_error_text(why));
    fatal();
    return 2;
  }
  if (!enter()) return 2;
  status_ = 0;
  int status = run_text(text.view());
  if (flow_ == Flow::Return) {
    flow_ = Flow::Normal;
    status = status_;
  }
  leave();
  return status;
}

int Shell::builtin_eval(Args argv) {
  Text text;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (i > 1) text.append(' ');
    text.append(argv[i].view());
  }
  if (text.failed()) {
    no_memory();
    return 2;
  }
  if (!enter()) return 2;
  status_ = 0;
  const int status = run_text(text.view());
  leave();
  return status;
}

int Shell::builtin_read(Args argv) {
  size_t i = 1;
  bool raw = false;
  for (; i < argv.size() && argv[i].view().starts_with("-") && argv[i].size() > 1; ++i) {
    if (argv[i].view() == "--") {
      ++i;
      break;
    }
    if (argv[i].view() == "-r") {
      raw = true;
    } else if (argv[i].view() == "-p" && i + 1 < argv.size()) {
      out(argv[++i].view());
    } else {
      error("read", "Illegal option", argv[i].view());
      return 2;
    }
  }
  if (i >= argv.size()) {
    error("read", "arg count");
    return 2;
  }
  for (size_t k = i; k < argv.size(); ++k) {
    if (!is_name(argv[k].view())) {
      error("read", argv[k].view(), "bad variable name");
      return 2;
    }
  }
  const Stream in = fds_.fds[0];
  Text line;
  bool eof = false;
  for (;;) {
    char c = 0;
    size_t n = 0;
    if (in.kind == Stream::Kind::Memory) {
      n = in.memory->read(&c, 1);
    } else if (in.kind == Stream::Kind::Handle) {
      auto r = host_.read(in.handle, &c, 1);
      n = r.ok() ? r.value() : 0;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    if (c == '\n') break;
    if (c == '\\' && !raw) {
      char d = 0;
      size_t m = 0;
      if (in.kind == Stream::Kind::Memory) {
        m = in.memory->read(&d, 1);
      } else {
        auto r = host_.read(in.handle, &d, 1);
        m = r.ok() ? r.value() : 0;
      }
      if (m == 0) {
        eof = true;
        break;
      }
      if (d != '\n') line.append(d);
      continue;
    }
    line.append(c);
    if (line.size() > kMaxLineLength) {
      error("read", "line too long (at most 65536 bytes)");
      return 2;
    }
    if (interrupted_) return 130;
  }
  if (line.failed()) {
    no_memory();
    return 2;
  }
  Vector<Text> fields;
  if (!split_ifs(line.view(), fields, argv.size() - i)) {
    no_memory();
    return 2;
  }
  for (size_t k = i; k < argv.size(); ++k) {
    const size_t f = k - i;
    if (!assign(argv[k].view(), f < fields.size() ? fields[f].view() : StringView())) return 2;
  }
  return eof ? 1 : 0;
}

int Shell::builtin_local(Args argv) {
  if (!locals_) {
    error("local", "not in a function");
    return 2;
  }
  for (size_t i = 1; i < argv.size(); ++i) {
    const StringView arg = argv[i].view();
    const size_t eq = arg.find('=');
    const StringView name = arg.substr(0, eq);
    if (!is_name(name)) {
      error("local", name, "bad variable name");
      return 2;
    }
    bool saved = false;
    for (const Saved& s : *locals_) saved = saved || s.name.view() == name;
    if (!saved) {
      Saved s;
      s.name.assign(name);
      if (const Variable* v = find_variable(name)) {
        s.existed = true;
        s.set = v->set;
        s.exported = v->exported;
        s.value = v->value.copy();
      }
      locals_->push(static_cast<Saved&&>(s));
      if (locals_->failed()) {
        locals_->clear_failure();
        no_memory();
        return 2;
      }
    }
    if (eq != StringView::kNpos && !assign(name, arg.substr(eq + 1))) return 2;
  }
  return 0;
}

// ---- Jobs ----

Job* Shell::find_job(StringView spec, StringView builtin) {
  Job* found = nullptr;
  if (spec.empty() || spec == "%%" || spec == "%+" || spec == "%") {
    for (Job& j : jobs_)
      if (!found || j.number > found->number) found = &j;
  } else if (spec.starts_with("%")) {
    int64_t n = 0;
    if (parse_number(spec.substr(1), &n))
      for (Job& j : jobs_)
        if (j.number == n) found = &j;
  } else {
    int64_t id = 0;
    if (parse_number(spec, &id))
      for (Job& j : jobs_)
        if (j.id == id) found = &j;
  }
  if (!found) {
    Text what("No such job: ");
    what.append(spec.empty() ? StringView("%%") : spec);
    error(builtin, what.view());
  }
  return found;
}

int Shell::builtin_jobs(Args) {
  for (Job& job : jobs_) {
    if (!job.done && job.host_job >= 0 && host_.poll(job.host_job, &job.ending)) {
      job.done = true;
      free_job_resources(job);
    }
    Text line("[");
    line.append_number(job.number);
    line.append(job.done ? "] Done   " : "] Running   ");
    line.append(job.command.view());
    line.append('\n');
    out(line.view());
  }
  // What was reported as done is forgotten.
  for (size_t i = 0; i < jobs_.size();) {
    if (!jobs_[i].done) {
      ++i;
      continue;
    }
    for (size_t k = i + 1; k < jobs_.size(); ++k) jobs_[k - 1] = static_cast<Job&&>(jobs_[k]);
    jobs_.pop();
  }
  return 0;
}

int Shell::builtin_fg(Args argv) {
  Job* job = find_job(argv.size() > 1 ? argv[1].view() : StringView(), "fg");
  if (!job) return 2;
  Text line(job->command.view());
  line.append('\n');
  out(line.view());
  if (!job->done && job->host_job >= 0) {
    job->ending = host_.wait(job->host_job);
    job->done = true;
  }
  const int status = ending_status(job->ending, true);
  free_job_resources(*job);
  const size_t index = static_cast<size_t>(job - jobs_.begin());
  for (size_t k = index + 1; k < jobs_.size(); ++k) jobs_[k - 1] = static_cast<Job&&>(jobs_[k]);
  jobs_.pop();
  return status;
}

int Shell::builtin_wait(Args argv) {
  if (argv.size() == 1) {
    for (Job& job : jobs_) {
      if (interrupted_) return 130;
      if (!job.done && job.host_job >= 0) job.ending = host_.wait(job.host_job);
      free_job_resources(job);
    }
    jobs_.clear();
    return 0;
  }
  int status = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    Job* job = find_job(argv[i].view(), "wait");
    if (!job) {
      status = 127;
      continue;
    }
    if (!job->done && job->host_job >= 0) job->ending = host_.wait(job->host_job);
    job->done = true;
    status = job->ending.status();
    free_job_resources(*job);
    const size_t index = static_cast<size_t>(job - jobs_.begin());
    for (size_t k = index + 1; k < jobs_.size(); ++k) jobs_[k - 1] = static_cast<Job&&>(jobs_[k]);
    jobs_.pop();
  }
  return status;
}

// ---- exec ----

int Shell::builtin_exec(SimpleNode* node, Expanded& command) {
  if (command.argv.size() == 1) {
    // exec >file: the redirections stay, for the rest of the shell.
    Opened opened;
    if (!apply_redirects(node->redirects, fds_, opened)) {
      release(opened);
      fatal();
      return 2;
    }
    // They stay open for as long as the shell runs.
    for (int h : opened.handles) permanent_.handles.push(h);
    for (MemoryStream* m : opened.memory) permanent_.memory.push(m);
    opened.handles.clear();
    opened.memory.clear();
    return 0;
  }
  command.argv.drop_front(1);
  Descriptors fds = fds_;
  Opened opened;
  int status = 2;
  if (apply_redirects(node->redirects, fds, opened)) status = run_external(command, fds);
  release(opened);
  flow_ = Flow::Exit;
  exit_status_ = status;
  exited_ = true;
  return status;
}

// ---- echo and test ----

int Shell::builtin_echo(Args argv) {
  size_t i = 1;
  bool newline = true;
  if (i < argv.size() && argv[i].view() == "-n") {
    newline = false;
    ++i;
  }
  Text line;
  for (; i < argv.size(); ++i) {
    if (line.size() || i > (newline ? 1u : 2u)) line.append(' ');
    const StringView a = argv[i].view();
    for (size_t k = 0; k < a.size(); ++k) {
      if (a[k] != '\\' || k + 1 == a.size()) {
        line.append(a[k]);
        continue;
      }
      const char c = a[++k];
      switch (c) {
        case 'a': line.append('\a'); break;
        case 'b': line.append('\b'); break;
        case 'c': out(line.view()); return 0;
        case 'f': line.append('\f'); break;
        case 'n': line.append('\n'); break;
        case 'r': line.append('\r'); break;
        case 't': line.append('\t'); break;
        case 'v': line.append('\v'); break;
        case '\\': line.append('\\'); break;
        case '0': {
          int value = 0;
          for (int d = 0; d < 3 && k + 1 < a.size() && a[k + 1] >= '0' && a[k + 1] <= '7'; ++d)
            value = value * 8 + (a[++k] - '0');
          line.append(static_cast<char>(value));
          break;
        }
        default:
          line.append('\\');
          line.append(c);
          break;
      }
    }
  }
  if (newline) line.append('\n');
  out(line.view());
  return 0;
}

namespace {

// test's expression grammar: or (-o), and (-a), ! and primaries, over the arguments.
class TestEvaluator {
 public:
  TestEvaluator(Host& host, const Shell& shell, Args args, Message& error,
                void (*absolute)(const Shell&, StringView, Text&))
      : host_(host), shell_(shell), args_(args), error_(error), absolute_(absolute) {}

  // 0 true, 1 false, 2 error.
  int run() {
    if (args_.empty()) return 1;
    const bool value = disjunction();
    if (!ok_) return 2;
    if (pos_ < args_.size()) {
      fail("unexpected operator");
      return 2;
    }
    return value ? 0 : 1;
  }

 private:
  StringView at(size_t i) const { return i < args_.size() ? args_[i].view() : StringView(); }
  void fail(StringView why) {
    if (!ok_) return;
    ok_ = false;
    error_.clear();
    error_.add(why);
  }
  static bool is_unary(StringView op) {
    if (op.size() != 2 || op[0] != '-') return false;
    for (char c : StringView("efdxrwsnzLhpSbct"))
      if (op[1] == c) return true;
    return false;
  }
  static bool is_binary(StringView op) {
    for (StringView b : {"=", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "<", ">"})
      if (op == b) return true;
    return false;
  }
  bool disjunction() {
    bool value = conjunction();
    while (ok_ && at(pos_) == "-o") {
      ++pos_;
      value = conjunction() || value;
    }
    return value;
  }
  bool conjunction() {
    bool value = negation();
    while (ok_ && at(pos_) == "-a") {
      ++pos_;
      value = negation() && value;
    }
    return value;
  }
  bool negation() {
    if (++depth_ > kMaxNesting) {
      fail("expression too deeply nested");
      return false;
    }
    bool value = false;
    if (at(pos_) == "!" && pos_ + 1 < args_.size()) {
      ++pos_;
      value = !negation();
    } else {
      value = primary();
    }
    --depth_;
    return value;
  }
  bool primary() {
    if (pos_ >= args_.size()) {
      fail("argument expected");
      return false;
    }
    const StringView a = at(pos_);
    if (pos_ + 2 < args_.size() + 0 && is_binary(at(pos_ + 1))) {
      const StringView op = at(pos_ + 1);
      const StringView b = at(pos_ + 2);
      pos_ += 3;
      return binary(a, op, b);
    }
    if (a == "(" && pos_ + 1 < args_.size()) {
      ++pos_;
      const bool value = disjunction();
      if (at(pos_) != ")") {
        fail("closing paren expected");
        return false;
      }
      ++pos_;
      return value;
    }
    if (is_unary(a) && pos_ + 1 < args_.size()) {
      const StringView operand = at(pos_ + 1);
      pos_ += 2;
      return unary(a[1], operand);
    }
    ++pos_;
    return !a.empty();
  }
  bool number(StringView s, int64_t* n) {
    while (!s.empty() && (s[0] == ' ' || s[0] == '\t')) s = s.substr(1);
    if (parse_number(s, n)) return true;
    Text what("Illegal number: ");
    what.append(s);
    fail(what.view());
    return false;
  }
  bool binary(StringView a, StringView op, StringView b) {
    if (op == "=") return a == b;
    if (op == "!=") return !(a == b);
    if (op == "<" || op == ">") {
      size_t n = 0;
      while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
      const int c =
          n < a.size() && n < b.size()
              ? (static_cast<unsigned char>(a[n]) < static_cast<unsigned char>(b[n]) ? -1 : 1)
              : (a.size() < b.size()   ? -1
                 : a.size() > b.size() ? 1
                                       : 0);
      return op == "<" ? c < 0 : c > 0;
    }
    int64_t x = 0;
    int64_t y = 0;
    if (!number(a, &x) || !number(b, &y)) return false;
    if (op == "-eq") return x == y;
    if (op == "-ne") return x != y;
    if (op == "-lt") return x < y;
    if (op == "-le") return x <= y;
    if (op == "-gt") return x > y;
    return x >= y;
  }
  bool unary(char op, StringView operand) {
    if (op == 'n') return !operand.empty();
    if (op == 'z') return operand.empty();
    if (op == 't') return false;
    if (operand.empty()) return false;
    Text path;
    absolute_(shell_, operand, path);
    auto info = host_.stat(path.view());
    if (!info.ok()) return false;
    const FileInfo& f = info.value();
    switch (op) {
      case 'e':
      case 'r':
      case 'w': return true;
      case 'f': return f.type == FileInfo::Type::Regular;
      case 'd': return f.type == FileInfo::Type::Directory;
      case 'x': return f.executable || f.type == FileInfo::Type::Directory;
      case 's': return f.size > 0;
      default: return false;
    }
  }

  Host& host_;
  const Shell& shell_;
  Args args_;
  Message& error_;
  void (*absolute_)(const Shell&, StringView, Text&);
  size_t pos_ = 0;
  int depth_ = 0;
  bool ok_ = true;
};

}  // namespace

int Shell::builtin_test(Args argv, bool bracket) {
  Args args = argv.subspan(1);
  if (bracket) {
    if (args.empty() || args[args.size() - 1].view() != "]") {
      error("[", "missing ]");
      return 2;
    }
    args = args.subspan(0, args.size() - 1);
  }
  Message message;
  TestEvaluator evaluator(host_, *this, args, message,
                          [](const Shell& s, StringView p, Text& out) { s.absolute(p, out); });
  const int status = evaluator.run();
  if (status == 2) error(argv[0].view(), message.view());
  return status;
}

}  // namespace stellina::sh
