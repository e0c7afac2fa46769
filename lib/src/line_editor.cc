#include <lib/line_editor.h>

namespace lib {

namespace {

constexpr uint8_t kEsc = 0x1b;

constexpr uint8_t ctrl(char c) { return static_cast<uint8_t>(c & 0x1f); }

bool is_space(char c) { return c == ' '; }

// Terminal cells of prompt text: characters count one, escape sequences (CSI, OSC, ESC and
// one byte) and control characters none.
size_t prompt_columns(const char* s, size_t n) {
  size_t columns = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c == kEsc && i + 1 < n) {
      ++i;
      if (s[i] == '[') {
        while (i + 1 < n && !(s[i + 1] >= 0x40 && s[i + 1] <= 0x7e)) ++i;
        ++i;
      } else if (s[i] == ']') {
        while (i + 1 < n && s[i + 1] != '\a' && s[i + 1] != kEsc) ++i;
        ++i;
        if (i < n && s[i] == kEsc) ++i;  // ST is ESC backslash
      }
      continue;
    }
    if (c < 0x20 || c == 0x7f || is_utf8_continuation(c)) continue;
    ++columns;
  }
  return columns;
}

}  // namespace

// --- Completions ---

bool Completions::add(StringView candidate) {
  if (candidate.empty() || count_ == kMaxCandidates || candidate.size() > kMaxBytes - used_) {
    return false;
  }
  for (char c : candidate) {
    const auto byte = static_cast<uint8_t>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  starts_[count_] = static_cast<uint16_t>(used_);
  for (char c : candidate) bytes_[used_++] = c;
  ends_[count_] = static_cast<uint16_t>(used_);
  ++count_;
  return true;
}

// --- Output ---

void LineEditor::put(const char* s, size_t n) {
  while (n > 0) {
    if (output_size_ == sizeof output_) flush();
    const size_t room = sizeof output_ - output_size_;
    const size_t take = n < room ? n : room;
    for (size_t i = 0; i < take; ++i) output_[output_size_ + i] = s[i];
    output_size_ += take;
    s += take;
    n -= take;
  }
}

void LineEditor::put_csi(size_t n, char final) {
  char buf[24];
  const size_t len = format_to(buf, sizeof buf, "\x1b[{}{}", n, final);
  put(buf, len);
}

void LineEditor::flush() {
  if (output_size_ == 0) return;
  out_.write(output_, output_size_);
  output_size_ = 0;
}

size_t LineEditor::columns_to(size_t at) const {
  size_t columns = prompt_columns_;
  for (size_t i = 0; i < at; ++i) {
    if (!is_utf8_continuation(static_cast<uint8_t>(line_[i]))) ++columns;
  }
  return columns;
}

// Moves the terminal's cursor from terminal_cells_ to `cells`, both counted from the
// prompt's start, rows of width_ cells.
void LineEditor::move_terminal_to(size_t cells) {
  const size_t from_row = terminal_cells_ / width_;
  const size_t to_row = cells / width_;
  const size_t to_column = cells % width_;
  if (from_row == to_row && cells + 1 == terminal_cells_) {
    put("\b");
  } else if (from_row == to_row && cells == terminal_cells_ + 1) {
    put("\x1b[C");
  } else if (cells != terminal_cells_) {
    if (to_row < from_row) put_csi(from_row - to_row, 'A');
    if (to_row > from_row) put_csi(to_row - from_row, 'B');
    put("\r");
    if (to_column > 0) put_csi(to_column, 'C');
  }
  terminal_cells_ = cells;
}

// Writes prompt and line again from the prompt's first row, and puts the cursor back.
void LineEditor::refresh() {
  const size_t row = terminal_cells_ / width_;
  if (row > 0) put_csi(row, 'A');
  put("\r\x1b[J");
  put(prompt_, prompt_size_);
  put(line_, size_);
  const size_t end = columns_to(size_);
  // A terminal leaves the cursor on the last column after filling it; go to the next row so
  // that every position is where the arithmetic says.
  if (end > 0 && end % width_ == 0) put("\r\n");
  terminal_cells_ = end;
  move_terminal_to(columns_to(cursor_));
}

void LineEditor::redraw() {
  refresh();
  flush();
}

void LineEditor::set_width(size_t columns) { width_ = columns > 0 ? columns : 1; }

// --- Lines ---

void LineEditor::begin(StringView prompt) {
  prompt_size_ = prompt.size() < kMaxPrompt ? prompt.size() : kMaxPrompt;
  for (size_t i = 0; i < prompt_size_; ++i) prompt_[i] = prompt[i];
  prompt_columns_ = prompt_columns(prompt_, prompt_size_);
  size_ = 0;
  cursor_ = 0;
  escape_ = Escape::None;
  pending_size_ = 0;
  utf8_.reset();
  last_was_tab_ = false;
  history_index_ = history_ ? history_->size() : 0;
  saved_size_ = 0;
  active_ = true;
  put(prompt_, prompt_size_);
  terminal_cells_ = prompt_columns_;
  if (prompt_columns_ > 0 && prompt_columns_ % width_ == 0) put("\r\n");
  flush();
}

LineEditor::Step LineEditor::feed(const char* data, size_t size) {
  size_t i = 0;
  Event event = Event::None;
  while (i < size && event == Event::None) {
    const auto c = static_cast<uint8_t>(data[i++]);
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;
    }
    if (!active_) begin(StringView(prompt_, prompt_size_));
    event = byte(c);
  }
  flush();
  return {i, event};
}

