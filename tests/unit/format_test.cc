#include <lib/format.h>

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

// Formats into a generous buffer and checks the returned length against the text.
template <typename... Args>
std::string fmt(const char* f, const Args&... args) {
  char buf[512];
  std::memset(buf, 'Z', sizeof(buf));
  const size_t n = lib::format_to(buf, sizeof(buf), f, args...);
  EXPECT_EQ(n, std::strlen(buf)) << "format: " << f;
  return std::string(buf);
}

// Records every write, so the tests can see the sink is driven correctly.
class StringSink final : public lib::Sink {
 public:
  void write(const char* s, size_t n) override { text.append(s, n); }
  std::string text;
};

enum class Color { Red = 1, Blue = -7 };

TEST(Format, PlainTextAndNoArgs) {
  EXPECT_EQ(fmt(""), "");
  EXPECT_EQ(fmt("hello"), "hello");
  EXPECT_EQ(fmt("a}b"), "a}b");  // a lone closing brace is literal
}

TEST(Format, EscapedBraces) {
  EXPECT_EQ(fmt("{{"), "{");
  EXPECT_EQ(fmt("}}"), "}");
  EXPECT_EQ(fmt("{{}}"), "{}");
  EXPECT_EQ(fmt("{{{}}}", 5), "{5}");
  EXPECT_EQ(fmt("a{{b}}c"), "a{b}c");
}

TEST(Format, Decimal) {
  EXPECT_EQ(fmt("{}", 0), "0");
  EXPECT_EQ(fmt("{}", 42), "42");
  EXPECT_EQ(fmt("{}", -42), "-42");
  EXPECT_EQ(fmt("x={} y={}", 1, 2), "x=1 y=2");
  EXPECT_EQ(fmt("{:d}", 123u), "123");
}

TEST(Format, SignedAndUnsignedExtremes) {
  EXPECT_EQ(fmt("{}", INT64_MIN), "-9223372036854775808");
  EXPECT_EQ(fmt("{}", INT64_MAX), "9223372036854775807");
  EXPECT_EQ(fmt("{}", UINT64_MAX), "18446744073709551615");
  EXPECT_EQ(fmt("{}", INT32_MIN), "-2147483648");
  EXPECT_EQ(fmt("{}", UINT32_MAX), "4294967295");
  EXPECT_EQ(fmt("{}", static_cast<int8_t>(-128)), "-128");
  EXPECT_EQ(fmt("{}", static_cast<uint8_t>(255)), "255");  // an integer, not a char
  EXPECT_EQ(fmt("{}", static_cast<short>(-300)), "-300");
  EXPECT_EQ(fmt("{:x}", UINT64_MAX), "ffffffffffffffff");
  EXPECT_EQ(fmt("{:x}", INT64_MIN), "8000000000000000");  // two's complement in hex
  EXPECT_EQ(fmt("{:x}", -1), "ffffffffffffffff");
  EXPECT_EQ(fmt("{:b}", UINT64_MAX), std::string(64, '1'));
  EXPECT_EQ(fmt("{:#b}", UINT64_MAX), "0b" + std::string(64, '1'));
  EXPECT_EQ(fmt("{:b}", INT64_MIN), "1" + std::string(63, '0'));
}

TEST(Format, Hex) {
  EXPECT_EQ(fmt("{:x}", 0), "0");
  EXPECT_EQ(fmt("{:x}", 255), "ff");
  EXPECT_EQ(fmt("{:X}", 0xabcdefu), "ABCDEF");
  EXPECT_EQ(fmt("{:#x}", 255), "0xff");
  EXPECT_EQ(fmt("{:#x}", 0), "0x0");
  EXPECT_EQ(fmt("{:#X}", 0xbeefu), "0xBEEF");
  EXPECT_EQ(fmt("{:x}", 0x123456789abcdef0ull), "123456789abcdef0");
}

TEST(Format, ZeroPaddedWidth) {
  EXPECT_EQ(fmt("{:08x}", 0xbeefu), "0000beef");
  EXPECT_EQ(fmt("{:08x}", 0x123456789ull), "123456789");  // wider than the width: no cut
  EXPECT_EQ(fmt("{:#010x}", 0xfu), "0x0000000f");         // zeros go after the prefix
  EXPECT_EQ(fmt("{:05}", 42), "00042");
  EXPECT_EQ(fmt("{:05}", -42), "-0042");  // the width includes the sign
  EXPECT_EQ(fmt("{:08b}", 5), "00000101");
}

