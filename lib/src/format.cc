#include <lib/format.h>

namespace lib {

size_t string_length(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

void BufferSink::write(const char* s, size_t n) {
  if (capacity_ == 0) {
    truncated_ = truncated_ || n > 0;
    return;
  }
  const size_t room = capacity_ - 1 - length_;
  if (n > room) {
    n = room;
    truncated_ = true;
  }
  for (size_t k = 0; k < n; ++k) buf_[length_ + k] = s[k];
  length_ += n;
  buf_[length_] = '\0';
}

namespace {

struct Spec {
  char align = '>';  // '<' left, '>' right
  char fill = ' ';
  bool alternate = false;
  unsigned width = 0;
  char type = 0;  // 0 default, 'x', 'X', 'b', 'd', 'c', 's', 'p'
};

// Parses the text between ':' and '}'; returns false on a malformed spec.
bool parse_spec(const char* s, const char* end, Spec& spec) {
  if (s < end && (*s == '<' || *s == '>')) spec.align = *s++;
  if (s < end && *s == '#') {
    spec.alternate = true;
    ++s;
  }
  if (s < end && *s == '0') {
    spec.fill = '0';
    ++s;
  }
  while (s < end && *s >= '0' && *s <= '9') {
    spec.width = spec.width * 10 + static_cast<unsigned>(*s++ - '0');
    if (spec.width > 256) return false;
  }
  if (s < end) spec.type = *s++;
  return s == end;
}

void pad(Sink& sink, char fill, size_t n) {
  char chunk[16];
  for (char& c : chunk) c = fill;
  while (n) {
    const size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
    sink.write(chunk, k);
    n -= k;
  }
}

void emit(Sink& sink, const Spec& spec, const char* prefix, const char* body, size_t len) {
  const size_t prefix_len = string_length(prefix);
  const size_t total = prefix_len + len;
  const size_t padding = spec.width > total ? spec.width - total : 0;
  if (spec.align == '<') {
    sink.write(prefix, prefix_len);
    sink.write(body, len);
    pad(sink, ' ', padding);
  } else if (spec.fill == '0') {
    sink.write(prefix, prefix_len);  // zeros go between prefix and digits: 0x000f
    pad(sink, '0', padding);
    sink.write(body, len);
  } else {
    pad(sink, ' ', padding);
    sink.write(prefix, prefix_len);
    sink.write(body, len);
  }
}

void emit_unsigned(Sink& sink, const Spec& spec, uint64_t v, bool negative) {
  unsigned base = 10;
  const char* digits = "0123456789abcdef";
  const char* prefix = negative ? "-" : "";
  switch (spec.type) {
    case 'x':
    case 'p':
      base = 16;
      if (spec.alternate || spec.type == 'p') prefix = "0x";
      break;
    case 'X':
      base = 16;
      digits = "0123456789ABCDEF";
      if (spec.alternate) prefix = "0x";
      break;
    case 'b':
      base = 2;
      if (spec.alternate) prefix = "0b";
      break;
    default: break;
  }
  char buf[64];
  size_t n = 0;
  do {
    buf[sizeof(buf) - 1 - n++] = digits[v % base];
    v /= base;
  } while (v);
  emit(sink, spec, prefix, buf + sizeof(buf) - n, n);
}

void emit_arg(Sink& sink, const Spec& spec, const FormatArg& arg) {
  switch (arg.kind) {
    case FormatArg::Kind::Signed:
      if (spec.type == 'c') {
        const char c = static_cast<char>(arg.i);
        emit(sink, spec, "", &c, 1);
      } else if (arg.i < 0 && spec.type != 'x' && spec.type != 'X' && spec.type != 'b') {
        emit_unsigned(sink, spec, 0 - static_cast<uint64_t>(arg.i), true);
      } else {
        emit_unsigned(sink, spec, static_cast<uint64_t>(arg.i), false);
      }
      return;
    case FormatArg::Kind::Unsigned:
      if (spec.type == 'c') {
        const char c = static_cast<char>(arg.u);
        emit(sink, spec, "", &c, 1);
      } else {
        emit_unsigned(sink, spec, arg.u, false);
      }
      return;
    case FormatArg::Kind::String: {
      const char* s = arg.s ? arg.s : "(null)";
      emit(sink, spec, "", s, string_length(s));
      return;
    }
    case FormatArg::Kind::View: emit(sink, spec, "", arg.v.data, arg.v.size); return;
    case FormatArg::Kind::Pointer: {
      Spec p = spec;
      p.type = 'p';
      emit_unsigned(sink, p, reinterpret_cast<uintptr_t>(arg.p), false);
      return;
    }
    case FormatArg::Kind::Char:
      if (spec.type == 'd' || spec.type == 'x' || spec.type == 'X' || spec.type == 'b') {
        emit_unsigned(sink, spec, static_cast<unsigned char>(arg.c), false);
      } else {
        emit(sink, spec, "", &arg.c, 1);
      }
      return;
    case FormatArg::Kind::Bool: {
      const char* s = arg.b ? "true" : "false";
      emit(sink, spec, "", s, string_length(s));
      return;
    }
  }
}

}  // namespace

void vformat(Sink& sink, const char* fmt, const FormatArg* args, size_t count) {
  size_t next = 0;
  const char* literal = fmt;
  const char* p = fmt;
  auto flush = [&] {
    if (p > literal) sink.write(literal, static_cast<size_t>(p - literal));
  };
  while (*p) {
    if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
      ++p;
      flush();
      literal = ++p;
      continue;
    }
    if (*p != '{') {
      ++p;
      continue;
    }
    flush();
    const char* close = p + 1;
    while (*close && *close != '}') ++close;
    Spec spec;
    const bool closed = *close == '}';
    const char* spec_begin = p + 1;
    bool valid = closed && (spec_begin == close || *spec_begin == ':');
    if (valid && spec_begin != close) valid = parse_spec(spec_begin + 1, close, spec);
    if (!valid) {
      sink.write("{!}", 3);
    } else if (next >= count) {
      sink.write("{?}", 3);
    } else {
      emit_arg(sink, spec, args[next++]);
    }
    p = closed ? close + 1 : close;
    literal = p;
  }
  flush();
}

}  // namespace lib