LineEditor::Event LineEditor::byte(uint8_t c) {
  const bool tab = c == '\t' && escape_ == Escape::None;
  if (!tab) last_was_tab_ = false;

  // A UTF-8 character in progress: continue it, or drop it for a byte that cannot.
  if (pending_size_ > 0) {
    if (is_utf8_continuation(c)) {
      const auto step = utf8_.feed(c);
      if (step == Utf8Checker::Step::Invalid) {
        pending_size_ = 0;
        return Event::None;
      }
      pending_[pending_size_++] = static_cast<char>(c);
      if (step == Utf8Checker::Step::Complete) {
        insert(pending_, pending_size_);
        pending_size_ = 0;
      }
      return Event::None;
    }
    pending_size_ = 0;
    utf8_.reset();
  }

  switch (escape_) {
    case Escape::None: break;
    case Escape::Esc:
      escape_ = Escape::None;
      if (c == '[') {
        escape_ = Escape::Csi;
        params_size_ = 0;
        return Event::None;
      }
      if (c == 'O') {
        escape_ = Escape::Ss3;
        return Event::None;
      }
      if (c == kEsc) {
        escape_ = Escape::Esc;
        return Event::None;
      }
      if (c == 'b') move_cursor(previous_word(cursor_));  // Alt-B
      if (c == 'f') move_cursor(next_word(cursor_));      // Alt-F
      return Event::None;                                 // any other Alt-key is swallowed
    case Escape::Csi:
      // ECMA-48 5.4: parameter bytes 0x30..0x3F, intermediate bytes 0x20..0x2F, then one
      // final byte 0x40..0x7E. Anything else cuts the sequence and is read as itself.
      if (c >= 0x30 && c <= 0x3f) {
        if (params_size_ < sizeof params_) params_[params_size_++] = static_cast<char>(c);
        return Event::None;
      }
      if (c >= 0x20 && c <= 0x2f) return Event::None;
      escape_ = Escape::None;
      if (c >= 0x40 && c <= 0x7e) {
        csi(c);
        return Event::None;
      }
      break;
    case Escape::Ss3:
      escape_ = Escape::None;
      if (c >= 0x40 && c <= 0x7e) {
        ss3(c);
        return Event::None;
      }
      break;
  }

  if (c < 0x20 || c == 0x7f) return control(c);
  if (c < 0x80) {
    const char ch = static_cast<char>(c);
    insert(&ch, 1);
    return Event::None;
  }
  // The first byte of a UTF-8 character (anything else is dropped).
  if (utf8_.feed(c) == Utf8Checker::Step::More) {
    pending_[0] = static_cast<char>(c);
    pending_size_ = 1;
  } else {
    utf8_.reset();
  }
  return Event::None;
}

LineEditor::Event LineEditor::control(uint8_t c) {
  switch (c) {
    case '\r': after_cr_ = true; return finish(Event::Line);
    case '\n': return finish(Event::Line);
    case ctrl('C'):
      move_terminal_to(columns_to(size_));
      put("^C");
      return finish(Event::Interrupt);
    case ctrl('D'):
      if (size_ == 0) return finish(Event::EndOfInput);
      if (cursor_ < size_) erase(cursor_, next_char(cursor_));
      return Event::None;
    case kEsc: escape_ = Escape::Esc; return Event::None;
    case '\t': complete(); return Event::None;
    case ctrl('A'): move_cursor(0); return Event::None;
    case ctrl('E'): move_cursor(size_); return Event::None;
    case ctrl('B'): move_cursor(previous_char(cursor_)); return Event::None;
    case ctrl('F'): move_cursor(next_char(cursor_)); return Event::None;
    case ctrl('H'):
    case 0x7f:
      if (cursor_ > 0) erase(previous_char(cursor_), cursor_);
      return Event::None;
    case ctrl('K'): erase(cursor_, size_); return Event::None;
    case ctrl('U'): erase(0, cursor_); return Event::None;
    case ctrl('W'): erase(previous_word(cursor_), cursor_); return Event::None;
    case ctrl('L'):
      put("\x1b[H\x1b[2J");
      terminal_cells_ = 0;
      refresh();
      return Event::None;
    case ctrl('P'): history_step(true); return Event::None;
    case ctrl('N'): history_step(false); return Event::None;
    default: return Event::None;
  }
}

