#pragma once
// The interpreter of /bin/sh: the POSIX shell language as dash speaks it, over a Host
// (host.h) that runs programs and reaches files. main.cc only reads lines and calls this:
//
//   Shell* shell = Shell::create(host, interactive);       // Shell::dispose(shell) at the end
//   shell->set_arguments(argv...); shell->import_environment(env...);
//   int status = shell->run_script(text);                  // sh FILE, sh -c TEXT
//
//   for (;;) {                                             // sh -i
//     shell->report_jobs();
//     write(shell->prompt());                              // PS1, or PS2 when continuing
//     if (end of input) return shell->last_status();     // Ctrl-D
//     if (shell->run_line(read_line()) == LineResult::Exit) break;
//   }
//   return shell->exit_status();
//
// Ctrl-C at the prompt or while a job runs: shell->interrupt().
//
// What the shell itself runs (builtins, functions, compound commands) runs in-process; a
// subshell, ( ... ) or a stage of a pipeline that is not a program, runs in-process too, with
// its variables, functions, options and directory saved and restored around it. Pipeline
// stages run by the shell do not run at the same time as the programs around them: the
// output before them is gathered (at most kMaxString) and given to them at once.

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "host.h"
#include "text.h"

namespace stellina::sh {

struct Variable {
  Text name;
  Text value;
  bool set = false;  // has a value (export NAME makes an exported variable without one)
  bool exported = false;
  bool readonly = false;
};

struct Function {
  Text name;
  Text body_text;
  Arena arena;
  Node* body = nullptr;
  int references = 0;
};

struct Job {
  Job() = default;
  Job(Job&&) = default;
  Job& operator=(Job&&) = default;
  int number = 0;     // %1, %2...
  int host_job = -1;  // the Host's handle, -1 when the shell ran it itself (it has ended)
  int64_t id = 0;
  Text command;
  bool done = false;
  Ending ending;
  // What its redirections opened: closed and freed when it has ended.
  Vector<int> handles{kMaxRedirects * kMaxPipeline};
  Vector<MemoryStream*> memory{kMaxRedirects * kMaxPipeline};
};

enum class LineResult : uint8_t {
  Done,      // the line was run (or was empty)
  NeedMore,  // the command goes on: read another line (prompt PS2)
  Exit,      // the shell exited (exit, end of a script): see exit_status()
};

class Shell final {
 public:
  // Null when out of memory.
  static Shell* create(Host& host, bool interactive);
  static void dispose(Shell* shell);

  // $0 and the positional parameters.
  void set_arguments(StringView name, std::span<const StringView> arguments);
  // The environment sh was started with (KEY=VALUE entries, exported).
  void import_environment(std::span<const StringView> entries);

  // Runs a whole script (sh FILE, sh -c), command by command; returns the exit status.
  int run_script(StringView text);
  // Runs a line typed at the prompt, or keeps it when the command goes on (NeedMore).
  LineResult run_line(StringView line);
  // The prompt to show: $PS1 (default "$ "), or $PS2 ("> ") while a command goes on.
  StringView prompt();
  // Ctrl-C from the backend: the running command stops at its next step, and a half-typed
  // command is forgotten.
  void interrupt();
  // Prints "[n] Done   command" for the background jobs that ended (before a prompt).
  void report_jobs();

  bool exited() const { return exited_; }
  int exit_status() const { return exit_status_; }
  int last_status() const { return status_; }
  // A variable's value, for the backend and tests; null when unset.
  const Text* variable(StringView name) const;
  bool set_variable(StringView name, StringView value, bool exported);

  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

 private:
  friend class Expander;
  friend class ShellArithmetic;
  Shell(Host& host, bool interactive);
  ~Shell();

  enum class Flow : uint8_t { Normal, Break, Continue, Return, Exit, Abort };

  // The shell's file descriptors 0 to 9.
  struct Descriptors {
    Stream fds[kMaxFd + 1];
  };

