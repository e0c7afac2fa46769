// The PC's real-time clock: the MC146818 in CMOS, behind the index and data ports 0x70/0x71.
// q35 has one; so does microvm under TCG (QEMU gives it one when rtc=auto and KVM is off).
// QEMU keeps UTC in it by default (-rtc base=utc). lib/mc146818 decodes what is read here.

#include <lib/mc146818.h>

#include "cpu.h"
#include "kernel/arch.h"

namespace arch {
namespace {

namespace rtc = lib::mc146818;

constexpr uint16_t kCmosIndex = 0x70;  // bit 7 would mask NMIs: left clear
constexpr uint16_t kCmosData = 0x71;

// The chip starts an update cycle once a second and sets update-in-progress 244 us before
// it; an update takes under 2 ms. Waiting 10 ms for its end is plenty.
constexpr uint64_t kUpdateWaitNs = 10'000'000;
constexpr int kAttempts = 5;

uint8_t cmos_read(uint8_t reg) {
  x86::outb(kCmosIndex, reg);
  return x86::inb(kCmosData);
}

// Every register once, with no update in progress. Errors: TimedOut (an update that never
// ends).
lib::Result<rtc::Registers> read_once() {
  const uint64_t start = now_ns();
  while (cmos_read(rtc::kStatusA) & rtc::kUpdateInProgress) {
    if (now_ns() - start > kUpdateWaitNs) return lib::Error::TimedOut;
    cpu_relax();
  }
  return rtc::Registers{cmos_read(rtc::kSeconds), cmos_read(rtc::kMinutes),
                        cmos_read(rtc::kHours),   cmos_read(rtc::kDayOfMonth),
                        cmos_read(rtc::kMonth),   cmos_read(rtc::kYear),
                        cmos_read(rtc::kCentury), cmos_read(rtc::kStatusB)};
}

}  // namespace

lib::Result<lib::DateTime> rtc_read() {
  // Nothing answers on the ports: they read all ones.
  if (cmos_read(rtc::kStatusA) == 0xff && cmos_read(rtc::kStatusB) == 0xff)
    return lib::Error::NotFound;
  // An update may begin between the wait and the last register: read until two readings agree.
  rtc::Registers r = TRY(read_once());
  for (int i = 1;; ++i) {
    const rtc::Registers again = TRY(read_once());
    if (again == r) break;
    if (i == kAttempts) return lib::Error::TimedOut;
    r = again;
  }
  return rtc::decode(r);
}

}  // namespace arch
