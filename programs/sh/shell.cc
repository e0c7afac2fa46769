// Running commands: lists, pipelines, compound commands, simple commands and the programs
// they start, redirections, subshells, functions and jobs; and the driver (scripts, lines).

#include "shell.h"

#include "parser.h"
#include "pattern.h"

namespace stellina::sh {

// One command of a pipeline, planned before anything runs: a program to start (external)
// or something the shell runs itself.
struct Shell::Stage {
  Node* node = nullptr;
  bool external = false;
  bool expanded = false;  // a simple command whose words were expanded while planning
  Expanded command;
  Text path;
  Vector<Text> env;
  Vector<StringView> argv_views;
  Vector<StringView> env_views;
  Descriptors fds;  // stdin/stdout still Pipe where the pipeline connects them
  Opened opened;
};

// ---- Creation ----

Shell* Shell::create(Host& host, bool interactive) {
  void* memory = sh_allocate(sizeof(Shell));
  if (!memory) return nullptr;
  Shell* shell = new (memory) Shell(host, interactive);
  if (!shell->assign("IFS", " \t\n") || !shell->assign("PS1", interactive ? "$ " : "$ ") ||
      !shell->assign("PS2", "> ") || !shell->assign("PWD", "/")) {
    dispose(shell);
    return nullptr;
  }
  shell->cwd_.assign("/");
  return shell;
}

void Shell::dispose(Shell* shell) {
  if (!shell) return;
  shell->~Shell();
  sh_free(shell);
}

Shell::Shell(Host& host, bool interactive) : host_(host), interactive_(interactive) {
  name_.assign("sh");
  fds_.fds[0] = Stream::of_handle(kShellStdin);
  fds_.fds[1] = Stream::of_handle(kShellStdout);
  fds_.fds[2] = Stream::of_handle(kShellStderr);
}

Shell::~Shell() {
  for (Job& job : jobs_) {
    if (job.host_job >= 0 && !job.done) host_.wait(job.host_job);
    free_job_resources(job);
  }
  for (Function* f : functions_) release_function(f);
  release(permanent_);
}

void Shell::set_arguments(StringView name, std::span<const StringView> arguments) {
  name_.assign(name);
  positional_.clear();
  for (StringView a : arguments) positional_.push(Text(a));
}

void Shell::import_environment(std::span<const StringView> entries) {
  for (StringView entry : entries) {
    const size_t eq = entry.find('=');
    if (eq == StringView::kNpos || !is_name(entry.substr(0, eq))) continue;
    if (assign(entry.substr(0, eq), entry.substr(eq + 1))) {
      find_variable(entry.substr(0, eq))->exported = true;
    }
  }
  const Text* pwd = variable("PWD");
  if (pwd && !pwd->empty() && pwd->view()[0] == '/') absolute(pwd->view(), cwd_);
}

// ---- Output and errors ----

namespace {

void write_to(Host& host, const Stream& s, StringView text) {
  switch (s.kind) {
    case Stream::Kind::Handle: (void)host.write(s.handle, text).ok(); break;
    case Stream::Kind::Memory: s.memory->write(text); break;
    case Stream::Kind::Closed:
    case Stream::Kind::Pipe: break;
  }
}

}  // namespace

void Shell::out(StringView s) { write_to(host_, fds_.fds[1], s); }
void Shell::err(StringView s) { write_to(host_, fds_.fds[2], s); }

void Shell::error(StringView what) {
  Text line("sh: ");
  line.append(what);
  line.append('\n');
  err(line.view());
}

void Shell::error(StringView a, StringView b) {
  Text line("sh: ");
  line.append(a);
  line.append(": ");
  line.append(b);
  line.append('\n');
  err(line.view());
}

void Shell::error(StringView a, StringView b, StringView c) {
  Text line("sh: ");
  line.append(a);
  line.append(": ");
  line.append(b);
  line.append(": ");
  line.append(c);
  line.append('\n');
  err(line.view());
}

void Shell::fatal(int status) {
  status_ = status;
  if (interactive_ && subshells_ == 0) {
    flow_ = Flow::Abort;
    return;
  }
  flow_ = Flow::Exit;
  exit_status_ = status;
  exited_ = true;
}

void Shell::abort_command() {
  status_ = 2;
  flow_ = Flow::Abort;
  aborting_ = true;
}

void Shell::report_failed(const Text& t) {
  if (!t.too_long()) {
    no_memory();
    return;
  }
  error("string too long (at most 1 MiB)");
  abort_command();
}

void Shell::no_memory() {
  error("out of memory");
  abort_command();
}

bool Shell::option(char c) const {
  for (char o : options_)
    if (o == c) return true;
  return false;
}

void Shell::set_option(char c, bool on) {
  for (char& o : options_) {
    if (o == c) {
      if (!on) o = 0;
      return;
    }
  }
  if (!on) return;
  for (char& o : options_) {
    if (!o) {
      o = c;
      return;
    }
  }
}

void Shell::absolute(StringView path, Text& out) const {
  Text joined;
  if (path.empty() || path[0] != '/') {
    joined.append(cwd_.view());
    joined.append('/');
  }
  joined.append(path);
  // Logical normalization: . goes, .. takes the component before it away.
  out.clear();
  const StringView p = joined.view();
  for (size_t i = 0; i < p.size();) {
    while (i < p.size() && p[i] == '/') ++i;
    size_t end = p.find('/', i);
    if (end == StringView::kNpos) end = p.size();
    const StringView component = p.substr(i, end - i);
    i = end;
    if (component.empty() || component == ".") continue;
    if (component == "..") {
      size_t cut = out.size();
      while (cut > 0 && out.view()[cut - 1] != '/') --cut;
      out.truncate(cut > 0 ? cut - 1 : 0);
      continue;
    }
    out.append('/');
    out.append(component);
  }
  if (out.empty()) out.append('/');
}

bool Shell::read_file(StringView path, Text& out, HostError* why) {
  auto handle = host_.open(path, OpenMode::Read);
  if (!handle.ok()) {
    *why = handle.error();
    return false;
  }
  char buffer[4096];
  for (;;) {
    auto n = host_.read(handle.value(), buffer, sizeof(buffer));
    if (!n.ok()) {
      *why = n.error();
      host_.close(handle.value());
      return false;
    }
    if (n.value() == 0) break;
    out.append(StringView(buffer, n.value()));
    if (out.size() > kMaxScriptSize || out.failed()) {
      *why = HostError::TooLarge;
      host_.close(handle.value());
      return false;
    }
  }
  host_.close(handle.value());
  return true;
}

// ---- The driver ----

int Shell::run_script(StringView text) {
  interrupted_ = false;
  if (text.size() > kMaxScriptSize) {
    error("script too large (at most 1 MiB)");
    exited_ = true;
    exit_status_ = 2;
    return 2;
  }
  run_text(text);
  if (!exited_) {
    exited_ = true;
    exit_status_ = status_;
  }
  return exit_status_;
}

LineResult Shell::run_line(StringView line) {
  if (exited_) return LineResult::Exit;
  interrupted_ = false;
  if (pending_.size() + line.size() + 1 > kMaxLineLength) {
    pending_.clear();
    error("line too long (at most 65536 bytes)");
    status_ = 2;
    return LineResult::Done;
  }
  pending_.append(line);
  if (pending_.back() != '\n') pending_.append('\n');
  if (pending_.failed()) {
    pending_.clear();
    no_memory();
    flow_ = Flow::Normal;
    return LineResult::Done;
  }
  {
    // Is the command complete? (Errors are reported when the text runs.)
    Arena arena;
    Parser parser(arena, pending_.view());
    for (;;) {
      Node* node = nullptr;
      const ParseStatus status = parser.next(&node);
      if (status == ParseStatus::NeedMore) return LineResult::NeedMore;
      if (status != ParseStatus::Ok) break;
      arena.reset();
    }
  }
  Text text = static_cast<Text&&>(pending_);
  pending_ = Text();
  run_text(text.view());
  if (flow_ != Flow::Exit) flow_ = Flow::Normal;
  if (interrupted_) status_ = 130;
  return exited_ ? LineResult::Exit : LineResult::Done;
}

StringView Shell::prompt() {
  const Text* p = variable(pending_.empty() ? "PS1" : "PS2");
  if (p) return p->view();
  return pending_.empty() ? "$ " : "> ";
}

void Shell::interrupt() {
  interrupted_ = true;
  pending_.clear();
}

int Shell::run_text(StringView text) {
  Arena arena;
  Parser parser(arena, text);
  parser.set_complete();
  for (;;) {
    Node* node = nullptr;
    const ParseStatus status = parser.next(&node);
    if (status == ParseStatus::End) break;
    if (status != ParseStatus::Ok) {
      error(parser.message());
      fatal();
      break;
    }
    status_ = run_node(node);
    arena.reset();
    if (aborting_ && depth_ == 0 && subshells_ == 0) {
      // The command stopped at one of the shell's bounds; the next one runs.
      aborting_ = false;
      flow_ = Flow::Normal;
      status_ = 2;
    }
    if (stopping()) break;
  }
  return status_;
}

// A command substitution: the script runs in a subshell whose stdout is captured.
bool Shell::capture(StringView script, Text& output) {
  if (!enter()) return false;
  auto* m = make<MemoryStream>();
  Snapshot snapshot;
  if (!m || !take_snapshot(snapshot)) {
    destroy(m);
    leave();
    if (!m) no_memory();
    return false;
  }
  const Descriptors saved = fds_;
  const int saved_status = status_;
  fds_.fds[1] = Stream::of_memory(m);
  const int loops = loops_;
  loops_ = 0;
  ++subshells_;
  const int status = end_subshell(run_text(script));
  --subshells_;
  loops_ = loops;
  fds_ = saved;
  restore(snapshot);
  leave();
  // $? stays what it was while the command is expanded; an assignment alone takes this.
  substitution_status_ = status;
  status_ = saved_status;
  bool ok = !interrupted_;
  if (m->data().failed()) {
    error("command substitution: output too large (at most 1 MiB)");
    abort_command();
    ok = false;
  } else {
    StringView text = m->data().view();
    while (!text.empty() && text[text.size() - 1] == '\n') text = text.substr(0, text.size() - 1);
    output.append(text);
    if (output.failed()) {
      no_memory();
      ok = false;
    }
  }
  destroy(m);
  return ok;
}

// ---- Lists ----

bool Shell::enter() {
  if (++depth_ > kMaxCallDepth) {
    --depth_;
    error("too deeply nested (functions, eval, subshells: at most 64 levels)");
    abort_command();
    return false;
  }
  return true;
}

void Shell::errexit_check(int status) {
  if (status != 0 && option('e') && errexit_suppressed_ == 0 && flow_ == Flow::Normal) {
    flow_ = Flow::Exit;
    exit_status_ = status;
    exited_ = true;
  }
}

int Shell::run_node(Node* node) {
  switch (node->kind) {
    case NodeKind::List: return run_list(static_cast<ListNode*>(node)->items);
    case NodeKind::AndOr: return run_and_or(static_cast<ListNode*>(node));
    case NodeKind::Pipeline: return run_pipeline(static_cast<PipelineNode*>(node));
    default: {
      const int status = run_command(node);
      errexit_check(status);
      return status;
    }
  }
}

int Shell::run_list(Node* items) {
  int status = 0;
  for (Node* item = items; item && !stopping(); item = item->next) {
    status = item->background ? run_background(item) : run_node(item);
    status_ = status;
  }
  return status;
}

int Shell::run_and_or(ListNode* node) {
  int status = 0;
  for (Node* item = node->items; item && !stopping(); item = item->next) {
    if (item->connector == Connector::And && status != 0) continue;
    if (item->connector == Connector::Or && status == 0) continue;
    const bool last = item->next == nullptr;
    if (!last) ++errexit_suppressed_;
    status = run_node(item);
    if (!last) --errexit_suppressed_;
    status_ = status;
  }
  return status;
}

int Shell::run_pipeline(PipelineNode* node) {
  if (node->negate) ++errexit_suppressed_;
  int status = node->commands->next ? run_stages(node->commands, false, node->source)
                                    : run_command(node->commands);
  if (node->negate) {
    --errexit_suppressed_;
    status = status == 0 ? 1 : 0;
  } else {
    errexit_check(status);
  }
  return status;
}

// ---- Pipelines ----

bool Shell::plan_stage(Node* node, Stage& stage) {
  stage.node = node;
  if (node->kind != NodeKind::Simple) return true;
  auto* simple = static_cast<SimpleNode*>(node);
  if (!simple->words) return true;  // assignments and redirections: run by the shell
  // Expanded in a subshell's scope: a stage's side effects stay in it.
  Snapshot snapshot;
  if (!take_snapshot(snapshot)) return false;
  const bool ok = expand_command(simple, stage.command);
  restore(snapshot);
  if (!ok) return false;
  stage.expanded = true;
  if (stage.command.argv.empty()) return true;
  const StringView name = stage.command.argv[0].view();
  if (find_function(name) || builtin_kind(name) != BuiltinKind::None) return true;
  // Not found: the shell reports it when the stage runs.
  Text path;
  if (locate(name, path) != 0) return true;
  stage.path = static_cast<Text&&>(path);
  stage.external = true;
  Descriptors fds = fds_;
  fds.fds[0] = Stream::pipe();
  fds.fds[1] = Stream::pipe();
  if (!apply_redirects(simple->redirects, fds, stage.opened)) {
    release(stage.opened);
    stage.external = false;
    stage.expanded = false;
    stage.node = nullptr;  // the error was reported; the stage fails
    return true;
  }
  stage.fds = fds;
  if (!environment(std::span<const Text>(stage.command.assignments.begin(),
                                         stage.command.assignments.size()),
                   stage.env))
    return false;
  return true;
}

int Shell::run_stages(Node* commands, bool background, StringView source) {
  Vector<Stage> stages{kMaxPipeline};
  for (Node* c = commands; c; c = c->next) {
    stages.push(Stage{});
    if (stages.failed()) {
      no_memory();
      return 2;
    }
    if (!plan_stage(c, stages.back())) {
      for (Stage& s : stages) release(s.opened);
      return status_ ? status_ : 2;
    }
  }
  bool all_external = true;
  for (Stage& s : stages) all_external = all_external && s.external;
  if (background && !all_external) {
    // What the shell runs itself cannot run beside it: it runs now, as a finished job.
    for (Stage& s : stages) release(s.opened);
    return -1;
  }

  int status = 0;
  Stream input = background ? Stream::closed() : fds_.fds[0];
  MemoryStream* carried = nullptr;  // the output of the stages before, for the next
  for (size_t i = 0; i < stages.size() && !stopping();) {
    size_t end = i;
    while (end < stages.size() && stages[end].external) ++end;
    const bool last = (end == i ? i + 1 : end) == stages.size();
    MemoryStream* output = nullptr;
    if (!last) {
      output = make<MemoryStream>();
      if (!output) {
        no_memory();
        break;
      }
    }
    const Stream out = last ? fds_.fds[1] : Stream::of_memory(output);
    if (end > i) {
      status = run_group(&stages[i], end - i, input, out, background, source);
      i = end;
    } else {
      status = run_in_process(stages[i], input, out);
      ++i;
    }
    destroy(carried);
    carried = output;
    if (output) {
      if (output->data().failed()) {
        error("pipe: more than 1 MiB into a command the shell runs itself");
        abort_command();
        status = 2;
        break;
      }
      input = Stream::of_memory(output);
    }
  }
  destroy(carried);
  for (Stage& s : stages) release(s.opened);
  return status;
}

int Shell::run_group(Stage* stages, size_t count, Stream input, Stream output, bool background,
                     StringView source) {
  Program programs[kMaxPipeline];
  for (size_t k = 0; k < count; ++k) {
    Stage& s = stages[k];
    s.argv_views.clear();
    s.env_views.clear();
    for (const Text& a : s.command.argv) s.argv_views.push(a.view());
    for (const Text& e : s.env) s.env_views.push(e.view());
    if (s.argv_views.failed() || s.env_views.failed()) {
      no_memory();
      return 2;
    }
    // Pipe where the stage's stdin or stdout were before its redirections: at the group's
    // ends, that is the group's input or output (and 2>&1 follows stdout there).
    Stream fds[3] = {s.fds.fds[0], s.fds.fds[1], s.fds.fds[2]};
    if (k == 0 && fds[0].kind == Stream::Kind::Pipe) fds[0] = input;
    if (k + 1 == count) {
      if (fds[1].kind == Stream::Kind::Pipe) fds[1] = output;
      if (fds[2].kind == Stream::Kind::Pipe) fds[2] = output;
    }
    programs[k].path = s.path.view();
    programs[k].argv = std::span<const StringView>(s.argv_views.begin(), s.argv_views.size());
    programs[k].env = std::span<const StringView>(s.env_views.begin(), s.env_views.size());
    programs[k].in = fds[0];
    programs[k].out = fds[1];
    programs[k].err = fds[2];
  }
  Pipeline pipeline{std::span<const Program>(programs, count), cwd_.view()};
  size_t failed = 0;
  auto job = host_.start(pipeline, &failed);
  if (!job.ok())
    return start_failed(stages[failed < count ? failed : 0].command.argv[0].view(), job.error());
  if (background) {
    Job* j = add_job(source);
    if (!j) {
      return ending_status(host_.wait(job.value()), true);
    }
    j->host_job = job.value();
    j->id = host_.job_id(job.value());
    last_background_ = j->id;
    has_background_ = true;
    // The job's files and documents stay open until it has ended.
    for (size_t k = 0; k < count; ++k) {
      for (int h : stages[k].opened.handles) j->handles.push(h);
      for (MemoryStream* m : stages[k].opened.memory) j->memory.push(m);
      stages[k].opened.handles.clear();
      stages[k].opened.memory.clear();
    }
    return 0;
  }
  return ending_status(host_.wait(job.value()), true);
}

int Shell::run_in_process(Stage& stage, Stream input, Stream output) {
  Snapshot snapshot;
  if (!take_snapshot(snapshot)) return 2;
  const Descriptors saved = fds_;
  fds_.fds[0] = input;
  fds_.fds[1] = output;
  ++subshells_;
  int status = 2;
  if (!stage.node) {
    status = 2;  // its redirection failed while planning
  } else if (stage.expanded) {
    status = execute_simple(static_cast<SimpleNode*>(stage.node), stage.command);
  } else {
    status = run_command(stage.node);
  }
  status = end_subshell(status);
  --subshells_;
  fds_ = saved;
  restore(snapshot);
  return status;
}

int Shell::run_background(Node* node) {
  int status = -1;
  if (node->kind == NodeKind::Pipeline && !static_cast<PipelineNode*>(node)->negate) {
    status = run_stages(static_cast<PipelineNode*>(node)->commands, true, node->source);
  } else if (node->kind == NodeKind::Simple) {
    // A one-command pipeline: its next is the list's next item, not a stage.
    Node* next = node->next;
    node->next = nullptr;
    status = run_stages(node, true, node->source);
    node->next = next;
  }
  if (status >= 0) return 0;
  if (stopping()) return status_;
  // Run by the shell itself: at once, in a subshell, with stdin closed.
  Job* job = add_job(node->source);
  Snapshot snapshot;
  if (!take_snapshot(snapshot)) return 2;
  const Descriptors saved = fds_;
  if (fds_.fds[0].kind == Stream::Kind::Handle && fds_.fds[0].handle == kShellStdin)
    fds_.fds[0] = Stream::closed();
  ++subshells_;
  const bool background = node->background;
  node->background = false;
  status = end_subshell(run_node(node));
  node->background = background;
  --subshells_;
  fds_ = saved;
  restore(snapshot);
  if (job) {
    job->done = true;
    job->ending.code = status;
    job->id = 1000000 + job->number;
    last_background_ = job->id;
    has_background_ = true;
  }
  return 0;
}

// ---- Commands ----

int Shell::run_command(Node* node) {
  if (interrupted_) return 130;
  switch (node->kind) {
    case NodeKind::Simple: return run_simple(static_cast<SimpleNode*>(node));
    case NodeKind::Function: return define_function(static_cast<FunctionNode*>(node));
    case NodeKind::List:
    case NodeKind::AndOr:
    case NodeKind::Pipeline: return run_node(node);
    default: return run_compound(node);
  }
}

int Shell::run_compound(Node* node) {
  if (!enter()) return 2;
  int status = 0;
  if (node->redirects) {
    Opened opened;
    const Descriptors saved = fds_;
    if (apply_redirects(node->redirects, fds_, opened)) {
      status = run_compound_body(node);
    } else {
      status = 2;
    }
    fds_ = saved;
    release(opened);
  } else {
    status = run_compound_body(node);
  }
  leave();
  return status;
}

int Shell::run_compound_body(Node* node) {
  switch (node->kind) {
    case NodeKind::Group: return run_node(static_cast<ListNode*>(node)->items);
    case NodeKind::Subshell: return run_subshell(static_cast<ListNode*>(node)->items);
    case NodeKind::If: return run_if(static_cast<IfNode*>(node));
    case NodeKind::While: return run_while(static_cast<WhileNode*>(node));
    case NodeKind::For: return run_for(static_cast<ForNode*>(node));
    case NodeKind::Case: return run_case(static_cast<CaseNode*>(node));
    default: return run_node(node);
  }
}

int Shell::run_if(IfNode* node) {
  for (;;) {
    ++errexit_suppressed_;
    const int condition = run_node(node->condition);
    --errexit_suppressed_;
    if (stopping()) return condition;
    if (condition == 0) return run_node(node->then_part);
    Node* other = node->else_part;
    if (!other) return 0;
    if (other->kind != NodeKind::If) return run_node(other);
    node = static_cast<IfNode*>(other);
  }
}

// After a loop's body: whether to go on. Handles break and continue.
bool Shell::loop_step(int* status, bool* stop) {
  (void)status;
  if (flow_ == Flow::Break) {
    if (--flow_count_ <= 0) flow_ = Flow::Normal;
    *stop = true;
    return false;
  }
  if (flow_ == Flow::Continue) {
    if (--flow_count_ <= 0) {
      flow_ = Flow::Normal;
      return true;
    }
    *stop = true;
    return false;
  }
  if (stopping()) {
    *stop = true;
    return false;
  }
  return true;
}

int Shell::run_while(WhileNode* node) {
  int status = 0;
  ++loops_;
  for (;;) {
    if (stopping()) break;
    ++errexit_suppressed_;
    const int condition = run_node(node->condition);
    --errexit_suppressed_;
    if (flow_ == Flow::Break || flow_ == Flow::Continue) {
      bool stop = false;
      loop_step(&status, &stop);
      if (stop) break;
      continue;
    }
    if (stopping()) break;
    if ((condition == 0) == node->until) break;
    status = run_node(node->body);
    bool stop = false;
    loop_step(&status, &stop);
    if (stop) break;
  }
  --loops_;
  return status;
}

int Shell::run_for(ForNode* node) {
  Vector<Text> values;
  if (node->has_in) {
    if (!expand_fields(node->words, values)) return 2;
  } else {
    for (const Text& p : positional_) values.push(p.copy());
  }
  int status = 0;
  ++loops_;
  for (const Text& value : values) {
    if (stopping()) break;
    if (!assign(node->name, value.view())) {
      fatal();
      status = 2;
      break;
    }
    status = run_node(node->body);
    bool stop = false;
    loop_step(&status, &stop);
    if (stop) break;
  }
  --loops_;
  return status;
}

int Shell::run_case(CaseNode* node) {
  Text subject;
  if (!expand_string(node->subject->text, subject, false)) return 2;
  for (CaseItem* item = node->items; item; item = item->next) {
    for (Word* p = item->patterns; p; p = p->next) {
      Text pattern;
      if (!expand_pattern(p->text, pattern)) return 2;
      if (match_pattern(pattern.view(), subject.view()))
        return item->body ? run_node(item->body) : 0;
    }
  }
  return 0;
}

int Shell::end_subshell(int status) {
  if (aborting_) return 2;
  switch (flow_) {
    case Flow::Exit:
      status = exit_status_;
      exited_ = false;
      break;
    case Flow::Abort: status = status_ ? status_ : 2; break;
    case Flow::Return: status = status_; break;
    default: break;
  }
  flow_ = Flow::Normal;
  flow_count_ = 0;
  return status;
}

int Shell::run_subshell(Node* body) {
  Snapshot snapshot;
  if (!take_snapshot(snapshot)) return 2;
  const int loops = loops_;
  loops_ = 0;
  ++subshells_;
  const int status = end_subshell(run_node(body));
  --subshells_;
  loops_ = loops;
  restore(snapshot);
  return status;
}

bool Shell::take_snapshot(Snapshot& s) {
  for (const Variable& v : variables_) {
    Variable copy;
    copy.name = v.name.copy();
    copy.value = v.value.copy();
    copy.set = v.set;
    copy.exported = v.exported;
    copy.readonly = v.readonly;
    s.variables.push(static_cast<Variable&&>(copy));
  }
  for (const Text& p : positional_) s.positional.push(p.copy());
  for (Function* f : functions_) {
    ++f->references;
    s.functions.push(f);
  }
  s.cwd = cwd_.copy();
  for (size_t i = 0; i < sizeof(options_); ++i) s.options[i] = options_[i];
  s.fds = fds_;
  s.permanent_handles = permanent_.handles.size();
  s.permanent_memory = permanent_.memory.size();
  bool ok =
      !s.variables.failed() && !s.positional.failed() && !s.functions.failed() && !s.cwd.failed();
  for (const Variable& v : s.variables) ok = ok && !v.name.failed() && !v.value.failed();
  s.ok = ok;
  if (!ok) {
    for (Function* f : s.functions) release_function(f);
    s.functions.clear();
    no_memory();
  }
  return ok;
}

void Shell::restore(Snapshot& s) {
  if (!s.ok) return;
  variables_ = static_cast<Vector<Variable>&&>(s.variables);
  positional_ = static_cast<Vector<Text>&&>(s.positional);
  for (Function* f : functions_) release_function(f);
  functions_ = static_cast<Vector<Function*>&&>(s.functions);
  cwd_ = static_cast<Text&&>(s.cwd);
  for (size_t i = 0; i < sizeof(options_); ++i) options_[i] = s.options[i];
  // What exec redirected in the subshell ends with it.
  fds_ = s.fds;
  while (permanent_.handles.size() > s.permanent_handles) {
    host_.close(permanent_.handles.back());
    permanent_.handles.pop();
  }
  while (permanent_.memory.size() > s.permanent_memory) {
    destroy(permanent_.memory.back());
    permanent_.memory.pop();
  }
  s.ok = false;
}

// ---- Simple commands ----

bool Shell::expand_command(SimpleNode* node, Expanded& command) {
  substitution_status_ = -1;
  for (Word* a = node->assignments; a; a = a->next) {
    const size_t eq = a->text.find('=');
    Text value;
    if (!expand_string(a->text.substr(eq + 1), value, true)) return false;
    Text entry(a->text.substr(0, eq + 1));
    entry.append(value.view());
    if (entry.failed()) {
      report_failed(entry);
      return false;
    }
    command.assignments.push(static_cast<Text&&>(entry));
  }
  if (!expand_fields(node->words, command.argv)) return false;
  if (command.assignments.failed() || command.argv.failed()) {
    no_memory();
    return false;
  }
  return true;
}

int Shell::run_simple(SimpleNode* node) {
  Expanded command;
  if (!expand_command(node, command)) return status_ ? status_ : 2;
  return execute_simple(node, command);
}

void Shell::trace(const Expanded& command) {
  if (!option('x')) return;
  Text line("+");
  for (const Text& a : command.assignments) {
    line.append(' ');
    line.append(a.view());
  }
  for (const Text& a : command.argv) {
    line.append(' ');
    line.append(a.view());
  }
  line.append('\n');
  err(line.view());
}

bool Shell::save_assignments(std::span<const Text> assignments, Vector<Saved>& saved,
                             bool exported) {
  for (const Text& a : assignments) {
    const StringView entry = a.view();
    const StringView name = entry.substr(0, entry.find('='));
    Saved s;
    s.name.assign(name);
    if (const Variable* v = find_variable(name)) {
      s.existed = true;
      s.set = v->set;
      s.exported = v->exported;
      s.value = v->value.copy();
    }
    saved.push(static_cast<Saved&&>(s));
    if (!assign_word(entry)) return false;
    if (exported) find_variable(name)->exported = true;
  }
  return true;
}

void Shell::restore_saved(Vector<Saved>& saved) {
  for (size_t i = saved.size(); i-- > 0;) {
    Saved& s = saved[i];
    Variable* v = find_variable(s.name.view());
    if (!s.existed) {
      if (v) {
        v->readonly = false;
        unset_variable(s.name.view());
      }
      continue;
    }
    if (!v) {
      if (!assign(s.name.view(), s.value.view())) continue;
      v = find_variable(s.name.view());
    }
    v->value = static_cast<Text&&>(s.value);
    v->set = s.set;
    v->exported = s.exported;
  }
  saved.clear();
}

int Shell::execute_simple(SimpleNode* node, Expanded& command) {
  const std::span<const Text> assignments(command.assignments.begin(), command.assignments.size());
  trace(command);
  if (command.argv.empty()) {
    int status = substitution_status_ >= 0 ? substitution_status_ : 0;
    for (const Text& a : command.assignments) {
      if (!assign_word(a.view())) {
        fatal(2);
        return 2;
      }
    }
    if (node->redirects) {
      Descriptors fds = fds_;
      Opened opened;
      if (!apply_redirects(node->redirects, fds, opened)) status = 2;
      release(opened);
    }
    return status;
  }
  const StringView name = command.argv[0].view();
  if (Function* f = find_function(name)) {
    Opened opened;
    const Descriptors saved_fds = fds_;
    int status = 2;
    if (apply_redirects(node->redirects, fds_, opened)) {
      Vector<Saved> saved;
      if (save_assignments(assignments, saved, true)) status = call_function(f, command);
      restore_saved(saved);
    }
    fds_ = saved_fds;
    release(opened);
    return status;
  }
  const BuiltinKind kind = builtin_kind(name);
  if (kind != BuiltinKind::None) {
    if (name == "exec") return builtin_exec(node, command);
    Opened opened;
    const Descriptors saved_fds = fds_;
    int status = 2;
    if (apply_redirects(node->redirects, fds_, opened)) {
      if (kind == BuiltinKind::Special) {
        bool ok = true;
        for (const Text& a : command.assignments) ok = ok && assign_word(a.view());
        status =
            ok ? run_builtin(std::span<const Text>(command.argv.begin(), command.argv.size())) : 2;
        if (!ok) fatal(2);
      } else {
        Vector<Saved> saved;
        if (save_assignments(assignments, saved, false))
          status = run_builtin(std::span<const Text>(command.argv.begin(), command.argv.size()));
        restore_saved(saved);
      }
    } else if (kind == BuiltinKind::Special) {
      fatal(2);
    }
    fds_ = saved_fds;
    release(opened);
    return status;
  }
  Descriptors fds = fds_;
  Opened opened;
  if (!apply_redirects(node->redirects, fds, opened)) {
    release(opened);
    return 2;
  }
  const int status = run_external(command, fds);
  release(opened);
  return status;
}

int Shell::locate(StringView name, Text& path) {
  if (name.find('/') != StringView::kNpos) {
    absolute(name, path);
    auto info = host_.stat(path.view());
    if (!info.ok()) return 127;
    if (info.value().type != FileInfo::Type::Regular || !info.value().executable) return 126;
    return 0;
  }
  const Text* search = variable("PATH");
  const StringView dirs = search ? search->view() : StringView("/bin:/usr/bin");
  for (size_t i = 0; i <= dirs.size();) {
    size_t colon = dirs.find(':', i);
    if (colon == StringView::kNpos) colon = dirs.size();
    Text candidate(dirs.substr(i, colon - i));
    if (!candidate.empty()) candidate.append('/');
    candidate.append(name);
    absolute(candidate.view(), path);
    auto info = host_.stat(path.view());
    if (info.ok() && info.value().type == FileInfo::Type::Regular && info.value().executable)
      return 0;
    i = colon + 1;
  }
  return 127;
}

bool Shell::find_program(StringView name, Text& path, int* status) {
  *status = locate(name, path);
  if (*status == 0) return true;
  error(name, *status == 127 ? StringView("not found") : StringView("Permission denied"));
  return false;
}

bool Shell::environment(std::span<const Text> assignments, Vector<Text>& entries) {
  for (const Variable& v : variables_) {
    if (!v.exported || !v.set) continue;
    bool overridden = false;
    for (const Text& a : assignments) {
      const StringView entry = a.view();
      overridden = overridden || entry.substr(0, entry.find('=')) == v.name.view();
    }
    if (overridden) continue;
    Text entry(v.name.view());
    entry.append('=');
    entry.append(v.value.view());
    entries.push(static_cast<Text&&>(entry));
  }
  for (const Text& a : assignments) entries.push(a.copy());
  for (const Text& e : entries) {
    if (e.failed()) {
      report_failed(e);
      return false;
    }
  }
  if (entries.failed()) {
    no_memory();
    return false;
  }
  return true;
}

int Shell::start_failed(StringView name, HostError why) {
  error(name, host_error_text(why));
  return why == HostError::NotFound ? 127 : 126;
}

int Shell::ending_status(const Ending& ending, bool foreground) {
  if (foreground && ending.how == Ending::How::Signaled && !ending.reason.empty()) {
    Text line(ending.reason);
    line.append('\n');
    err(line.view());
  }
  return ending.status();
}

int Shell::run_external(Expanded& command, const Descriptors& fds) {
  Stage stage;
  int status = 0;
  if (!find_program(command.argv[0].view(), stage.path, &status)) return status;
  if (!environment(std::span<const Text>(command.assignments.begin(), command.assignments.size()),
                   stage.env))
    return 2;
  stage.command.argv = static_cast<Vector<Text>&&>(command.argv);
  stage.fds = fds;
  stage.external = true;
  const int result = run_group(&stage, 1, fds.fds[0], fds.fds[1], false, StringView());
  command.argv = static_cast<Vector<Text>&&>(stage.command.argv);
  return result;
}

// ---- Redirections ----

bool Shell::apply_redirects(Redirect* redirects, Descriptors& fds, Opened& opened) {
  for (Redirect* r = redirects; r; r = r->next) {
    if (r->op == Redirect::Op::HereDoc) {
      auto* m = make<MemoryStream>();
      if (!m) {
        no_memory();
        return false;
      }
      opened.memory.push(m);
      if (opened.memory.failed()) {
        destroy(m);
        no_memory();
        return false;
      }
      if (r->here_quoted) {
        m->data().append(r->target);
      } else if (!expand_here_document(r->target, r->here_strip_tabs, m->data())) {
        return false;
      }
      if (m->data().failed()) {
        no_memory();
        return false;
      }
      fds.fds[r->fd] = Stream::of_memory(m);
      continue;
    }
    Text target;
    if (!expand_string(r->target, target, false)) return false;
    if (r->op == Redirect::Op::DupOut || r->op == Redirect::Op::DupIn) {
      if (target.view() == "-") {
        fds.fds[r->fd] = Stream::closed();
        continue;
      }
      int64_t n = -1;
      if (!parse_number(target.view(), &n) || n < 0 || n > kMaxFd) {
        error(target.view(), "Bad fd number");
        return false;
      }
      const Stream& source = fds.fds[n];
      if (source.kind == Stream::Kind::Closed && n > 2) {
        error(target.view(), "Bad file descriptor");
        return false;
      }
      fds.fds[r->fd] = source;
      continue;
    }
    OpenMode mode = OpenMode::Read;
    switch (r->op) {
      case Redirect::Op::Write: mode = OpenMode::Write; break;
      case Redirect::Op::Append: mode = OpenMode::Append; break;
      case Redirect::Op::ReadWrite: mode = OpenMode::ReadWrite; break;
      default: break;
    }
    Text path;
    absolute(target.view(), path);
    if (target.empty()) {
      error("cannot open : No such file");
      return false;
    }
    auto handle = host_.open(path.view(), mode);
    if (!handle.ok()) {
      Text what(mode == OpenMode::Read ? "cannot open " : "cannot create ");
      what.append(target.view());
      error(what.view(), handle.error() == HostError::NotFound && mode != OpenMode::Read
                             ? StringView("Directory nonexistent")
                             : host_error_text(handle.error()));
      return false;
    }
    opened.handles.push(handle.value());
    if (opened.handles.failed()) {
      host_.close(handle.value());
      no_memory();
      return false;
    }
    fds.fds[r->fd] = Stream::of_handle(handle.value());
  }
  return true;
}

void Shell::release(Opened& opened) {
  for (int h : opened.handles) host_.close(h);
  for (MemoryStream* m : opened.memory) destroy(m);
  opened.handles.clear();
  opened.memory.clear();
}

// ---- Functions ----

Function* Shell::find_function(StringView name) {
  for (Function* f : functions_)
    if (f->name.view() == name) return f;
  return nullptr;
}

void Shell::release_function(Function* f) {
  if (--f->references == 0) destroy(f);
}

int Shell::define_function(FunctionNode* node) {
  Function* f = make<Function>();
  if (!f) {
    no_memory();
    return 2;
  }
  f->references = 1;
  f->name.assign(node->name);
  f->body_text.assign(node->body_text);
  Parser parser(f->arena, f->body_text.view());
  Node* body = nullptr;
  if (f->name.failed() || f->body_text.failed() || parser.next(&body) != ParseStatus::Ok) {
    release_function(f);
    no_memory();
    return 2;
  }
  f->body = body;
  for (Function*& existing : functions_) {
    if (existing->name.view() == node->name) {
      release_function(existing);
      existing = f;
      return 0;
    }
  }
  functions_.push(f);
  if (functions_.failed()) {
    functions_.clear_failure();
    release_function(f);
    error(node->name, "too many functions");
    return 2;
  }
  return 0;
}

int Shell::call_function(Function* f, Expanded& command) {
  if (!enter()) return 2;
  ++f->references;
  Vector<Text> saved_positional = static_cast<Vector<Text>&&>(positional_);
  positional_ = Vector<Text>();
  for (size_t i = 1; i < command.argv.size(); ++i) positional_.push(command.argv[i].copy());
  const int loops = loops_;
  loops_ = 0;
  Vector<Saved> locals;
  Vector<Saved>* saved_locals = locals_;
  locals_ = &locals;
  int status = run_node(f->body);
  if (flow_ == Flow::Return) {
    flow_ = Flow::Normal;
    status = status_;
  }
  restore_saved(locals);
  locals_ = saved_locals;
  loops_ = loops;
  positional_ = static_cast<Vector<Text>&&>(saved_positional);
  release_function(f);
  leave();
  return status;
}

// ---- Jobs ----

Job* Shell::add_job(StringView source) {
  // Forget the ended jobs already reported or waited for.
  if (jobs_.size() == jobs_.limit()) {
    error("too many jobs (at most 32): waiting for this one");
    return nullptr;
  }
  int number = 1;
  for (const Job& j : jobs_)
    if (j.number >= number) number = j.number + 1;
  jobs_.push(Job{});
  if (jobs_.failed()) {
    jobs_.clear_failure();
    return nullptr;
  }
  Job& job = jobs_.back();
  job.number = number;
  StringView text = source;
  while (!text.empty() && (text[text.size() - 1] == '&' || text[text.size() - 1] == ' ' ||
                           text[text.size() - 1] == '\n' || text[text.size() - 1] == ';'))
    text = text.substr(0, text.size() - 1);
  job.command.assign(text);
  return &job;
}

void Shell::free_job_resources(Job& job) {
  for (int h : job.handles) host_.close(h);
  for (MemoryStream* m : job.memory) destroy(m);
  job.handles.clear();
  job.memory.clear();
}

void Shell::report_jobs() {
  for (size_t i = 0; i < jobs_.size();) {
    Job& job = jobs_[i];
    if (!job.done && job.host_job >= 0 && host_.poll(job.host_job, &job.ending)) {
      job.done = true;
      free_job_resources(job);
    }
    if (!job.done) {
      ++i;
      continue;
    }
    Text line("[");
    line.append_number(job.number);
    line.append("] ");
    const int status = job.ending.status();
    if (job.ending.how == Ending::How::Signaled) {
      line.append(job.ending.reason.empty() ? StringView("Terminated") : job.ending.reason);
    } else if (status == 0) {
      line.append("Done");
    } else {
      line.append("Done(");
      line.append_number(status);
      line.append(")");
    }
    line.append("   ");
    line.append(job.command.view());
    line.append('\n');
    err(line.view());
    const size_t last = jobs_.size() - 1;
    if (i != last) jobs_[i] = static_cast<Job&&>(jobs_[last]);
    jobs_.pop();
  }
}

}  // namespace stellina::sh
