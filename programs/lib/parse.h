#pragma once
// Text the commands parse, in plain functions that also build on the host (tests/unit/cmd).

#include <stdint.h>

#include <lib/string_view.h>

namespace cmd {

// Decimal numbers: the whole text must be digits (and one leading '-' or '+' for the signed
// one); false on anything else or on overflow.
bool parse_u64(lib::StringView text, uint64_t* out);
bool parse_i64(lib::StringView text, int64_t* out);

// path's last component ("/a/b/" gives "b"; "/" gives "/").
lib::StringView base_name(lib::StringView path);

}  // namespace cmd
