#pragma once
// tr's SET operands, expanded to the bytes they stand for: ranges (a-z), classes
// ([:upper:] [:lower:] [:digit:] [:space:] [:alpha:] [:alnum:] [:blank:] [:punct:]
// [:print:] [:graph:] [:cntrl:] [:xdigit:]), [=c=], repetitions ([c*n], and [c*] to fill
// SET2 to SET1's length), escapes (\n \t \\ \a \b \f \r \v and octal \NNN).

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace text {

constexpr size_t kMaxSetBytes = 8192;

struct TrSet {
  uint8_t bytes[kMaxSetBytes];
  size_t size = 0;
};

// Expands spec into *out. fill_to: for SET2, the length [c*] fills to (0 for SET1, where
// [c*] is refused). False with *why on a malformed set.
bool expand_set(lib::StringView spec, size_t fill_to, TrSet* out, const char** why);

// The complement of set: every byte not in it, in ascending order.
void complement_set(const TrSet& set, TrSet* out);

// What tr does, decided from its options and sets: a byte maps to map[b] unless deleted;
// a run of a byte in squeeze collapses to one.
struct TrPlan {
  uint8_t map[256];
  bool remove[256];
  bool squeeze[256];
};

// delete_: -d; squeeze: -s; set2 may be null (one operand). False with *why when the
// operands do not fit the options.
bool plan_tr(const TrSet& set1, const TrSet* set2, bool delete_, bool squeeze, TrPlan* plan,
             const char** why);

// Applies plan to data, writing at most size bytes to out; *last is the last byte written
// (-1 at first), carried from one call to the next for squeezing. Returns the bytes
// written.
size_t apply_tr(const TrPlan& plan, const char* data, size_t size, char* out, int* last);

}  // namespace text
