// /bin/sh: the shell (docs/shell.md). The language is shell.h's; the Host is
// host_stellina.h's; this file reads what to run:
//
//   sh -c TEXT [NAME [ARG...]]   runs TEXT
//   sh FILE [ARG...]             runs the script in FILE
//   sh -i                        reads lines typed at a raw terminal (its stdin), with line
//                                editing, history ($HOME/.sh_history, kept across reboots)
//                                and completion of commands and paths
//   sh                           runs what its stdin holds, as a script
#include <lib/line_editor.h>
#include <lib/line_history.h>

#include "host_stellina.h"
#include "shell.h"

namespace stellina::sh {
namespace {

constexpr size_t kMaxHistoryFile = 128 * 1024;  // rewritten from the history past this

// The terminal, as the line editor writes to it.
class TerminalSink final : public lib::Sink {
 public:
  explicit TerminalSink(StellinaHost& host) : host_(host) {}
  void write(const char* s, size_t n) override { host_.write_terminal(StringView(s, n)); }

 private:
  StellinaHost& host_;
};

// Reads a whole file (a script, the history) into text; false if it cannot.
bool read_file(Host& host, StringView path, Text& text, size_t limit) {
  const HostResult<int> h = host.open(path, OpenMode::Read);
  if (!h.ok()) return false;
  static char chunk[16384];
  bool ok = true;
  for (;;) {
    const HostResult<size_t> got = host.read(h.value(), chunk, sizeof(chunk));
    if (!got.ok() || text.size() + got.value() > limit) {
      ok = false;
      break;
    }
    if (got.value() == 0) break;
    text.append(StringView(chunk, got.value()));
  }
  host.close(h.value());
  return ok && !text.failed();
}

// Tab: commands from PATH for the first word, else paths (relative to the current
// directory).
class Completer final : public lib::Completer {
 public:
  Completer(StellinaHost& host, Shell& shell) : host_(host), shell_(shell) {}

  void complete(StringView line, size_t cursor, lib::Completions& out) override {
    const StringView word = line.substr(out.word_start, cursor - out.word_start);
    bool first = true;
    for (size_t i = 0; i < out.word_start; ++i)
      if (line[i] != ' ') first = false;
    if (first && word.find('/') == StringView::kNpos) {
      const Text* path = shell_.variable("PATH");
      const StringView dirs = path ? path->view() : StringView("/bin");
      for (size_t at = 0; at <= dirs.size();) {
        size_t end = dirs.find(':', at);
        if (end == StringView::kNpos) end = dirs.size();
        add_entries(dirs.substr(at, end - at), word, false, out);
        at = end + 1;
      }
      return;
    }
    size_t slash = word.size();
    while (slash > 0 && word[slash - 1] != '/') --slash;
    out.word_start += slash;
    Text dir;
    const StringView given = word.substr(0, slash);
    if (given.empty() || given[0] != '/') {
      const Text* pwd = shell_.variable("PWD");
      dir.append(pwd ? pwd->view() : StringView("/"));
      dir.append("/");
    }
    dir.append(given);
    add_entries(dir.view(), word.substr(slash), true, out);
  }

 private:
  void add_entries(StringView dir, StringView prefix, bool mark_dirs, lib::Completions& out) {
    Result<File> d = host_.env().files().open(dir.empty() ? StringView(".") : dir,
                                              abi::kOpenRead | abi::kOpenDirectory);
    if (!d.ok()) return;
    ignore(d.value().list([&](const abi::FileDirEntry& e, StringView name) {
      if (!name.starts_with(prefix) || name == "." || name == "..") return;
      if (prefix.empty() && name[0] == '.') return;
      if (mark_dirs && (e.mode & abi::kModeTypeMask) == abi::kModeDirectory) {
        char with_slash[256];
        if (name.size() + 1 > sizeof(with_slash)) return;
        __builtin_memcpy(with_slash, name.data(), name.size());
        with_slash[name.size()] = '/';
        out.add(StringView(with_slash, name.size() + 1));
      } else {
        out.add(name);
      }
    }),
           "a directory that cannot be listed completes nothing");
  }

  StellinaHost& host_;
  Shell& shell_;
};

// The history file: where lines are appended as they are run.
class HistoryFile {
 public:
  HistoryFile(StellinaHost& host, Shell& shell, lib::LineHistory& history)
      : host_(host), history_(history) {
    const Text* home = shell.variable("HOME");
    if (!home || home->view().empty()) return;
    path_.append(home->view());
    path_.append("/.sh_history");
    Text text;
    const bool whole = read_file(host, path_.view(), text, kMaxHistoryFile);
    history_.parse(text.view());
    if (!whole) rewrite();  // too long (or unreadable): keep what the history holds
  }

  void add(StringView line) {
    if (path_.view().empty() || line.empty()) return;
    const HostResult<int> h = host_.open(path_.view(), OpenMode::Append);
    if (!h.ok()) return;
    Text entry(line);
    entry.append('\n');
    if (!host_.write(h.value(), entry.view()).ok()) path_.clear();  // a full disk: stop

    host_.close(h.value());
  }

 private:
  void rewrite() {
    const HostResult<int> h = host_.open(path_.view(), OpenMode::Write);
    if (!h.ok()) return;
    if (!host_.write(h.value(), history_.serialized()).ok()) path_.clear();
    host_.close(h.value());
  }

