#pragma once
// text::LineSource over a file of the program's tree ("-": stdin), for main.cc files:
// header-only, as it needs the SDK. An error opening or reading it is reported ("NAME:
// PATH: why") and ends its lines; failed() says so.

#include <new>

#include "programs/lib/cmd.h"
#include "programs/lib/text_lines.h"
#include "programs/lib/text_source.h"

namespace text {

class FileLines final : public LineSource {
 public:
  explicit FileLines(cmd::Command& c) : c_(c), in_(c.env()) {}
  FileLines(const FileLines&) = delete;
  FileLines& operator=(const FileLines&) = delete;
  ~FileLines() {
    if (open_) lines()->~FullLines();
  }

  // False (reported) if it cannot be opened.
  bool open(lib::StringView path) {
    path_ = path;
    const cmd::Result<void> opened = in_.open(path);
    if (!opened.ok()) {
      c_.error_at(path, opened.error());
      failed_ = true;
      return false;
    }
    new (storage_) FullLines(in_);
    open_ = true;
    return true;
  }

  bool next(lib::StringView* line) override {
    if (!open_ || done_) return false;
    const cmd::Result<bool> got = lines()->next(line);
    if (!got.ok()) {
      c_.error_at(path_, got.error());
      failed_ = true;
    }
    if (!got.ok() || !got.value()) {
      done_ = true;
      return false;
    }
    return true;
  }
  bool had_newline() const override { return !open_ || lines()->had_newline(); }
  bool failed() const { return failed_; }

 private:
  FullLines* lines() const {
    return const_cast<FullLines*>(reinterpret_cast<const FullLines*>(storage_));
  }

  cmd::Command& c_;
  cmd::Input in_;
  lib::StringView path_;
  alignas(FullLines) char storage_[sizeof(FullLines)];
  bool open_ = false;
  bool done_ = false;
  bool failed_ = false;
};

}  // namespace text
