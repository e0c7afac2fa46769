#include <lib/line_editor.h>

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"
#include "vt_screen.h"

namespace {

using Event = lib::LineEditor::Event;
using term_test::VtScreen;

std::string sv(lib::StringView v) { return std::string(v.data(), v.size()); }

struct StringSink final : lib::Sink {
  std::string out;
  void write(const char* s, size_t n) override { out.append(s, n); }
};

// Completes from a fixed word list: the words that start with the word before the cursor.
struct WordCompleter final : lib::Completer {
  std::vector<std::string> words;
  int calls = 0;
  void complete(lib::StringView line, size_t cursor, lib::Completions& out) override {
    ++calls;
    const std::string word(line.data() + out.word_start, cursor - out.word_start);
    for (const auto& w : words) {
      if (w.compare(0, word.size(), word) == 0) out.add(w.c_str());
    }
  }
};

// An editor wired to a screen, its history and a completer (on the heap: they are big).
struct Harness {
  explicit Harness(size_t width = 80, const char* prompt = "$ ")
      : screen(width),
        history(std::make_unique<lib::LineHistory>()),
        editor(std::make_unique<lib::LineEditor>(sink, history.get(), &completer)) {
    editor->set_width(width);
    editor->begin(prompt);
    sync();
  }

  // Feeds everything; returns the events in order (None left out).
  std::vector<Event> type(const std::string& bytes) {
    std::vector<Event> events;
    size_t at = 0;
    while (at < bytes.size()) {
      auto step = editor->feed(bytes.data() + at, bytes.size() - at);
      EXPECT_GT(step.consumed, 0u);
      at += step.consumed;
      if (step.event != Event::None) {
        events.push_back(step.event);
        lines.push_back(sv(editor->line()));
      }
    }
    sync();
    return events;
  }
  void sync() {
    screen.write(sink.out);
    sink.out.clear();
  }
  std::string line() const { return sv(editor->line()); }

  StringSink sink;
  VtScreen screen;
  std::unique_ptr<lib::LineHistory> history;
  WordCompleter completer;
  std::unique_ptr<lib::LineEditor> editor;
  std::vector<std::string> lines;  // the line at each event
};

const std::string kLeft = "\x1b[D", kRight = "\x1b[C", kUp = "\x1b[A", kDown = "\x1b[B";

TEST(LineEditor, TypesAndEndsALine) {
  Harness h;
  EXPECT_EQ(h.screen.row(0), "$");
  EXPECT_TRUE(h.type("echo hi").empty());
  EXPECT_EQ(h.screen.row(0), "$ echo hi");
  EXPECT_EQ(h.screen.cursor_column(), 9u);
  EXPECT_EQ(h.type("\r"), std::vector<Event>{Event::Line});
  EXPECT_EQ(h.lines.back(), "echo hi");
  EXPECT_EQ(h.screen.cursor_row(), 1u);
  EXPECT_EQ(h.screen.cursor_column(), 0u);
  EXPECT_EQ(h.history->size(), 1u);
}

TEST(LineEditor, LineEndings) {
  Harness h;
  // CR LF is one end; CR and LF alone are one each; the next line begins with the prompt.
  EXPECT_EQ(h.type("a\r\nb\rc\n\r\n"),
            (std::vector<Event>{Event::Line, Event::Line, Event::Line, Event::Line}));
  EXPECT_EQ(h.lines, (std::vector<std::string>{"a", "b", "c", ""}));
  EXPECT_EQ(h.screen.text_from(0), "$ a|$ b|$ c|$");
  // CR at the end of one feed and LF at the start of the next are still one.
  Harness s;
  EXPECT_EQ(s.type("x\r"), std::vector<Event>{Event::Line});
  EXPECT_TRUE(s.type("\n").empty());
  EXPECT_EQ(s.type("\n"), std::vector<Event>{Event::Line});
}

TEST(LineEditor, FeedStopsAtEachEvent) {
  Harness h;
  const std::string input = "one\rtwo\r";
  auto step = h.editor->feed(input.data(), input.size());
  EXPECT_EQ(step.consumed, 4u);
  EXPECT_EQ(step.event, Event::Line);
  EXPECT_EQ(h.line(), "one");
  step = h.editor->feed(input.data() + 4, input.size() - 4);
  EXPECT_EQ(step.consumed, 4u);
  EXPECT_EQ(h.line(), "two");
}

// The screen shows prompt and line, wrapped at the width, and the cursor where it belongs.
void expect_display(const Harness& h, const std::string& prompt, size_t width, size_t top = 0) {
  const std::string line = h.line();
  // Cells: one per character.
  std::vector<std::string> cells;
  std::string all = prompt + line;
  for (size_t i = 0; i < all.size();) {
    size_t n = lib::utf8_sequence_length(static_cast<uint8_t>(all[i]));
    cells.push_back(all.substr(i, n));
    i += n;
  }
  std::string expect;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0 && i % width == 0) expect += "|";
    expect += cells[i];
  }
  while (!expect.empty() && (expect.back() == ' ' || expect.back() == '|')) expect.pop_back();
  // Trailing blanks of inner rows are trimmed by the screen too.
  std::string got = h.screen.text_from(top);
  std::string normalized;
  for (size_t i = 0; i < expect.size(); ++i) {
    if (expect[i] == '|') {
      while (!normalized.empty() && normalized.back() == ' ') normalized.pop_back();
    }
    normalized += expect[i];
  }
  EXPECT_EQ(got, normalized);
  size_t cursor_cells = 0;
  const std::string before = prompt + line.substr(0, h.editor->cursor());
  for (unsigned char c : before) cursor_cells += (c & 0xc0) != 0x80;
  EXPECT_EQ(h.screen.cursor_row(), top + cursor_cells / width) << "cursor at " << cursor_cells;
  EXPECT_EQ(h.screen.cursor_column(), cursor_cells % width);
}