  StellinaHost& host_;
  lib::LineHistory& history_;
  Text path_;
};

lib::LineHistory history;
alignas(lib::LineEditor) unsigned char editor_storage[sizeof(lib::LineEditor)];

// sh -i: lines typed at the terminal.
int interactive(StellinaHost& host, Shell& shell) {
  TerminalSink sink(host);
  Completer completer(host, shell);
  HistoryFile file(host, shell, history);
  auto* editor = new (editor_storage) lib::LineEditor(sink, &history, &completer);
  uint64_t columns = 0;
  if (const Text* c = shell.variable("COLUMNS"); c && c->size() < 6) {
    for (const char d : c->view()) columns = d >= '0' && d <= '9' ? columns * 10 + (d - '0') : 0;
    if (columns) editor->set_width(columns);
  }
  char bytes[512];
  for (;;) {
    shell.report_jobs();
    editor->begin(shell.prompt());
    for (bool line_done = false; !line_done;) {
      size_t n = host.read_terminal(bytes, sizeof(bytes));
      if (n == 0) return shell.last_status();  // the terminal has gone
      const char* at = bytes;
      while (n > 0 && !line_done) {
        const lib::LineEditor::Step step = editor->feed(at, n);
        at += step.consumed;
        n -= step.consumed;
        switch (step.event) {
          case lib::LineEditor::Event::None: break;
          case lib::LineEditor::Event::Line: {
            host.unread_terminal(StringView(at, n));  // typed ahead: for what runs next
            n = 0;
            line_done = true;
            Text line(editor->line());
            file.add(line.view());
            if (shell.run_line(line.view()) == LineResult::Exit) return shell.exit_status();
            break;
          }
          case lib::LineEditor::Event::EndOfInput:
            host.write_terminal("exit\n");
            return shell.last_status();
          case lib::LineEditor::Event::Interrupt:
            shell.interrupt();
            line_done = true;
            host.unread_terminal(StringView(at, n));
            n = 0;
            break;
        }
      }
    }
  }
}

int run(ProgramEnv& p) {
  bool interactive_mode = false;
  size_t at = 1;
  StringView command;
  bool has_command = false;
  StringView options[8];  // set's options given on the command line (sh -e FILE, #!/bin/sh -x)
  size_t option_count = 0;
  for (; at < p.argc(); ++at) {
    const StringView a = p.arg(at);
    if (a == "-i") {
      interactive_mode = true;
    } else if (a.size() > 1 && (a[0] == '-' || a[0] == '+') && a != "-c" && a != "--" &&
               option_count < 8) {
      options[option_count++] = a;
    } else if (a == "-c" && at + 1 < p.argc()) {
      command = p.arg(++at);
      has_command = true;
      ++at;
      break;
    } else if (a == "--") {
      ++at;
      break;
    } else {
      break;
    }
  }
  // Made once, never destroyed (the process ends with it): no exit-time destructor.
  alignas(StellinaHost) static unsigned char host_storage[sizeof(StellinaHost)];
  auto& host =
      *new (host_storage) StellinaHost(p, interactive_mode && !has_command && at >= p.argc());
  Shell* shell = Shell::create(host, interactive_mode);
  if (!shell) {
    ignore(p.err().print("sh: out of memory\n"), "the exit code says it too");
    return 2;
  }
  host.set_shell(shell);
  StringView entries[abi::kProgramMaxEnv];
  for (size_t i = 0; i < p.env_count(); ++i) entries[i] = p.env_entry(i);
  shell->import_environment(std::span<const StringView>(entries, p.env_count()));
  StringView args[abi::kProgramMaxArgs];
  size_t count = 0;
  const StringView name = has_command && at < p.argc()    ? p.arg(at++)
                          : !has_command && at < p.argc() ? p.arg(at++)
                                                          : StringView("sh");
  const bool script_file = !has_command && name != "sh";
  for (; at < p.argc(); ++at) args[count++] = p.arg(at);
  shell->set_arguments(name, std::span<const StringView>(args, count));
  for (size_t i = 0; i < option_count; ++i) {
    Text set("set ");
    set.append(options[i]);
    if (shell->run_script(set.view()) != 0) return 2;  // sh has said what was wrong
  }

  int status = 0;
  if (has_command) {
    status = shell->run_script(command);
  } else if (script_file) {
    Text text;
    Text path;
    const Text* pwd = shell->variable("PWD");
    if (name[0] != '/' && pwd) {
      path.append(pwd->view());
      path.append("/");
    }
    path.append(name);
    if (!read_file(host, path.view(), text, kMaxScriptSize)) {
      ignore(p.err().print("sh: cannot read {}\n", name), "the exit code says it too");
      status = 127;
    } else {
      status = shell->run_script(text.view());
    }
  } else if (interactive_mode) {
    status = interactive(host, *shell);
  } else {
    Text text;
    static char chunk[16384];
    for (;;) {
      const Result<size_t> got = p.in().read(chunk, sizeof(chunk));
      if (!got.ok() || got.value() == 0 || text.size() + got.value() > kMaxScriptSize) break;
      text.append(StringView(chunk, got.value()));
    }
    status = shell->run_script(text.view());
  }
  if (shell->exited()) status = shell->exit_status();
  Shell::dispose(shell);
  return status;
}

}  // namespace
}  // namespace stellina::sh

int64_t program_main(stellina::ProgramEnv& p) { return stellina::sh::run(p); }
