#include "programs/xargs/xargs_input.h"

#include "programs/lib/util_escape.h"

namespace util::xargs_cmd {

Event Splitter::add(char c) {
  if (size_ == kMaxItem) {
    error_ = "argument too long";
    return Event::kError;
  }
  buffer_[size_++] = c;
  pending_ = true;
  return Event::kNone;
}

Event Splitter::complete() {
  const bool any = pending_;
  pending_ = false;
  emitted_ = any;
  return any ? Event::kItem : Event::kNone;
}

Event Splitter::feed(char c) {
  if (emitted_) {
    size_ = 0;
    emitted_ = false;
  }
  if (mode_ == Split::kDelimiter) {
    if (c != delimiter_) return add(c);
    pending_ = true;  // an empty one counts
    return complete();
  }
  if (escape_) {
    escape_ = false;
    return add(c);
  }
  if (quote_) {
    if (c == '\n') {
      error_ = quote_ == '\'' ? "unmatched single quote" : "unmatched double quote";
      return Event::kError;
    }
    if (c == quote_) {
      quote_ = 0;
      return Event::kNone;
    }
    return add(c);
  }
  switch (c) {
    case '\\':
      escape_ = true;
      pending_ = true;
      return Event::kNone;
    case '\'':
    case '"':
      quote_ = c;
      pending_ = true;
      return Event::kNone;
    case '\n': return complete();
    case ' ':
    case '\t':
      if (mode_ == Split::kBlanks || !pending_)
        return mode_ == Split::kBlanks ? complete() : Event::kNone;
      return add(c);
    default: return add(c);
  }
}

Event Splitter::finish() {
  if (emitted_) {
    size_ = 0;
    emitted_ = false;
  }
  if (quote_) {
    error_ = quote_ == '\'' ? "unmatched single quote" : "unmatched double quote";
    return Event::kError;
  }
  if (mode_ == Split::kDelimiter && size_ == 0) return Event::kNone;
  return complete();
}

bool parse_delimiter(lib::StringView text, char* out) {
  if (text.size() == 1) {
    *out = text[0];
    return true;
  }
  if (text.empty() || text[0] != '\\') return false;
  const Escape e = read_escape(text, EscapeStyle::kPrintfFormat);
  if (e.error || e.stop || e.count != 1 || e.length != text.size()) return false;
  *out = e.bytes[0];
  return true;
}

}  // namespace util::xargs_cmd