TEST(LineEditor, CursorMovesAndInserts) {
  Harness h;
  h.type("held" + kLeft + "l" + kRight + "!");
  EXPECT_EQ(h.line(), "helld!");
  h.type(
      "\x01"
      "["
      "\x05"
      "]"
      "\x02\x02"
      "-"
      "\x06"
      "+");  // Ctrl-A, Ctrl-E, Ctrl-B, Ctrl-F
  EXPECT_EQ(h.line(), "[helld-!+]");
  expect_display(h, "$ ", 80);
  EXPECT_EQ(h.editor->cursor(), 9u);
}

TEST(LineEditor, HomeAndEndSpellings) {
  for (const char* home : {"\x1b[H", "\x1b[1~", "\x1b[7~", "\x1bOH", "\x01"}) {
    for (const char* end : {"\x1b[F", "\x1b[4~", "\x1b[8~", "\x1bOF", "\x05"}) {
      Harness h;
      h.type(std::string("mid") + home + "<" + end + ">");
      EXPECT_EQ(h.line(), "<mid>") << home << " " << end;
      expect_display(h, "$ ", 80);
    }
  }
}

TEST(LineEditor, EscapeSequencesSplitAnywhere) {
  const std::string input = "abc" + kLeft + kLeft + "\x1b[3~" + "\x1bOD" + "X" + "\x1b[1;5C" + "Y" +
                            "\x1b[200~" + "Z" + "\x1b[201~";
  Harness whole;
  whole.type(input);
  EXPECT_EQ(whole.line(), "XacYZ");
  for (size_t cut = 1; cut < input.size(); ++cut) {
    Harness h;
    h.type(input.substr(0, cut));
    h.type(input.substr(cut));
    EXPECT_EQ(h.line(), "XacYZ") << cut;
    expect_display(h, "$ ", 80);
  }
  // Byte by byte.
  Harness single;
  for (char c : input) single.type(std::string(1, c));
  EXPECT_EQ(single.line(), "XacYZ");
}

