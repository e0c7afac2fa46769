#pragma once
// diff's core, plain code tested on the host: lines to numbers, Myers' O(ND) algorithm in
// linear space (the middle-snake recursion) to mark the lines each file does not share
// with the other, and the hunks written in the normal or the unified format.
//
// The search has a bound: past kDiffMaxCost edits in one middle-snake search it stops at the
// furthest point it reached, so a diff of two unrelated large files ends in O(N * bound)
// time with a correct, if not minimal, answer.

#include <stddef.h>
#include <stdint.h>

#include <lib/format.h>
#include <lib/string_view.h>

namespace text {

constexpr int64_t kDiffMaxCost = 2048;
constexpr size_t kDiffContext = 3;

struct DiffFile {
  const lib::StringView* lines;
  size_t count;
  bool missing_newline;  // the last line has no '\n'
  lib::StringView name;
};

// ids[0..a.count) and ids[a.count..) get equal numbers for equal lines. table: scratch of
// table_size (a power of two, at least twice the lines of both) entries.
void diff_line_ids(const DiffFile& a, const DiffFile& b, uint32_t* ids, uint32_t* table,
                   size_t table_size);

// The number of int32_t diff_mark needs as scratch.
size_t diff_scratch_size(size_t n, size_t m);

// Marks removed[i] (lines of a only) and added[j] (lines of b only); false if nothing
// differs. ids as diff_line_ids made them.
bool diff_mark(const uint32_t* a, size_t n, const uint32_t* b, size_t m, bool* removed, bool* added,
               int32_t* scratch, int64_t max_cost = kDiffMaxCost);

// The hunks, as POSIX's default format ("2,3c2" with '<' and '>' lines) or the unified
// one ("--- a", "+++ b", "@@ -1,4 +1,3 @@" with kDiffContext lines of context).
void diff_write_normal(lib::Sink& out, const DiffFile& a, const DiffFile& b, const bool* removed,
                       const bool* added);
void diff_write_unified(lib::Sink& out, const DiffFile& a, const DiffFile& b, const bool* removed,
                        const bool* added);

}  // namespace text
