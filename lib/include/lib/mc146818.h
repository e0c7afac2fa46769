#pragma once
// Decoding the MC146818 real-time clock's registers (the PC's CMOS clock) into a date: BCD or
// binary, 12- or 24-hour, two-digit years with an optional century register. Reading them is
// the kernel's arch code (kernel/arch/x86_64/rtc.cc); this part is pure, so it is unit-tested.

#include <cstdint>

#include <lib/date.h>

namespace lib::mc146818 {

// Register numbers.
constexpr uint8_t kSeconds = 0x00, kMinutes = 0x02, kHours = 0x04, kDayOfMonth = 0x07,
                  kMonth = 0x08, kYear = 0x09, kStatusA = 0x0a, kStatusB = 0x0b;
constexpr uint8_t kCentury = 0x32;  // not the chip's, but where PC firmware (and QEMU) keep it
constexpr uint8_t kUpdateInProgress = 1u << 7;  // in status A
constexpr uint8_t kHours24 = 1u << 1;           // in status B; else 12-hour, with...
constexpr uint8_t kHoursPm = 1u << 7;           // ...this bit of the hours for p.m.
constexpr uint8_t kBinary = 1u << 2;            // in status B; else BCD

// The registers as read, status B included.
struct Registers {
  uint8_t second, minute, hour, day, month, year, century, status_b;
  bool operator==(const Registers&) const = default;
};

// The date the registers hold. Not checked: a field that holds no valid value (a byte that is
// not BCD, hour 0 on a 12-hour clock) decodes out of its range, so seconds_since_epoch refuses
// the date. Years are 20xx unless the century register names a century from 20 to 99.
DateTime decode(const Registers& r);

}  // namespace lib::mc146818