TEST(LineEditor, UnknownSequencesAreSwallowed) {
  Harness h;
  h.type(
      "a\x1b[5~\x1b[6~\x1b[2~\x1b[?1;2c\x1b[12;40R\x1b[<0;3;4M\x1b[Z\x1bx\x1b[15;2~b"
      "\x1bOP\x1b[99999999999999999999999999999999999999999999999999999999999999~c");
  EXPECT_EQ(h.line(), "abc");
  expect_display(h, "$ ", 80);
  // Control bytes that mean nothing are ignored; a control byte inside a sequence cuts it.
  h.type(std::string("\x00\x0e\x0f\x1c\x1f", 5) + "\x1b[1\x02" + "d");
  EXPECT_EQ(h.line(), "abdc");
  EXPECT_EQ(h.screen.bells(), 0);
}

TEST(LineEditor, Backspace) {
  Harness h;
  h.type("abc\x7f\x08");
  EXPECT_EQ(h.line(), "a");
  h.type("\x7f\x7f\x7f");  // nothing left: quietly nothing
  EXPECT_EQ(h.line(), "");
  h.type("xyz" + kLeft + "\x7f");
  EXPECT_EQ(h.line(), "xz");
  expect_display(h, "$ ", 80);
}

TEST(LineEditor, Utf8IsNeverCut) {
  Harness h;
  h.type(
      "h\xc3\xa9"
      "\xe2\x82\xac"
      "\xf0\x9f\x98\x80"
      "!");  // "hé€😀!"
  EXPECT_EQ(h.line(), "h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80!");
  expect_display(h, "$ ", 80);
  h.type("\x7f\x7f");
  EXPECT_EQ(h.line(), "h\xc3\xa9\xe2\x82\xac");
  h.type(kLeft + kLeft + "\x7f");
  EXPECT_EQ(h.line(), "\xc3\xa9\xe2\x82\xac");
  h.type(kRight + "\x1b[3~");
  EXPECT_EQ(h.line(), "\xc3\xa9");
  expect_display(h, "$ ", 80);
  // A character split across feeds arrives whole.
  h.type("\xe2");
  h.type("\x82");
  EXPECT_EQ(h.line(), "\xc3\xa9");
  h.type("\xac");
  EXPECT_EQ(h.line(), "\xc3\xa9\xe2\x82\xac");
  // Malformed: stray continuations, overlongs, surrogates, a lead cut by ASCII.
  h.type("\x80\xbf\xc0\xaf\xed\xa0\x80\xe2\x82z\xff");
  EXPECT_EQ(h.line(), "\xc3\xa9\xe2\x82\xacz");
  expect_display(h, "$ ", 80);
}

TEST(LineEditor, KillKeys) {
  Harness h;
  h.type("one two  three" + kLeft + kLeft);
  h.type("\x0b");  // Ctrl-K
  EXPECT_EQ(h.line(), "one two  thr");
  h.type("\x17");  // Ctrl-W
  EXPECT_EQ(h.line(), "one two  ");
  h.type("\x17");
  EXPECT_EQ(h.line(), "one ");
  h.type("x" + kLeft + "\x15");  // Ctrl-U
  EXPECT_EQ(h.line(), "x");
  EXPECT_EQ(h.editor->cursor(), 0u);
  expect_display(h, "$ ", 80);
}

TEST(LineEditor, WordMoves) {
  Harness h;
  h.type(
      "aa bb  cc\x1b"
      "b"
      "X\x1b[1;5D\x1b[1;5D"
      "Y\x1b"
      "f"
      "Z");
  EXPECT_EQ(h.line(), "aa YbbZ  Xcc");
}

TEST(LineEditor, CtrlDEndsOnlyAnEmptyLine) {
  Harness h;
  h.type("ab" + kLeft);
  EXPECT_TRUE(h.type("\x04").empty());  // deletes under the cursor
  EXPECT_EQ(h.line(), "a");
  EXPECT_TRUE(h.type("\x04").empty());  // at the end: nothing
  EXPECT_EQ(h.line(), "a");
  h.type("\x7f");
  EXPECT_EQ(h.type("\x04"), std::vector<Event>{Event::EndOfInput});
}