  // Everything a subshell must not change in its parent.
  struct Snapshot {
    Descriptors fds;
    size_t permanent_handles = 0;  // what exec had opened before
    size_t permanent_memory = 0;
    Vector<Variable> variables{kMaxVariables};
    Vector<Text> positional;
    Vector<Function*> functions{kMaxFunctions};
    Text cwd;
    char options[8] = {};
    bool ok = false;
  };

  // Resources a command's redirections took, given back when it ends.
  struct Opened {
    Vector<int> handles{kMaxRedirects};
    Vector<MemoryStream*> memory{kMaxRedirects};
  };

  // A simple command after expansion.
  struct Expanded {
    Vector<Text> argv;
    Vector<Text> assignments;  // NAME=value
  };
  // A variable set for the time of one command (VAR=x builtin) or function (local).
  struct Saved {
    Text name;
    Text value;
    bool existed = false;
    bool set = false;
    bool exported = false;
  };
  struct Stage;

  // ---- Running (shell.cc) ----
  int run_text(StringView text);
  int run_node(Node* node);
  int run_list(Node* items);
  int run_and_or(ListNode* node);
  int run_pipeline(PipelineNode* node);
  int run_stages(Node* commands, bool background, StringView source);
  bool plan_stage(Node* node, Stage& stage);
  int run_group(Stage* stages, size_t count, Stream input, Stream output, bool background,
                StringView source);
  int run_in_process(Stage& stage, Stream input, Stream output);
  int run_command(Node* node);
  int run_simple(SimpleNode* node);
  int execute_simple(SimpleNode* node, Expanded& command);
  int run_compound(Node* node);
  int run_compound_body(Node* node);
  int run_if(IfNode* node);
  int run_while(WhileNode* node);
  int run_for(ForNode* node);
  int run_case(CaseNode* node);
  int run_subshell(Node* body);
  int run_background(Node* node);
  int define_function(FunctionNode* node);
  Function* find_function(StringView name);
  void release_function(Function* f);
  int call_function(Function* f, Expanded& command);
  int run_external(Expanded& command, const Descriptors& fds);
  // 0 when name is a program (its path in path), 127 when not found, 126 when not one.
  int locate(StringView name, Text& path);
  bool find_program(StringView name, Text& path, int* status);
  bool environment(std::span<const Text> assignments, Vector<Text>& entries);
  int start_failed(StringView name, HostError why);
  int ending_status(const Ending& ending, bool foreground);
  bool loop_step(int* status, bool* stop);
  Job* add_job(StringView source);
  void free_job_resources(Job& job);
  bool apply_redirects(Redirect* redirects, Descriptors& fds, Opened& opened);
  void release(Opened& opened);
  bool expand_command(SimpleNode* node, Expanded& command);
  bool save_assignments(std::span<const Text> assignments, Vector<Saved>& saved, bool exported);
  void restore_saved(Vector<Saved>& saved);
  bool enter();
  void leave() { --depth_; }
  bool take_snapshot(Snapshot& s);
  void restore(Snapshot& s);
  int end_subshell(int status);
  void errexit_check(int status);
  void trace(const Expanded& command);
  bool stopping() const { return flow_ != Flow::Normal || interrupted_; }

  // ---- Expansion (expand.cc) ----
  bool expand_fields(Word* words, Vector<Text>& fields);
  bool expand_word(StringView word, Vector<Text>& fields);
  bool expand_string(StringView word, Text& out, bool assignment);
  bool expand_pattern(StringView word, Text& out);
  bool expand_here_document(StringView body, bool strip_tabs, Text& out);
  bool capture(StringView script, Text& out);
  bool glob(StringView pattern, Vector<Text>& out);
  bool split_ifs(StringView text, Vector<Text>& fields, size_t max);
  bool expand_word_list(Word* words, Vector<Text>& fields) { return expand_fields(words, fields); }

