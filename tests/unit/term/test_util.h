#pragma once
// Helpers shared by the terminal tests: hex strings and seeded random splits.

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace term_test {

inline std::string hex(const uint8_t* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < size; ++i) {
    s += kDigits[data[i] >> 4];
    s += kDigits[data[i] & 15];
  }
  return s;
}

inline std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

// Cuts [0, size) into pieces of random lengths (1..max_piece), as a network would.
inline std::vector<size_t> random_cuts(std::mt19937& rng, size_t size, size_t max_piece) {
  std::vector<size_t> pieces;
  std::uniform_int_distribution<size_t> len(1, max_piece);
  for (size_t done = 0; done < size;) {
    size_t n = len(rng);
    if (n > size - done) n = size - done;
    pieces.push_back(n);
    done += n;
  }
  return pieces;
}

}  // namespace term_test