TEST(LineEditor, CtrlCAbandonsTheLine) {
  Harness h;
  h.type("rm -rf" + kLeft + kLeft);
  EXPECT_EQ(h.type("\x03"), std::vector<Event>{Event::Interrupt});
  EXPECT_EQ(h.screen.row(0), "$ rm -rf^C");
  EXPECT_EQ(h.screen.cursor_row(), 1u);
  EXPECT_EQ(h.history->size(), 0u);
  h.type("ok\r");
  EXPECT_EQ(h.lines.back(), "ok");
  EXPECT_EQ(h.screen.row(1), "$ ok");
}

TEST(LineEditor, CtrlLClearsAndRedraws) {
  Harness h;
  h.type("first\rsecond" + kLeft + "\x0c");
  EXPECT_EQ(h.screen.text_from(0), "$ second");
  expect_display(h, "$ ", 80);
}

TEST(LineEditor, HistoryWalkKeepsTheTypedLine) {
  Harness h;
  h.type("one\rtwo\rthree\r");
  h.type("draft");
  h.type(kUp);
  EXPECT_EQ(h.line(), "three");
  h.type(kUp + kUp);
  EXPECT_EQ(h.line(), "one");
  h.type(kUp);  // no older: a bell, nothing else
  EXPECT_EQ(h.line(), "one");
  EXPECT_EQ(h.screen.bells(), 1);
  h.type(kDown + "\x1bOB");  // both spellings of Down
  EXPECT_EQ(h.line(), "three");
  h.type("\x0e");  // Ctrl-N
  EXPECT_EQ(h.line(), "draft");
  h.type(kDown);
  EXPECT_EQ(h.line(), "draft");
  expect_display(h, "$ ", 80, 3);
  // An entry taken and edited becomes a new line.
  h.type("\x10\x10!\r");  // Ctrl-P twice
  EXPECT_EQ(h.lines.back(), "two!");
  EXPECT_EQ(sv(h.history->serialized()), "one\ntwo\nthree\ntwo!\n");
  h.type(kUp + "\r");  // the same again is not added twice
  EXPECT_EQ(h.history->size(), 4u);
}

TEST(LineEditor, LineLimitRingsTheBell) {
  Harness h;
  const std::string full(lib::kLineMax, 'x');
  h.type(full);
  EXPECT_EQ(h.line().size(), lib::kLineMax);
  EXPECT_EQ(h.screen.bells(), 0);
  h.type("y\xc3\xa9");
  EXPECT_EQ(h.line(), full);
  EXPECT_EQ(h.screen.bells(), 2);
  h.type("\x7f\xc3\xa9");  // a two-byte character does not fit in one byte
  EXPECT_EQ(h.line().size(), lib::kLineMax - 1);
  EXPECT_EQ(h.screen.bells(), 3);
  h.type("z");
  EXPECT_EQ(h.line().size(), lib::kLineMax);
  EXPECT_EQ(h.type("\r"), std::vector<Event>{Event::Line});
  EXPECT_EQ(h.lines.back().size(), lib::kLineMax);
}

TEST(LineEditor, CompletionOfOneCandidate) {
  Harness h;
  h.completer.words = {"grep", "gzip", "ls", "src/"};
  h.type("gr\t");
  EXPECT_EQ(h.line(), "grep ");
  h.type("s\t");
  EXPECT_EQ(h.line(), "grep src/");  // a directory: no space after it
  h.type("\x01l\t");                 // completes the word before the cursor, keeps the rest
  EXPECT_EQ(h.line(), "ls grep src/");
  EXPECT_EQ(h.editor->cursor(), 3u);
  expect_display(h, "$ ", 80);
}

