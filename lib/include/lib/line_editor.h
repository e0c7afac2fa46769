#pragma once
// The interactive line editor the shell reads a raw terminal with (docs/shell.md: sh is the
// line discipline). Bytes typed come in, split anywhere, even inside an escape sequence or a
// UTF-8 character; what to write back to the terminal (echo, cursor moves in ANSI/VT100
// sequences, redraws, the bell) goes out through a lib::Sink; feed() stops at each event:
//
//   lib::LineEditor editor(terminal_sink, &history, &completer);
//   editor.begin("$ ");
//   while (size > 0) {
//     auto step = editor.feed(data, size);
//     data += step.consumed, size -= step.consumed;
//     if (step.event == lib::LineEditor::Event::Line) run(editor.line());
//     ...
//   }
//
// Keys: printable ASCII and UTF-8 characters insert (a character is taken whole, a malformed
// one dropped); Left/Right, Ctrl-B/F move a character, Ctrl-Left/Right and Alt-B/F a word;
// Home/End (ESC[H, ESC[F, ESC[1~, ESC[4~, ESC[7~, ESC[8~, ESC O H, ESC O F), Ctrl-A/E; BS
// and DEL delete backwards, Delete (ESC[3~) and Ctrl-D under the cursor; Ctrl-K kills to the
// end, Ctrl-U to the start, Ctrl-W the word before the cursor; Ctrl-L clears the screen; Up
// and Down (and Ctrl-P/N) walk the history, keeping the line being typed to come back to;
// Tab asks the completer. Other escape sequences are swallowed whole, other control bytes
// ignored.
//
// The display: the prompt starts at the left edge; a character is one column wide (no
// double-width tables); a line longer than the terminal wraps, and any edit that is not at
// its end redraws it from the prompt. The prompt may hold escape sequences (colours), not
// line breaks.

#include <stddef.h>
#include <stdint.h>

#include <lib/format.h>
#include <lib/line_history.h>
#include <lib/string_view.h>
#include <lib/utf8.h>

namespace lib {

// The words a completer offers for the word under the cursor, copied into fixed storage.
class Completions {
 public:
  static constexpr size_t kMaxCandidates = 256;
  static constexpr size_t kMaxBytes = size_t{16} * 1024;

  // Adds a candidate. False if it is empty, holds a control character or does not fit (the
  // candidates already added stay).
  bool add(StringView candidate);
  size_t size() const { return count_; }
  StringView operator[](size_t i) const {
    return StringView(bytes_ + starts_[i], ends_[i] - starts_[i]);
  }
  void clear() { count_ = used_ = 0; }

  // Where the word the candidates replace begins: the editor sets it after the last space
  // before the cursor; a completer may move it (after the last '/' of a path, say), never
  // past the cursor.
  size_t word_start = 0;

 private:
  char bytes_[kMaxBytes];
  size_t used_ = 0;
  uint16_t starts_[kMaxCandidates];
  uint16_t ends_[kMaxCandidates];
  size_t count_ = 0;
};

class Completer {
 public:
  // Adds to `out` the words that may replace line[out.word_start, cursor) (each whole, not
  // just what it adds). One candidate completes the word, followed by a space unless it ends
  // in '/' (a directory); several complete their common prefix, and a second Tab lists them.
  virtual void complete(StringView line, size_t cursor, Completions& out) = 0;

 protected:
  ~Completer() = default;
};

class LineEditor {
 public:
  static constexpr size_t kMaxPrompt = 256;  // a longer prompt is cut
  static constexpr size_t kDefaultWidth = 80;

  enum class Event : uint8_t {
    None,        // every byte was taken; the line goes on
    Line,        // CR, LF or CR LF ended the line: line() has it (and the history too)
    EndOfInput,  // Ctrl-D on an empty line (nothing is written: the caller says "exit")
    Interrupt,   // Ctrl-C: the line is abandoned ("^C" and a new line are written)
  };
  struct Step {
    size_t consumed;  // bytes taken, the one that caused the event included
    Event event;
  };

  // history and completer may be null: Up/Down and Tab then do nothing (Tab rings).
  explicit LineEditor(Sink& out, LineHistory* history = nullptr, Completer* completer = nullptr)
      : out_(out), history_(history), completer_(completer) {}

  // Starts a new line: writes the prompt. After an event, feed() starts the next line with
  // the same prompt by itself if begin() was not called.
  void begin(StringView prompt);
  // Takes bytes up to and including the first that causes an event.
  Step feed(const char* data, size_t size);
  Step feed(StringView data) { return feed(data.data(), data.size()); }

  // The line being edited, or the one just ended by Event::Line (until the next feed() or
  // begin()).
  StringView line() const { return StringView(line_, size_); }
  size_t cursor() const { return cursor_; }

  // The terminal's width in columns (from NAWS or the environment); 0 is taken as 1.
  void set_width(size_t columns);
  // Writes the prompt and line again (after output from elsewhere, or a new width).
  void redraw();

 private:
  enum class Escape : uint8_t { None, Esc, Csi, Ss3 };

  Event byte(uint8_t c);
  Event control(uint8_t c);
  void csi(uint8_t final);
  void ss3(uint8_t final);
  void insert(const char* bytes, size_t size);
  void erase(size_t from, size_t to);
  void move_cursor(size_t to);
  void load(StringView text);
  void history_step(bool older);
  void complete();
  void list_candidates();
  Event finish(Event event);

  size_t previous_char(size_t at) const;
  size_t next_char(size_t at) const;
  size_t previous_word(size_t at) const;
  size_t next_word(size_t at) const;
  size_t columns_to(size_t at) const;  // terminal cells from the prompt's start to line_[at]

  // Output.
  void put(const char* s, size_t n);
  void put(StringView s) { put(s.data(), s.size()); }
  void put_csi(size_t n, char final);
  void bell() { put("\a"); }
  void flush();
  void refresh();
  void move_terminal_to(size_t cells);

  Sink& out_;
  LineHistory* history_;
  Completer* completer_;
  size_t width_ = kDefaultWidth;

  char prompt_[kMaxPrompt];
  size_t prompt_size_ = 0;
  size_t prompt_columns_ = 0;
  bool active_ = false;

  char line_[kLineMax];
  size_t size_ = 0;
  size_t cursor_ = 0;
  size_t terminal_cells_ = 0;  // where the terminal's cursor is, counted as in columns_to()

  // Input decoding.
  Escape escape_ = Escape::None;
  char params_[16];
  size_t params_size_ = 0;
  bool after_cr_ = false;  // an LF right after the CR that ended a line is part of it
  Utf8Checker utf8_;
  char pending_[4];  // the UTF-8 character being received
  size_t pending_size_ = 0;

  // History walking: history_index_ == history_->size() is the line being typed, kept in
  // saved_ while older entries are shown.
  size_t history_index_ = 0;
  char saved_[kLineMax];
  size_t saved_size_ = 0;

  bool last_was_tab_ = false;
  Completions completions_;

  char output_[512];
  size_t output_size_ = 0;
};

}  // namespace lib