TEST(Format, Alignment) {
  EXPECT_EQ(fmt("{:6}", 42), "    42");  // numbers align right by default
  EXPECT_EQ(fmt("{:>6}", 42), "    42");
  EXPECT_EQ(fmt("{:<6}", 42), "42    ");
  EXPECT_EQ(fmt("{:>6}", -42), "   -42");
  EXPECT_EQ(fmt("{:<6}|", -42), "-42   |");
  EXPECT_EQ(fmt("{:>6}", "ab"), "    ab");
  EXPECT_EQ(fmt("{:<6}|", "ab"), "ab    |");
  EXPECT_EQ(fmt("{:>2}", "abcdef"), "abcdef");  // never truncates
  EXPECT_EQ(fmt("{:<#8x}|", 255), "0xff    |");
  EXPECT_EQ(fmt("{:>#8x}", 255), "    0xff");
  EXPECT_EQ(fmt("{:>40}", 1), std::string(39, ' ') + "1");  // padding beyond one chunk
  EXPECT_EQ(fmt("{:256}", 1).size(), 256u);
}

TEST(Format, Binary) {
  EXPECT_EQ(fmt("{:b}", 0), "0");
  EXPECT_EQ(fmt("{:b}", 10), "1010");
  EXPECT_EQ(fmt("{:#b}", 5u), "0b101");
}

TEST(Format, Chars) {
  EXPECT_EQ(fmt("{}", 'A'), "A");
  EXPECT_EQ(fmt("[{:>3}]", 'x'), "[  x]");
  EXPECT_EQ(fmt("[{:<3}]", 'x'), "[x  ]");
  EXPECT_EQ(fmt("{:c}", 65), "A");  // an integer printed as a char
  EXPECT_EQ(fmt("{:c}", 66u), "B");
  EXPECT_EQ(fmt("{:d}", 'A'), "65");  // a char printed as a number
  EXPECT_EQ(fmt("{:x}", 'A'), "41");
  EXPECT_EQ(fmt("{:d}", static_cast<char>(-1)), "255");
}

TEST(Format, Bools) {
  EXPECT_EQ(fmt("{}", true), "true");
  EXPECT_EQ(fmt("{}", false), "false");
  EXPECT_EQ(fmt("[{:>6}]", true), "[  true]");
  EXPECT_EQ(fmt("[{:<6}]", false), "[false ]");
}

TEST(Format, Strings) {
  EXPECT_EQ(fmt("{}", "text"), "text");
  EXPECT_EQ(fmt("{}", ""), "");
  char mutable_text[] = "mutable";
  EXPECT_EQ(fmt("<{}>", mutable_text), "<mutable>");
  EXPECT_EQ(fmt("{} {}", "a", "b"), "a b");
  // Placeholders inside an argument are not interpreted.
  EXPECT_EQ(fmt("{}", "{} {{"), "{} {{");
}

TEST(Format, NullString) {
  const char* null_text = nullptr;
  EXPECT_EQ(fmt("{}", null_text), "(null)");
  char* null_mutable = nullptr;
  EXPECT_EQ(fmt("[{:>8}]", null_mutable), "[  (null)]");
}

TEST(Format, Pointers) {
  EXPECT_EQ(fmt("{}", reinterpret_cast<const void*>(0x1234)), "0x1234");
  EXPECT_EQ(fmt("{}", reinterpret_cast<void*>(0xdeadbeefull)), "0xdeadbeef");
  EXPECT_EQ(fmt("{}", nullptr), "0x0");
  const void* null_pointer = nullptr;
  EXPECT_EQ(fmt("{}", null_pointer), "0x0");
  int x = 0;
  const std::string expected = "0x" + [&] {
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%lx",
                  static_cast<unsigned long>(reinterpret_cast<uintptr_t>(&x)));
    return std::string(hex);
  }();
  EXPECT_EQ(fmt("{}", &x), expected);  // a typed pointer is a pointer, not a bool
  EXPECT_EQ(fmt("{:018}", reinterpret_cast<void*>(0xabc)), "0x0000000000000abc");
  EXPECT_EQ(fmt("{:>8}", reinterpret_cast<void*>(0xabc)), "   0xabc");
}

TEST(Format, Enums) {
  EXPECT_EQ(fmt("{}", Color::Red), "1");
  EXPECT_EQ(fmt("{}", Color::Blue), "-7");
}

TEST(Format, MissingArguments) {
  EXPECT_EQ(fmt("{}"), "{?}");
  EXPECT_EQ(fmt("{} {} {}", 1), "1 {?} {?}");
  EXPECT_EQ(fmt("{:x}", nullptr, 1), "0x0");  // extra arguments are ignored
  EXPECT_EQ(fmt("{}", 1, 2, 3), "1");
}

TEST(Format, MalformedSpecs) {
  EXPECT_EQ(fmt("{x}", 1), "{!}");
  EXPECT_EQ(fmt("{:q5}", 1), "{!}");  // junk after the type
  EXPECT_EQ(fmt("{:xx}", 1), "{!}");
  EXPECT_EQ(fmt("{:257}", 1), "{!}");  // width over the limit
  EXPECT_EQ(fmt("{:99999999999}", 1), "{!}");
  EXPECT_EQ(fmt("a{", 1), "a{!}");  // unterminated
  EXPECT_EQ(fmt("a{:x", 1), "a{!}");
  // A malformed placeholder does not use up an argument.
  EXPECT_EQ(fmt("{x} {}", 7), "{!} 7");
  EXPECT_EQ(fmt("{:}", 9), "9");  // an empty spec is fine
}

