#include "programs/lib/sys_status.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using cmd::sys::StringView;

std::string str(StringView s) { return std::string(s.data(), s.size()); }

template <typename F>
std::string formatted(F f) {
  char out[64];
  const size_t n = f(out, sizeof(out));
  return std::string(out, n);
}

TEST(SysStatus, LinesAndWords) {
  cmd::sys::Lines lines("a b\n\nc");
  StringView l;
  ASSERT_TRUE(lines.next(&l));
  EXPECT_EQ(str(l), "a b");
  ASSERT_TRUE(lines.next(&l));
  EXPECT_EQ(str(l), "");
  ASSERT_TRUE(lines.next(&l));
  EXPECT_EQ(str(l), "c");
  EXPECT_FALSE(lines.next(&l));
  EXPECT_FALSE(cmd::sys::Lines("").next(&l));

  StringView w[2];
  EXPECT_EQ(cmd::sys::split_words("  one   two three ", w, 2), 3u);
  EXPECT_EQ(str(w[0]), "one");
  EXPECT_EQ(str(w[1]), "two");
  EXPECT_EQ(cmd::sys::split_words("   ", w, 2), 0u);
}

TEST(SysStatus, ComponentLine) {
  cmd::sys::ComponentRow r;
  ASSERT_TRUE(cmd::sys::parse_component(
      "term running user 17 shell 2 1048576 50331648 3 32 4 1500000000 exit:0", &r));
  EXPECT_EQ(str(r.name), "term");
  EXPECT_EQ(str(r.state), "running");
  EXPECT_EQ(str(r.isolation), "user");
  EXPECT_EQ(r.pid, 17u);
  EXPECT_EQ(str(r.silo), "shell");
  EXPECT_EQ(r.restarts, 2u);
  EXPECT_EQ(r.memory_bytes, 1048576u);
  EXPECT_EQ(r.memory_limit_bytes, 50331648u);
  EXPECT_EQ(r.threads, 3u);
  EXPECT_EQ(r.thread_limit, 32u);
  EXPECT_EQ(r.processes, 4u);
  EXPECT_EQ(r.cpu_ns, 1500000000u);
  EXPECT_EQ(str(r.last_exit), "exit:0");
}

TEST(SysStatus, ComponentLineRefusesOtherShapes) {
  cmd::sys::ComponentRow r;
  r.pid = 99;
  for (const char* bad : {
           "",
           "term running user 0 - 0 0 0 0 0 0 0",             // 12 fields
           "term running user 0 - 0 0 0 0 0 0 0 - extra",     // 14
           "term running user x - 0 0 0 0 0 0 0 -",           // not a number
           "term running user 0 - 0 0 0 0 0 0 -1 -",          // negative
           "t r u 0 - 0 99999999999999999999999 0 0 0 0 0 -"  // overflow
       }) {
    EXPECT_FALSE(cmd::sys::parse_component(bad, &r)) << bad;
  }
  EXPECT_EQ(r.pid, 99u);  // untouched
}

TEST(SysStatus, Memory) {
  cmd::sys::MemoryView m;
  ASSERT_TRUE(cmd::sys::parse_memory(
      "total_bytes 1000\nfree_bytes 400\nkernel_heap_bytes 7\nkernel_heap_allocations 2\n"
      "kernel_heap_pages_bytes 8192\nsomething_new 5\n",
      &m));
  EXPECT_EQ(m.total_bytes, 1000u);
  EXPECT_EQ(m.free_bytes, 400u);
  EXPECT_EQ(m.kernel_heap_bytes, 7u);
  EXPECT_EQ(m.kernel_heap_allocations, 2u);
  EXPECT_EQ(m.kernel_heap_pages_bytes, 8192u);
  EXPECT_FALSE(cmd::sys::parse_memory("total_bytes 1000\n", &m));               // no free
  EXPECT_FALSE(cmd::sys::parse_memory("total_bytes 10\nfree_bytes 11\n", &m));  // free > total
  EXPECT_FALSE(cmd::sys::parse_memory("error: memory_info: status -3\n", &m));
  EXPECT_FALSE(cmd::sys::parse_memory("total_bytes x\nfree_bytes 1\n", &m));
}

TEST(SysStatus, Uptime) {
  uint64_t ms = 0;
  ASSERT_TRUE(cmd::sys::parse_uptime("uptime_ms 12345\n", &ms));
  EXPECT_EQ(ms, 12345u);
  EXPECT_FALSE(cmd::sys::parse_uptime("uptime 5\n", &ms));
  EXPECT_FALSE(cmd::sys::parse_uptime("uptime_ms\n", &ms));
  EXPECT_FALSE(cmd::sys::parse_uptime("uptime_ms 5 6\n", &ms));
}