void LineEditor::csi(uint8_t final) {
  // The first parameter, and whether a modifier (";5" Ctrl, ";3" Alt) follows it.
  size_t first = 0;
  size_t i = 0;
  for (; i < params_size_ && params_[i] >= '0' && params_[i] <= '9'; ++i) {
    if (first < 1000) first = first * 10 + static_cast<size_t>(params_[i] - '0');
  }
  const bool private_marker = params_size_ > 0 && (params_[0] < '0' || params_[0] > ';');
  if (private_marker) return;  // "ESC[?..." and "ESC[<...": reports, not keys
  const bool word =
      i + 1 < params_size_ && params_[i] == ';' && (params_[i + 1] == '5' || params_[i + 1] == '3');
  switch (final) {
    case 'A': history_step(true); return;
    case 'B': history_step(false); return;
    case 'C': move_cursor(word ? next_word(cursor_) : next_char(cursor_)); return;
    case 'D': move_cursor(word ? previous_word(cursor_) : previous_char(cursor_)); return;
    case 'H': move_cursor(0); return;
    case 'F': move_cursor(size_); return;
    case '~':
      if (first == 1 || first == 7) move_cursor(0);
      if (first == 4 || first == 8) move_cursor(size_);
      if (first == 3 && cursor_ < size_) erase(cursor_, next_char(cursor_));
      return;
    default: return;
  }
}

void LineEditor::ss3(uint8_t final) {
  switch (final) {
    case 'A': history_step(true); return;
    case 'B': history_step(false); return;
    case 'C': move_cursor(next_char(cursor_)); return;
    case 'D': move_cursor(previous_char(cursor_)); return;
    case 'H': move_cursor(0); return;
    case 'F': move_cursor(size_); return;
    default: return;
  }
}

LineEditor::Event LineEditor::finish(Event event) {
  if (event == Event::Line) move_terminal_to(columns_to(size_));
  if (event != Event::EndOfInput) put("\r\n");
  if (event == Event::Line && history_) history_->add(line());
  if (event != Event::Line) size_ = cursor_ = 0;
  active_ = false;
  escape_ = Escape::None;
  return event;
}

// --- Editing ---

size_t LineEditor::previous_char(size_t at) const {
  if (at == 0) return 0;
  --at;
  while (at > 0 && is_utf8_continuation(static_cast<uint8_t>(line_[at]))) --at;
  return at;
}

size_t LineEditor::next_char(size_t at) const {
  if (at >= size_) return size_;
  ++at;
  while (at < size_ && is_utf8_continuation(static_cast<uint8_t>(line_[at]))) ++at;
  return at;
}

size_t LineEditor::previous_word(size_t at) const {
  while (at > 0 && is_space(line_[at - 1])) --at;
  while (at > 0 && !is_space(line_[at - 1])) --at;
  return at;
}

size_t LineEditor::next_word(size_t at) const {
  while (at < size_ && is_space(line_[at])) ++at;
  while (at < size_ && !is_space(line_[at])) ++at;
  return at;
}

void LineEditor::move_cursor(size_t to) {
  cursor_ = to;
  move_terminal_to(columns_to(cursor_));
}

void LineEditor::insert(const char* bytes, size_t size) {
  if (size > kLineMax - size_) {
    bell();
    return;
  }
  const bool at_end = cursor_ == size_;
  for (size_t i = size_; i > cursor_; --i) line_[i - 1 + size] = line_[i - 1];
  for (size_t i = 0; i < size; ++i) line_[cursor_ + i] = bytes[i];
  size_ += size;
  cursor_ += size;
  const size_t cells = columns_to(cursor_);
  // At the end of the line, echoing is enough unless it reaches the end of a row.
  if (at_end && cells % width_ != 0) {
    put(bytes, size);
    terminal_cells_ = cells;
  } else {
    refresh();
  }
}

void LineEditor::erase(size_t from, size_t to) {
  if (from >= to) return;
  const bool at_end = to == size_ && cursor_ == size_;
  for (size_t i = to; i < size_; ++i) line_[i - (to - from)] = line_[i];
  size_ -= to - from;
  cursor_ = from;
  const size_t cells = columns_to(cursor_);
  // One character at the end, on the same row: back over it, blank it, back again.
  if (at_end && terminal_cells_ == cells + 1 && terminal_cells_ % width_ != 0) {
    put("\b \b");
    terminal_cells_ = cells;
  } else {
    refresh();
  }
}