TEST(LineEditor, CompletionOfSeveralCandidates) {
  Harness h;
  h.completer.words = {"cat", "chmod", "chown", "chowder"};
  h.type("c\t");
  EXPECT_EQ(h.line(), "c");  // no common prefix beyond "c": the bell
  EXPECT_EQ(h.screen.bells(), 1);
  h.type("\t");  // the second Tab lists, in columns as wide as the widest and two more
  EXPECT_EQ(h.screen.row(1), "cat      chmod    chown    chowder");
  EXPECT_EQ(h.screen.row(2), "$ c");
  expect_display(h, "$ ", 80, 2);
  h.type("h\t");
  EXPECT_EQ(h.line(), "ch");  // chmod, chown, chowder: no more in common
  EXPECT_EQ(h.screen.bells(), 2);
  h.type("o\t");
  EXPECT_EQ(h.line(), "chow");  // chown, chowder
  h.type("\t");
  EXPECT_EQ(h.screen.row(3), "chown    chowder");
  expect_display(h, "$ ", 80, 4);
  h.type("n\t");
  EXPECT_EQ(h.line(), "chown ");
  // No candidate: the bell.
  const int bells = h.screen.bells();
  h.type("zz\t");
  EXPECT_EQ(h.screen.bells(), bells + 1);
  EXPECT_EQ(h.completer.calls, 7);
}

TEST(LineEditor, CompletionListsInColumns) {
  Harness h(20, "$ ");
  h.completer.words = {"a1", "a2", "a3", "a4", "a5", "a6", "a7"};
  h.type("a\t\t");
  // Columns of four cells, five to a row of 20: two rows, filled down then across.
  EXPECT_EQ(h.screen.row(1), "a1  a3  a5  a7");
  EXPECT_EQ(h.screen.row(2), "a2  a4  a6");
  expect_display(h, "$ ", 20, 3);
}

TEST(LineEditor, CompletionExtendsTheCommonPrefix) {
  Harness h;
  h.completer.words = {"chmod", "chown"};
  h.type("c\t");
  EXPECT_EQ(h.line(), "ch");
  h.type("\t");  // the second Tab lists
  EXPECT_EQ(h.screen.row(1), "chmod  chown");
  // The prefix stops before a cut UTF-8 character.
  Harness u;
  u.completer.words = {"caf\xc3\xa9", "caf\xc3\xa8"};
  u.type("c\t");
  EXPECT_EQ(u.line(), "caf");
}

TEST(LineEditor, CompletionThatWouldOverflowRings) {
  Harness h;
  h.completer.words = {std::string(100, 'w')};
  h.type(std::string(lib::kLineMax - 50, 'x') + " w\t");
  EXPECT_EQ(h.line().size(), lib::kLineMax - 48);
  EXPECT_EQ(h.screen.bells(), 1);
}

TEST(LineEditor, TabWithoutCompleterRings) {
  StringSink sink;
  auto editor = std::make_unique<lib::LineEditor>(sink);
  editor->begin("> ");
  editor->feed("a\tb\x1b[A");
  EXPECT_EQ(sv(editor->line()), "ab");
  EXPECT_NE(sink.out.find('\a'), std::string::npos);
}

TEST(LineEditor, WrapsLongLines) {
  Harness h(10, "$ ");
  h.type("0123456789abcdefghij");  // 22 cells: three rows
  expect_display(h, "$ ", 10);
  EXPECT_EQ(h.screen.text_from(0), "$ 01234567|89abcdefgh|ij");
  h.type("\x7f\x7f");  // back to exactly two full rows
  expect_display(h, "$ ", 10);
  h.type(
      "\x01"
      "XY");  // insert at the start: everything moves
  expect_display(h, "$ ", 10);
  h.type("\x05\x17");  // Ctrl-E, Ctrl-W
  expect_display(h, "$ ", 10);
  EXPECT_EQ(h.line(), "");
  h.type("abcdefgh");  // fills the first row exactly
  expect_display(h, "$ ", 10);
  h.type(kLeft + kLeft + kRight + kRight);
  expect_display(h, "$ ", 10);
  h.type("\r");
  EXPECT_EQ(h.screen.cursor_row(), 2u);
  EXPECT_EQ(h.screen.cursor_column(), 0u);
}

