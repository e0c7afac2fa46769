#pragma once
// comm's merge of two sorted files: lines only in the first in column 1, only in the second
// in column 2, in both in column 3, each column after a tab per shown column before it
// (-1 -2 -3 hide them). Lines compare as bytes (the C locale). A file out of order is
// noticed, as GNU notices it (a line before the one it follows), for the caller to report
// after the output.

#include <stddef.h>

#include <lib/format.h>
#include <lib/string_view.h>

#include "programs/lib/text_source.h"

namespace text {

struct CommResult {
  bool unsorted[2] = {false, false};
  bool out_of_memory = false;
};

// show[i]: whether column i+1 is written. kept[i]: where file i's previous line is kept.
CommResult comm_merge(LineSource* const files[2], ByteStore* const kept[2], const bool show[3],
                      lib::Sink& out);

}  // namespace text