void LineEditor::load(StringView text) {
  size_ = text.size() < kLineMax ? text.size() : kLineMax;
  for (size_t i = 0; i < size_; ++i) line_[i] = text[i];
  cursor_ = size_;
  refresh();
}

void LineEditor::history_step(bool older) {
  if (!history_) return;
  const size_t count = history_->size();
  if (history_index_ > count) history_index_ = count;  // the history was cut meanwhile
  if (older) {
    if (history_index_ == 0) {
      bell();
      return;
    }
    if (history_index_ == count) {
      for (size_t i = 0; i < size_; ++i) saved_[i] = line_[i];
      saved_size_ = size_;
    }
    --history_index_;
    load(history_->entry(history_index_));
    return;
  }
  if (history_index_ >= count) return;
  ++history_index_;
  load(history_index_ == count ? StringView(saved_, saved_size_) : history_->entry(history_index_));
}

// --- Completion ---

void LineEditor::complete() {
  const bool second_tab = last_was_tab_;
  last_was_tab_ = true;
  if (!completer_) {
    bell();
    return;
  }
  completions_.clear();
  size_t start = cursor_;
  while (start > 0 && !is_space(line_[start - 1])) --start;
  completions_.word_start = start;
  completer_->complete(line(), cursor_, completions_);
  if (completions_.word_start > cursor_) completions_.word_start = cursor_;
  start = completions_.word_start;
  const size_t count = completions_.size();
  if (count == 0) {
    bell();
    return;
  }

  // What replaces line_[start, cursor_): the one candidate and a space, or the common prefix.
  StringView replacement = completions_[0];
  bool space = false;
  if (count == 1) {
    space = !replacement.ends_with("/");
  } else {
    size_t common = replacement.size();
    for (size_t i = 1; i < count; ++i) {
      const StringView other = completions_[i];
      size_t n = 0;
      while (n < common && n < other.size() && other[n] == replacement[n]) ++n;
      common = n;
    }
    // Never cut a UTF-8 character.
    while (common > 0 && common < replacement.size() &&
           is_utf8_continuation(static_cast<uint8_t>(replacement[common]))) {
      --common;
    }
    replacement = replacement.substr(0, common);
    if (replacement.size() <= cursor_ - start) {
      // Nothing to add: the first Tab rings, the second lists.
      if (second_tab) {
        list_candidates();
      } else {
        bell();
      }
      return;
    }
  }
  const size_t added = replacement.size() + (space ? 1 : 0);
  if (size_ - (cursor_ - start) + added > kLineMax) {
    bell();
    return;
  }
  // Replace the word: close the gap or open it, then copy.
  const size_t old_word = cursor_ - start;
  if (added > old_word) {
    const size_t grow = added - old_word;
    for (size_t i = size_; i > cursor_; --i) line_[i - 1 + grow] = line_[i - 1];
    size_ += grow;
  } else {
    const size_t shrink = old_word - added;
    for (size_t i = cursor_; i < size_; ++i) line_[i - shrink] = line_[i];
    size_ -= shrink;
  }
  for (size_t i = 0; i < replacement.size(); ++i) line_[start + i] = replacement[i];
  if (space) line_[start + replacement.size()] = ' ';
  cursor_ = start + added;
  refresh();
}

void LineEditor::list_candidates() {
  // Below the line, in columns down then across as ls and bash do, then the line again.
  move_terminal_to(columns_to(size_));
  put("\r\n");
  const size_t count = completions_.size();
  size_t widest = 0;
  for (size_t i = 0; i < count; ++i) {
    const StringView c = completions_[i];
    const size_t columns = prompt_columns(c.data(), c.size());
    if (columns > widest) widest = columns;
  }
  const size_t column_width = widest + 2;
  size_t per_row = width_ / column_width;
  if (per_row == 0) per_row = 1;
  const size_t rows = (count + per_row - 1) / per_row;
  for (size_t row = 0; row < rows; ++row) {
    for (size_t column = 0; column < per_row; ++column) {
      const size_t i = column * rows + row;
      if (i >= count) break;
      const StringView c = completions_[i];
      put(c);
      if (column + 1 < per_row && i + rows < count) {
        for (size_t pad = prompt_columns(c.data(), c.size()); pad < column_width; ++pad) {
          put(" ");
        }
      }
    }
    put("\r\n");
  }
  terminal_cells_ = 0;
  refresh();
}

}  // namespace lib
