#pragma once
// Type-safe formatting with "{}" placeholders, usable in the kernel (no allocation, no
// varargs). A spec follows a colon: "{:x}" hex, "{:#x}" with 0x, "{:08x}" zero-padded to
// width 8, "{:>6}" / "{:<6}" right/left aligned, "{:b}" binary, "{:c}" char. "{{" and "}}"
// are literal braces. Arguments past the placeholders are ignored; missing ones print "{?}".

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <lib/string_view.h>

namespace lib {

// Where formatted characters go.
class Sink {
 public:
  virtual void write(const char* s, size_t n) = 0;

 protected:
  ~Sink() = default;
};

// Writes into a fixed buffer, truncating and always NUL-terminating (when capacity > 0).
class BufferSink final : public Sink {
 public:
  BufferSink(char* buf, size_t capacity) : buf_(buf), capacity_(capacity) {
    if (capacity_) buf_[0] = '\0';
  }
  void write(const char* s, size_t n) override;
  size_t length() const { return length_; }
  bool truncated() const { return truncated_; }

 private:
  char* buf_;
  size_t capacity_;
  size_t length_ = 0;
  bool truncated_ = false;
};

struct FormatArg {
  enum class Kind { Signed, Unsigned, String, View, Pointer, Char, Bool } kind;
  union {
    int64_t i;
    uint64_t u;
    const char* s;
    struct {
      const char* data;
      size_t size;
    } v;
    const void* p;
    char c;
    bool b;
  };

  // NOLINTBEGIN(google-explicit-constructor): conversions are the point.
  template <typename T>
  requires(std::is_integral_v<T>&& std::is_signed_v<T> && !std::is_same_v<T, char>) FormatArg(T v)
      : kind(Kind::Signed), i(v) {}
  template <typename T>
  requires(std::is_integral_v<T>&& std::is_unsigned_v<T> && !std::is_same_v<T, bool>) FormatArg(T v)
      : kind(Kind::Unsigned), u(v) {}
  template <typename T>
  requires std::is_enum_v<T> FormatArg(T v) : kind(Kind::Signed), i(static_cast<int64_t>(v)) {}
  FormatArg(char v) : kind(Kind::Char), c(v) {}
  FormatArg(bool v) : kind(Kind::Bool), b(v) {}
  FormatArg(const char* v) : kind(Kind::String), s(v) {}
  FormatArg(char* v) : kind(Kind::String), s(v) {}
  FormatArg(StringView v) : kind(Kind::View), v{v.data(), v.size()} {}
  FormatArg(const void* v) : kind(Kind::Pointer), p(v) {}
  FormatArg(void* v) : kind(Kind::Pointer), p(v) {}
  FormatArg(std::nullptr_t) : kind(Kind::Pointer), p(nullptr) {}
  // NOLINTEND(google-explicit-constructor)
};

void vformat(Sink& sink, const char* fmt, const FormatArg* args, size_t count);

template <typename... Args>
void format(Sink& sink, const char* fmt, const Args&... args) {
  if constexpr (sizeof...(Args) == 0) {
    vformat(sink, fmt, nullptr, 0);
  } else {
    const FormatArg list[] = {FormatArg(args)...};
    vformat(sink, fmt, list, sizeof...(Args));
  }
}

// Formats into buf; returns the length written (excluding the terminator).
template <typename... Args>
size_t format_to(char* buf, size_t capacity, const char* fmt, const Args&... args) {
  BufferSink sink(buf, capacity);
  format(sink, fmt, args...);
  return sink.length();
}

size_t string_length(const char* s);

}  // namespace lib
