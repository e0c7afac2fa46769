#pragma once
// od's output, as GNU coreutils writes it: lines of bytes_per_line bytes, each shown in
// every type asked for (one line per type, the offset only on the first), the fields of all
// types padded so they line up; a run of lines equal to the one before as one "*" (unless
// -v); the offset after the last byte on a line of its own. A last short line is padded
// with zero bytes to a whole number of the largest type.

#include <stddef.h>
#include <stdint.h>

#include <lib/format.h>
#include <lib/string_view.h>

namespace text {

constexpr size_t kOdMaxTypes = 16;
constexpr size_t kOdMaxLineBytes = 4096;  // -w

enum class OdRadix : uint8_t { kOctal, kDecimal, kHex, kNone };

struct OdType {
  char kind = 'o';  // a c d o u x
  uint8_t size = 2;
  bool trailer = false;  // z: the printable bytes after the line, >like this<
  uint8_t width = 0;     // of a field, without padding
  uint32_t pad = 0;      // the spaces shared out among a line's fields
};

struct OdLayout {
  OdType types[kOdMaxTypes];
  size_t count = 0;
  size_t bytes_per_line = 16;
  OdRadix radix = OdRadix::kOctal;
  bool all = false;  // -v: no "*"
};

// One -t argument (types may follow one another: "x1z", "cx2"), appended to layout. False
// with GNU's words in *why.
bool od_add_types(lib::StringView spec, OdLayout* layout, char* why, size_t why_size);

// After the types: o2 if none, the fields' widths and padding. A bytes_per_line that is not
// a multiple of every type's size becomes their least common multiple, with a warning in
// why (else why is empty). False if it is past kOdMaxLineBytes.
bool od_prepare(OdLayout* layout, char* why, size_t why_size);

// A count as -j, -N and -w take it: decimal, 0x hex or 0 octal, with an optional suffix:
// b (512), k K (1024), m M (1024^2), g G (1024^3), kB MB GB (powers of 1000). False if it
// is not one or overflows.
bool od_parse_count(lib::StringView text, uint64_t* out);

class OdDump {
 public:
  // offset: that of the first byte (after -j).
  OdDump(lib::Sink& out, const OdLayout& layout, uint64_t offset)
      : out_(out), l_(layout), offset_(offset) {}

  void feed(const uint8_t* data, size_t n);
  // The last short line, and the offset line.
  void finish();

 private:
  void line(size_t n);
  void offset(uint64_t value);
  void fields(const OdType& t, size_t n);

  lib::Sink& out_;
  const OdLayout& l_;
  uint64_t offset_;
  uint8_t line_[kOdMaxLineBytes];
  uint8_t previous_[kOdMaxLineBytes];
  size_t used_ = 0;
  bool first_ = true;
  bool starred_ = false;
};

}  // namespace text
