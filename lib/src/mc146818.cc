#include <lib/mc146818.h>

namespace lib::mc146818 {
namespace {

constexpr uint8_t kInvalid = 0xff;  // out of every field's range

uint8_t from_bcd(uint8_t v) {
  if ((v >> 4) > 9 || (v & 0x0f) > 9) return kInvalid;
  return static_cast<uint8_t>((v >> 4) * 10 + (v & 0x0f));
}

}  // namespace

DateTime decode(const Registers& r) {
  const bool binary = r.status_b & kBinary;
  const bool twelve_hour = !(r.status_b & kHours24);
  const auto field = [binary](uint8_t v) { return binary ? v : from_bcd(v); };
  uint8_t hour = field(twelve_hour ? static_cast<uint8_t>(r.hour & ~kHoursPm) : r.hour);
  if (twelve_hour) {  // 1-12; 12 a.m. is 0, 12 p.m. 12; anything else is not a time
    const bool pm = r.hour & kHoursPm;
    hour = hour >= 1 && hour <= 12 ? static_cast<uint8_t>(hour % 12 + (pm ? 12 : 0)) : kInvalid;
  }
  // The chip counts years 0-99. A century register that names one of the next 80 centuries
  // is taken at its word; anything else (no such register) means 20xx.
  const uint8_t year = field(r.year);
  const uint8_t century = field(r.century);
  const uint32_t base = century >= 20 && century <= 99 ? century * 100u : 2000u;
  return DateTime{year <= 99 ? base + year : 0,  // year 0 is refused
                  field(r.month),
                  field(r.day),
                  hour,
                  field(r.minute),
                  field(r.second)};
}

}  // namespace lib::mc146818
