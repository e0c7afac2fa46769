#pragma once
// sed's command line, as GNU reads it: options anywhere before "--" (-n -e -f -E -r -s -i
// -l -u and their long names), the script as the first operand when no -e or -f gave one.

#include <stddef.h>
#include <stdint.h>

#include <span>

#include <lib/string_view.h>

namespace text {

constexpr size_t kSedMaxArgs = 256;  // as many as a program is given

struct SedArgs {
  struct Piece {
    bool file = false;  // -f: text is its name
    lib::StringView text;
  };
  bool quiet = false;
  bool extended = false;
  bool separate = false;
  bool in_place = false;
  bool unbuffered = false;
  bool help = false;
  bool version = false;
  lib::StringView suffix;  // -iSUFFIX: the original kept as FILE + SUFFIX
  int64_t line_length = 70;
  Piece pieces[kSedMaxArgs];
  size_t piece_count = 0;
  lib::StringView operands[kSedMaxArgs];
  size_t operand_count = 0;
};

// args: argv[1...]. False with a message (GNU's words) in error.
bool parse_sed_args(std::span<const lib::StringView> args, SedArgs* out, char* error,
                    size_t error_size);

}  // namespace text