  // ---- Variables (variables.cc) ----
  Variable* find_variable(StringView name);
  const Variable* find_variable(StringView name) const;
  // Sets a variable; false with a message on stderr when it is read-only or too many.
  bool assign(StringView name, StringView value);
  bool assign_word(StringView assignment);
  bool unset_variable(StringView name);
  bool positional(size_t n, StringView* value) const;
  bool special_parameter(char c, Text& out) const;

  // ---- Builtins (builtins.cc) ----
  enum class BuiltinKind : uint8_t { None, Special, Regular };
  BuiltinKind builtin_kind(StringView name) const;
  int run_builtin(std::span<const Text> argv);
  int builtin_cd(std::span<const Text> argv);
  int builtin_set(std::span<const Text> argv);
  int builtin_export(std::span<const Text> argv, bool readonly);
  int builtin_read(std::span<const Text> argv);
  int builtin_exit(std::span<const Text> argv, bool is_return);
  int builtin_break(std::span<const Text> argv, Flow flow);
  int builtin_dot(std::span<const Text> argv);
  int builtin_eval(std::span<const Text> argv);
  int builtin_jobs(std::span<const Text> argv);
  int builtin_wait(std::span<const Text> argv);
  int builtin_echo(std::span<const Text> argv);
  int builtin_test(std::span<const Text> argv, bool bracket);
  int builtin_shift(std::span<const Text> argv);
  int builtin_unset(std::span<const Text> argv);
  int builtin_local(std::span<const Text> argv);
  int builtin_fg(std::span<const Text> argv);
  int builtin_pwd(std::span<const Text> argv);
  int builtin_exec(SimpleNode* node, Expanded& command);
  Job* find_job(StringView spec, StringView builtin);

  // ---- Output and errors ----
  void out(StringView s);
  void err(StringView s);
  // "sh: what\n" on stderr.
  void error(StringView what);
  void error(StringView a, StringView b);
  void error(StringView a, StringView b, StringView c);
  // An error that ends a non-interactive shell (and aborts the command line otherwise): a
  // syntax error, a failed expansion, a special builtin's misuse.
  void fatal(int status = 2);
  // An error past one of the shell's own bounds (limits.h): the whole command typed or read
  // (up to the next newline at the top) stops, even through subshells, and the shell goes on
  // with the next one.
  void abort_command();
  void no_memory();
  // A Text that failed: too long (past kMaxString) or out of memory; aborts the command.
  void report_failed(const Text& t);
  bool option(char c) const;
  void set_option(char c, bool on);
  // An absolute, normalized path: path, relative to cwd unless it starts with '/'.
  void absolute(StringView path, Text& out) const;
  bool read_file(StringView path, Text& out, HostError* why);

  Host& host_;
  bool interactive_;
  Vector<Variable> variables_{kMaxVariables};
  Vector<Text> positional_;
  Vector<Function*> functions_{kMaxFunctions};
  Vector<Job> jobs_{kMaxJobs};
  Text name_;  // $0
  Text cwd_;
  char options_[8] = {};  // the letters of the set options: e, u, x, f
  Descriptors fds_;
  int status_ = 0;  // $?
  int64_t last_background_ = 0;
  bool has_background_ = false;
  int substitution_status_ = -1;  // the status of the last $(...) of a simple command
  Flow flow_ = Flow::Normal;
  int flow_count_ = 0;  // break/continue N: the loops still to leave
  int loops_ = 0;       // loops the running command is inside (in this function)
  bool in_function_ = false;
  int depth_ = 0;
  int errexit_suppressed_ = 0;  // inside an if/while condition, && ||, or !
  bool exited_ = false;
  int exit_status_ = 0;
  bool interrupted_ = false;
  bool aborting_ = false;  // abort_command() is unwinding
  int subshells_ = 0;
  Opened permanent_;                 // what exec's redirections opened for the rest of the shell
  Vector<Saved>* locals_ = nullptr;  // the running function's `local` variables
  int next_job_id_ = 1;
  Text pending_;  // an interactive command being continued
};

}  // namespace stellina::sh