TEST(SysStatus, SiloRows) {
  cmd::sys::SiloRow r;
  EXPECT_FALSE(cmd::sys::parse_silo(
      "SILO      MEMORY KiB  PEAK KiB  THREADS  CPU %   CPU ms  REFUSALS THROTTLED", &r));
  ASSERT_TRUE(cmd::sys::parse_silo("net      512/8192   600   3/16   50   1234   2   7", &r));
  EXPECT_EQ(str(r.name), "net");
  EXPECT_EQ(r.memory_kib, 512u);
  EXPECT_EQ(r.memory_limit_kib, 8192u);
  EXPECT_EQ(r.peak_kib, 600u);
  EXPECT_EQ(r.threads, 3u);
  EXPECT_EQ(r.thread_limit, 16u);
  EXPECT_EQ(r.cpu_percent, 50u);
  EXPECT_EQ(r.cpu_ms, 1234u);
  EXPECT_EQ(r.refusals, 2u);
  EXPECT_EQ(r.throttled, 7u);
  EXPECT_FALSE(cmd::sys::parse_silo("net 512 600 3/16 50 1234 2 7", &r));
  EXPECT_FALSE(cmd::sys::parse_silo("net 512/ 600 3/16 50 1234 2 7", &r));
}

TEST(SysStatus, LogLines) {
  cmd::sys::LogLine l;
  ASSERT_TRUE(cmd::sys::parse_log_line("[    1.000250] info: [startup] started vfs", &l));
  EXPECT_EQ(l.seconds, 1u);
  EXPECT_EQ(l.micros, 250u);
  EXPECT_EQ(str(l.level), "info");
  EXPECT_EQ(str(l.source), "startup");
  EXPECT_EQ(str(l.text), "started vfs");
  ASSERT_TRUE(cmd::sys::parse_log_line("[12345.999999] warn: pmm: low", &l));
  EXPECT_EQ(l.seconds, 12345u);
  EXPECT_EQ(str(l.source), "");
  EXPECT_EQ(str(l.text), "pmm: low");
  ASSERT_TRUE(cmd::sys::parse_log_line("[    0.000001] error: [a b] x", &l));
  EXPECT_EQ(str(l.source), "");  // not one word: part of the text
  EXPECT_EQ(str(l.text), "[a b] x");
  for (const char* bad : {"", "[", "[ 1.5] info: x", "[1.000001]info: x", "[1.000001] : x",
                          "1.000001] info: x", "[x.000001] info: x"}) {
    EXPECT_FALSE(cmd::sys::parse_log_line(bad, &l)) << bad;
  }
}

TEST(SysStatus, Sizes) {
  auto human = [](uint64_t b) {
    return formatted([&](char* o, size_t c) { return cmd::sys::format_human(b, o, c); });
  };
  EXPECT_EQ(human(0), "0B");
  EXPECT_EQ(human(1023), "1023B");
  EXPECT_EQ(human(1024), "1.0Ki");
  EXPECT_EQ(human(1536), "1.5Ki");
  EXPECT_EQ(human(uint64_t{10} * 1024), "10Ki");
  EXPECT_EQ(human(uint64_t{858} << 20), "858Mi");
  EXPECT_EQ(human((uint64_t{99} << 20) / 10), "9.9Mi");
  EXPECT_EQ(human((uint64_t{1024} << 10) - 1), "1.0Mi");
  EXPECT_EQ(human(UINT64_MAX), "16Ei");
  auto plain = [](uint64_t b, unsigned shift) {
    return formatted([&](char* o, size_t c) { return cmd::sys::format_size(b, shift, o, c); });
  };
  EXPECT_EQ(plain(1 << 20, 10), "1024");
  EXPECT_EQ(plain(1 << 20, 20), "1");
  EXPECT_EQ(plain(5, 0), "5");
}

TEST(SysStatus, ParseSize) {
  uint64_t b = 0;
  EXPECT_TRUE(cmd::sys::parse_size("4096", &b));
  EXPECT_EQ(b, 4096u);
  EXPECT_TRUE(cmd::sys::parse_size("64K", &b));
  EXPECT_EQ(b, 65536u);
  EXPECT_TRUE(cmd::sys::parse_size("2M", &b));
  EXPECT_EQ(b, 2u << 20);
  EXPECT_TRUE(cmd::sys::parse_size("1GiB", &b));
  EXPECT_EQ(b, 1u << 30);
  for (const char* bad : {"", "0", "K", "5X", "5KK", "-1M", "17179869184G", "1.5M"})
    EXPECT_FALSE(cmd::sys::parse_size(bad, &b)) << bad;
}

