#pragma once
// procfs: views of the running system as files, readable with plain reads. One directory
// holding one read-only file per view ("components", "memory", "log", "net", ...); a view's
// text is made afresh by a read at offset 0 and kept for the reads after it, so a file read
// from start to end in pieces is one consistent snapshot. A view's size is 0 in stat (as
// Linux's /proc: the text does not exist until it is read); reads end at its end.

#include <stddef.h>

#include "servers/fs/core/filesystem.h"

namespace stellina::fs {

// Where the views' text comes from: the component asks the startup server's status: and
// the network stack's counters.
class ViewSource {
 public:
  // Writes view i's current text into out (capacity bytes); returns its length.
  virtual Result<size_t> render(size_t view, char* out, size_t capacity) = 0;

 protected:
  ~ViewSource() = default;
};

constexpr size_t kMaxViews = 16;
constexpr size_t kViewBytes = 8192;  // the most text one view holds

// A procfs of count views (at most kMaxViews) named by names (each a valid file name, kept
// by the caller). Errors: kErrInvalidArgument, kErrNoMemory.
Result<FileSystem*> make_procfs(const char* const* names, size_t count, ViewSource& source);

}  // namespace stellina::fs
