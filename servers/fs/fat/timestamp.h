#pragma once
// FAT's timestamps: a date (years from 1980, month, day) and a time in 2-second steps, kept
// here as UTC (FAT records local time; Stellina's clock is UTC). Dates outside 1980..2107
// are clamped to the ends of that range.

#include <stdint.h>

namespace stellina::fs::fat {

struct FatTime {
  uint16_t date = 0;
  uint16_t time = 0;
  uint8_t tenths = 0;  // creation only: 10 ms units, 0..199
};

FatTime to_fat_time(int64_t ns);
// A zero or malformed date reads as 1980-01-01.
int64_t from_fat_time(uint16_t date, uint16_t time, uint8_t tenths = 0);

}  // namespace stellina::fs::fat