TEST(SysStatus, Times) {
  auto cpu = [](uint64_t ns, bool s) {
    return formatted([&](char* o, size_t c) { return cmd::sys::format_cpu_time(ns, s, o, c); });
  };
  EXPECT_EQ(cpu(0, false), "00:00:00");
  EXPECT_EQ(cpu(3'723'000'000'000, false), "01:02:03");
  EXPECT_EQ(cpu(90'061'000'000'000, false), "1-01:01:01");
  EXPECT_EQ(cpu(61'230'000'000, true), "1:01.23");
  EXPECT_EQ(cpu(UINT64_MAX, false), "213503-23:34:33");
  auto up = [](uint64_t ms) {
    return formatted([&](char* o, size_t c) { return cmd::sys::format_up(ms, o, c); });
  };
  EXPECT_EQ(up(0), "0 min");
  EXPECT_EQ(up(5 * 60'000 + 999), "5 min");
  EXPECT_EQ(up(3'600'000 + 7 * 60'000), " 1:07");
  EXPECT_EQ(up(86'400'000 + 3'600'000), "1 day,  1:00");
  EXPECT_EQ(up(2 * 86'400'000 + 60'000), "2 days, 1 min");
  auto pretty = [](uint64_t ms) {
    return formatted([&](char* o, size_t c) { return cmd::sys::format_up_pretty(ms, o, c); });
  };
  EXPECT_EQ(pretty(0), "up 0 minutes");
  EXPECT_EQ(pretty(60'000), "up 1 minute");
  EXPECT_EQ(pretty(2 * 3'600'000 + 3 * 60'000), "up 2 hours, 3 minutes");
  EXPECT_EQ(pretty(uint64_t{8} * 86'400'000), "up 1 week, 1 day");
}

TEST(SysStatus, Dates) {
  auto date = [](uint64_t s) {
    return formatted([&](char* o, size_t c) { return cmd::sys::format_date_time(s, o, c); });
  };
  EXPECT_EQ(date(0), "1970-01-01 00:00:00");
  EXPECT_EQ(date(951782400), "2000-02-29 00:00:00");  // a leap century
  EXPECT_EQ(date(1709251199), "2024-02-29 23:59:59");
  EXPECT_EQ(date(1709251200), "2024-03-01 00:00:00");
  EXPECT_EQ(date(4102444800), "2100-01-01 00:00:00");
  EXPECT_EQ(date(4107542400), "2100-03-01 00:00:00");  // 2100 is not a leap year
  EXPECT_EQ(date(UINT64_MAX).substr(0, 4), "9999");
}

TEST(SysStatus, CpuShare) {
  EXPECT_EQ(cmd::sys::cpu_tenths(0, 0), 0u);
  EXPECT_EQ(cmd::sys::cpu_tenths(1'000'000'000, 2'000'000'000), 500u);
  EXPECT_EQ(cmd::sys::cpu_tenths(1, 3), 333u);
  EXPECT_EQ(cmd::sys::cpu_tenths(2, 3), 667u);
  EXPECT_EQ(cmd::sys::cpu_tenths(UINT64_MAX, 1), UINT64_MAX);
  EXPECT_EQ(cmd::sys::cpu_tenths(UINT64_MAX, UINT64_MAX), 1000u);
  EXPECT_EQ(cmd::sys::cpu_tenths(UINT64_MAX / 2, UINT64_MAX), 500u);
  EXPECT_EQ(cmd::sys::cpu_tenths(UINT64_MAX / 4, UINT64_MAX / 2), 500u);
  EXPECT_EQ(cmd::sys::cpu_tenths(UINT64_MAX / 1000 - 1, 1), (UINT64_MAX / 1000 - 1) * 1000);
  EXPECT_EQ(cmd::sys::cpu_tenths(UINT64_MAX / 1000, 1), UINT64_MAX);
}

TEST(SysStatus, Signals) {
  EXPECT_EQ(str(cmd::sys::signal_name(9)), "KILL");
  EXPECT_EQ(str(cmd::sys::signal_name(15)), "TERM");
  EXPECT_EQ(str(cmd::sys::signal_name(16)), "");
  EXPECT_EQ(str(cmd::sys::signal_name(32)), "");
  EXPECT_EQ(cmd::sys::signal_number("KILL"), 9u);
  EXPECT_EQ(cmd::sys::signal_number("sigterm"), 15u);
  EXPECT_EQ(cmd::sys::signal_number("9"), 9u);
  EXPECT_EQ(cmd::sys::signal_number("16"), 0u);
  EXPECT_EQ(cmd::sys::signal_number("SIG"), 0u);
  EXPECT_EQ(cmd::sys::signal_number("NOPE"), 0u);
  EXPECT_EQ(cmd::sys::signal_number("AVERYLONGSIGNALNAME"), 0u);
}

}  // namespace
