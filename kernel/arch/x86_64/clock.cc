// Time: the TSC is the monotonic clock and the LAPIC timer raises the deadline interrupt.
// Both are calibrated against the PIT, which every PC-compatible machine (q35, microvm) has,
// over several short windows; a window during which the host descheduled QEMU is dropped (see
// rates_from_windows). Where the CPU or the hypervisor states the TSC's frequency (CPUID leaf
// 0x40000010, 0x15 or 0x16), that figure is used if the PIT agrees with it to 1%.

#include "clock.h"

#include "cpu.h"
#include "kernel/log.h"
#include "platform.h"

namespace arch {
namespace x86 {
namespace {

constexpr uint16_t kPitChannel0 = 0x40;
constexpr uint16_t kPitCommand = 0x43;

uint16_t pit_last = 0;
uint64_t pit_ticks = 0;

uint16_t pit_read() {
  outb(kPitCommand, 0x00);  // latch channel 0
  const uint8_t lo = inb(kPitChannel0);
  const uint8_t hi = inb(kPitChannel0);
  return static_cast<uint16_t>(lo | (hi << 8));
}

// PIT ticks since pit_start. The counter runs down from 0xffff and reloads: the distance it
// travelled since the last read is added, so reads must come less than 55 ms apart.
uint64_t pit_elapsed_ticks() {
  const uint16_t now = pit_read();
  pit_ticks += static_cast<uint16_t>(pit_last - now);
  pit_last = now;
  return pit_ticks;
}

uint64_t tsc_at_boot = 0;
uint64_t tsc_hz = 0;
// now_ns = (tsc - tsc_at_boot) * ns_per_tsc_q32 >> 32
uint64_t ns_per_tsc_q32 = 0;
uint64_t timer_ticks_per_ns_q32 = 0;

}  // namespace

void pit_start() {
  outb(kPitCommand, 0x34);  // channel 0, lobyte/hibyte, mode 2 (rate generator)
  outb(kPitChannel0, 0xff);
  outb(kPitChannel0, 0xff);
  pit_last = pit_read();
  pit_ticks = 0;
}

uint64_t pit_elapsed_ns() { return pit_elapsed_ticks() * 1'000'000'000 / kPitHz; }

namespace {

// Under TCG the TSC, the PIT and the LAPIC timer all follow the host's clock, so their ratios
// do not depend on a window's length: the error is the time between reading one clock and the
// next at either end. A host that deschedules QEMU (for milliseconds, on a loaded machine)
// between two of those reads, or for more than the PIT's 55 ms wrap between two polls, makes
// that window's ratio wrong (9.6 and 24.6 GHz were seen with one 2 ms window), so the
// calibration measures several short ones and keeps those no pause touched. Eight windows of
// 250 us take 2 ms of guest time; more, up to kMaxCalibrationWindows, only if the host
// spoiled so many that fewer than kMinWindowsUsed remain.
constexpr uint64_t kWindowPitTicks = 298;  // 250 us
constexpr int kWindows = 8;
constexpr int kMinWindowsUsed = 5;
// A window is dropped if its ends are uncertain by more than 1/kEdgeGapFraction of it, or if
// one pause took 1/kPauseFraction of it (see rates_from_windows).
constexpr uint64_t kEdgeGapFraction = 256;
constexpr uint64_t kPauseFraction = 4;
// Of the windows left, those whose TSC rate is this far off their median are dropped too
// (clean windows agree to 0.1% under TCG).
constexpr uint64_t kRateTolerancePerMille = 5;
// A stated TSC frequency is used if the PIT agrees with it this closely.
constexpr uint64_t kStatedTolerancePerMille = 10;

uint64_t per_mille_apart(uint64_t a, uint64_t b) { return (a > b ? a - b : b - a) * 1000 / b; }

// Ticks per second of a clock that counted ticks over pit_ticks of the PIT (in two parts, so
// that no product overflows: there is no 128-bit division in a freestanding kernel).
uint64_t rate_hz(uint64_t ticks, uint64_t pit_ticks) {
  return ticks / pit_ticks * kPitHz + ticks % pit_ticks * kPitHz / pit_ticks;
}

struct ClockReading {
  uint64_t tsc_before, tsc_after;  // the TSC around the other two reads
  uint64_t pit;
  uint32_t lapic;  // counts down
  uint64_t tsc() const { return tsc_before + (tsc_after - tsc_before) / 2; }
};

ClockReading read_clocks() {
  const uint64_t before = rdtsc();
  const uint64_t pit = pit_elapsed_ticks();
  const uint32_t lapic = lapic_timer_count();
  return {before, rdtsc(), pit, lapic};
}

// Polls the three clocks together until kWindowPitTicks have passed, starting and ending at
// the first poll after a PIT tick (so both ends sit at the same point of a tick).
CalibrationWindow measure_window() {
  ClockReading last = read_clocks();
  uint64_t gap = 0, worst_gap = 0;
  const auto poll = [&] {
    const ClockReading next = read_clocks();
    gap = next.tsc_after - last.tsc_after;
    if (gap > worst_gap) worst_gap = gap;
    last = next;
  };
  const uint64_t edge = last.pit;
  do poll();
  while (last.pit == edge);
  const ClockReading start = last;
  const uint64_t start_gap = gap;
  worst_gap = 0;
  do poll();
  while (last.pit - start.pit < kWindowPitTicks);
  return {last.tsc() - start.tsc(), last.pit - start.pit, uint64_t{start.lapic - last.lapic},
          gap > start_gap ? gap : start_gap, worst_gap};
}

// The TSC frequency the CPU or the hypervisor states, 0 if none: the hypervisor's leaf
// 0x40000010 (kHz; VMware's, also given by KVM), leaf 0x15 (the crystal's frequency and the
// TSC's ratio to it) or leaf 0x16 (the base frequency in MHz).
struct StatedFrequency {
  uint64_t hz;
  const char* source;
};

StatedFrequency stated_tsc_frequency() {
  constexpr uint32_t kHypervisorPresent = 1u << 31;  // CPUID 1, ECX
  if ((cpuid(1).ecx & kHypervisorPresent) && cpuid(0x40000000).eax >= 0x40000010) {
    const uint32_t khz = cpuid(0x40000010).eax;
    if (khz) return {uint64_t{khz} * 1000, "CPUID 0x40000010"};
  }
  const uint32_t max_leaf = cpuid(0).eax;
  if (max_leaf >= 0x15) {
    const CpuidResult r = cpuid(0x15);  // TSC = crystal (ECX) * EBX / EAX
    if (r.eax && r.ebx && r.ecx) return {uint64_t{r.ecx} * r.ebx / r.eax, "CPUID 0x15"};
  }
  if (max_leaf >= 0x16) {
    const uint32_t mhz = cpuid(0x16).eax & 0xffff;
    if (mhz) return {uint64_t{mhz} * 1'000'000, "CPUID 0x16"};
  }
  return {0, nullptr};
}

}  // namespace

CalibratedRates rates_from_windows(const CalibrationWindow* windows, int count) {
  if (count > kMaxCalibrationWindows) count = kMaxCalibrationWindows;
  bool clean[kMaxCalibrationWindows] = {};
  uint64_t rates[kMaxCalibrationWindows];  // of the clean windows, sorted
  int clean_count = 0;
  for (int i = 0; i < count; ++i) {
    const CalibrationWindow& w = windows[i];
    clean[i] =
        w.pit && w.edge_gap * kEdgeGapFraction <= w.tsc && w.worst_gap * kPauseFraction < w.tsc;
    if (!clean[i]) continue;
    const uint64_t rate = rate_hz(w.tsc, w.pit);
    int j = clean_count++;
    for (; j > 0 && rates[j - 1] > rate; --j) rates[j] = rates[j - 1];
    rates[j] = rate;
  }
  CalibratedRates result{0, 0, 0};
  if (!clean_count) return result;
  const uint64_t median = rates[clean_count / 2];
  uint64_t tsc = 0, pit = 0, lapic = 0;
  for (int i = 0; i < count; ++i) {
    if (!clean[i] ||
        per_mille_apart(rate_hz(windows[i].tsc, windows[i].pit), median) > kRateTolerancePerMille)
      continue;
    tsc += windows[i].tsc;
    pit += windows[i].pit;
    lapic += windows[i].lapic;
    ++result.windows_used;
  }
  result.tsc_hz = rate_hz(tsc, pit);
  result.lapic_hz = rate_hz(lapic, pit);
  return result;
}

void clock_init() {
  lapic_timer_count_down();
  pit_start();
  const uint64_t tsc_start = rdtsc();
  CalibrationWindow windows[kMaxCalibrationWindows];
  int count = 0;
  CalibratedRates measured{0, 0, 0};
  while (count < kMaxCalibrationWindows &&
         (count < kWindows || measured.windows_used < kMinWindowsUsed)) {
    windows[count++] = measure_window();
    if (count >= kWindows) measured = rates_from_windows(windows, count);
  }
  // Not one window clean: the host paused QEMU in every one. Measure on, over the oldest,
  // rather than guess a rate (a wrong one makes every timeout wrong until the next boot).
  for (int i = 0; !measured.windows_used; i = (i + 1) % kMaxCalibrationWindows) {
    windows[i] = measure_window();
    measured = rates_from_windows(windows, count);
  }
  tsc_at_boot = tsc_start;
  tsc_hz = measured.tsc_hz;
  const char* method = "PIT";
  const StatedFrequency stated = stated_tsc_frequency();
  if (stated.hz && per_mille_apart(stated.hz, measured.tsc_hz) <= kStatedTolerancePerMille) {
    tsc_hz = stated.hz;
    method = stated.source;
  } else if (stated.hz) {
    kernel::log_warn("clock: {} states a TSC of {} kHz, the PIT measures {} kHz: using the PIT",
                     stated.source, stated.hz / 1000, measured.tsc_hz / 1000);
  }
  lapic_timer_calibrated(measured.lapic_hz);
  // Both fit 64 bits for clocks below 4 GHz (no 128-bit division in a freestanding kernel).
  ns_per_tsc_q32 = (uint64_t{1'000'000'000} << 32) / tsc_hz;
  timer_ticks_per_ns_q32 = (lapic_timer_hz() << 32) / 1'000'000'000;
  // Fewer windows than wanted: the host paused QEMU through most of the calibration.
  const auto level =
      measured.windows_used < kMinWindowsUsed ? kernel::LogLevel::Warn : kernel::LogLevel::Info;
  kernel::log(
      level,
      "clock: TSC {} kHz ({}), LAPIC timer {} kHz (PIT: {} of {} windows of 250 us used, {} us "
      "in all)",
      tsc_hz / 1000, method, lapic_timer_hz() / 1000, measured.windows_used, count,
      (rdtsc() - tsc_start) * 1'000'000 / tsc_hz);
}

}  // namespace x86

uint64_t now_ns() {
  if (!x86::tsc_hz) return 0;
  const uint64_t delta = x86::rdtsc() - x86::tsc_at_boot;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * x86::ns_per_tsc_q32) >> 32);
}

uint64_t cycles() { return x86::rdtsc(); }

uint64_t cycles_to_ns(uint64_t cycles) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(cycles) * x86::ns_per_tsc_q32) >>
                               32);
}

void timer_set_deadline(uint64_t deadline_ns) {
  if (deadline_ns == UINT64_MAX) {  // nothing to wait for: no interrupt at all
    x86::lapic_timer_stop();
    return;
  }
  const uint64_t now = now_ns();
  const uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
  const auto ticks = static_cast<uint64_t>(
      (static_cast<unsigned __int128>(delta) * x86::timer_ticks_per_ns_q32) >> 32);
  x86::lapic_timer_oneshot(ticks);
}

}  // namespace arch