TEST(LineEditor, PromptWithColours) {
  // Only the prompt's two visible cells count: 2 + 8 = 10 fills the row, so the editor
  // redraws and moves down.
  StringSink sink;
  auto editor = std::make_unique<lib::LineEditor>(sink);
  editor->set_width(10);
  editor->begin("\x1b[1m$\x1b[0m ");
  sink.out.clear();
  editor->feed("abcdefgh");
  EXPECT_EQ(sink.out, "abcdefg\r\x1b[J\x1b[1m$\x1b[0m abcdefgh\r\n");
}

// Random edits on a narrow terminal: after every step the screen shows prompt and line and
// the cursor is where it belongs.
TEST(LineEditor, RandomEditsKeepTheScreenRight) {
  const std::vector<std::string> keys = {"a",
                                         "b",
                                         " ",
                                         "\xc3\xa9",
                                         "\xe2\x82\xac",
                                         kLeft,
                                         kRight,
                                         "\x1b[H",
                                         "\x1b[F",
                                         "\x01",
                                         "\x05",
                                         "\x02",
                                         "\x06",
                                         "\x7f",
                                         "\x08",
                                         "\x1b[3~",
                                         "\x0b",
                                         "\x15",
                                         "\x17",
                                         "\x04",
                                         kUp,
                                         kDown,
                                         "\x0c",
                                         "\x1b[1;5D",
                                         "\x1b[1;5C",
                                         "xyz",
                                         "long words here"};
  std::mt19937 rng(17);
  for (size_t width : {7u, 10u, 13u}) {
    Harness h(width, "> ");
    h.history->add("history entry one that is long");
    h.history->add("two");
    for (int step = 0; step < 1500; ++step) {
      const std::string& key = keys[rng() % keys.size()];
      if (key == "\x04" && h.line().empty()) continue;  // the end of input: no more line
      h.type(key);
      if (h.line().size() > 60) h.type("\x01\x0b");
      expect_display(h, "> ", width);
      if (HasFailure()) return;
    }
  }
}

// Random bytes in random pieces: no crash or overflow, the line stays valid UTF-8 within
// the limit, and the cursor on a character boundary.
TEST(LineEditor, RandomBytesAnySplit) {
  std::mt19937 rng(19);
  Harness h(20, "$ ");
  h.completer.words = {"alpha", "alps", "beta"};
  for (int round = 0; round < 3000; ++round) {
    std::string in(rng() % 40, '\0');
    for (auto& c : in) {
      const uint32_t k = rng() % 10;
      c = static_cast<char>(k == 0 ? 0x1b : k == 1 ? "[O~;0123ABCDHF"[rng() % 14] : rng());
    }
    size_t at = 0;
    for (size_t n : term_test::random_cuts(rng, in.size(), 5)) {
      h.type(in.substr(at, n));
      at += n;
    }
    const std::string line = h.line();
    ASSERT_LE(line.size(), lib::kLineMax);
    ASSERT_LE(h.editor->cursor(), line.size());
    ASSERT_TRUE(lib::is_valid_utf8(line.data(), line.size()));
    if (h.editor->cursor() < line.size()) {
      ASSERT_FALSE(lib::is_utf8_continuation(static_cast<uint8_t>(line[h.editor->cursor()])));
    }
    for (unsigned char c : line) ASSERT_FALSE(c < 0x20 || c == 0x7f);
  }
}

// A paste longer than the limit with line breaks: every line is cut at the limit.
TEST(LineEditor, HugePaste) {
  Harness h;
  std::string paste = std::string(lib::kLineMax + 100, 'p') + "\n" + "short\n";
  EXPECT_EQ(h.type(paste), (std::vector<Event>{Event::Line, Event::Line}));
  EXPECT_EQ(h.lines[0].size(), lib::kLineMax);
  EXPECT_EQ(h.lines[1], "short");
  EXPECT_EQ(h.screen.bells(), 100);
}

}  // namespace