TEST(Format, DrivesAnySink) {
  StringSink sink;
  lib::format(sink, "{}-{:x}-{}", 1, 0x2au, "three");
  EXPECT_EQ(sink.text, "1-2a-three");
  StringSink plain;
  lib::format(plain, "no args {{}}");
  EXPECT_EQ(plain.text, "no args {}");
}

TEST(Format, BufferSinkTruncates) {
  char buf[8];
  std::memset(buf, 'Z', sizeof(buf));
  lib::BufferSink sink(buf, 6);
  lib::format(sink, "hello {}", "world");
  EXPECT_EQ(sink.length(), 5u);
  EXPECT_TRUE(sink.truncated());
  EXPECT_STREQ(buf, "hello");
  EXPECT_EQ(buf[6], 'Z');  // nothing written past the capacity
  EXPECT_EQ(buf[7], 'Z');
}

TEST(Format, BufferSinkExactFitIsNotTruncated) {
  char buf[6];
  lib::BufferSink sink(buf, sizeof(buf));
  lib::format(sink, "{}", 12345);
  EXPECT_EQ(sink.length(), 5u);
  EXPECT_FALSE(sink.truncated());
  EXPECT_STREQ(buf, "12345");
  lib::format(sink, "x");  // one more character no longer fits
  EXPECT_TRUE(sink.truncated());
  EXPECT_STREQ(buf, "12345");
}

TEST(Format, BufferSinkAppendsAcrossCalls) {
  char buf[16];
  lib::BufferSink sink(buf, sizeof(buf));
  EXPECT_STREQ(buf, "");  // terminated from the start
  lib::format(sink, "ab");
  lib::format(sink, "{}", 12);
  EXPECT_EQ(sink.length(), 4u);
  EXPECT_STREQ(buf, "ab12");
  EXPECT_FALSE(sink.truncated());
}

TEST(Format, FormatToTruncationLength) {
  char buf[4];
  EXPECT_EQ(lib::format_to(buf, sizeof(buf), "{:x}", 0xabcdefu), 3u);
  EXPECT_STREQ(buf, "abc");
  // Padding is truncated like anything else.
  EXPECT_EQ(lib::format_to(buf, sizeof(buf), "{:>10}", 1), 3u);
  EXPECT_STREQ(buf, "   ");
}

TEST(Format, CapacityZero) {
  char buf[2] = {'Z', 'Z'};
  lib::BufferSink sink(buf, 0);
  lib::format(sink, "abc");
  EXPECT_EQ(sink.length(), 0u);
  EXPECT_TRUE(sink.truncated());
  EXPECT_EQ(buf[0], 'Z');                              // not even a terminator
  EXPECT_EQ(lib::format_to(nullptr, 0, "{}", 5), 0u);  // a null buffer is fine with no room

  lib::BufferSink empty(buf, 0);
  lib::format(empty, "");
  EXPECT_FALSE(empty.truncated());  // nothing was lost
}

TEST(Format, CapacityOne) {
  char buf[2] = {'Z', 'Z'};
  lib::BufferSink sink(buf, 1);
  EXPECT_EQ(buf[0], '\0');
  lib::format(sink, "abc");
  EXPECT_EQ(sink.length(), 0u);
  EXPECT_TRUE(sink.truncated());
  EXPECT_EQ(buf[0], '\0');
  EXPECT_EQ(buf[1], 'Z');
}

TEST(Format, StringLength) {
  EXPECT_EQ(lib::string_length(""), 0u);
  EXPECT_EQ(lib::string_length("abc"), 3u);
  EXPECT_EQ(lib::string_length("a\0b"), 1u);
}

}  // namespace

namespace {

TEST(Format, CharWithNumericSpecsPrintsItsCode) {
  char buf[32];
  lib::format_to(buf, sizeof(buf), "{:X} {:b} {:d} {:x} {}", 'J', 'J', 'J', 'J', 'J');
  EXPECT_STREQ(buf, "4A 1001010 74 4a J");
}

TEST(Format, StringViewPrintsItsBytesOnly) {
  const char text[] = "hello world";
  EXPECT_EQ(fmt("[{}]", lib::StringView(text, 5)), "[hello]");
  EXPECT_EQ(fmt("[{:>7}]", lib::StringView(text, 5)), "[  hello]");
  EXPECT_EQ(fmt("[{:<7}]", lib::StringView(text + 6, 5)), "[world  ]");
  EXPECT_EQ(fmt("[{}]", lib::StringView()), "[]");
}

}  // namespace
