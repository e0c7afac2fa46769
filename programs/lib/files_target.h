#pragma once
// cp and mv's operands: "SOURCE DEST", or "SOURCE... DIRECTORY" (DEST an existing directory
// counts as that). Header-only, as files_fs.h.

#include "programs/lib/files_fs.h"

namespace cmd {

// Where each source goes. check() reports a bad line and says what to do: kGo, kUsage (a
// missing operand: the usage, exit 2) or kFail (several sources and no directory: exit 1).
class Targets {
 public:
  explicit Targets(Command& c, size_t first) : c_(c), first_(first) {}

  enum Verdict { kGo, kUsage, kFail };
  Verdict check() {
    ProgramEnv& p = c_.env();
    const size_t n = p.argc() - first_;
    if (n == 0) {
      c_.error("missing file operand");
      return kUsage;
    }
    if (n == 1) {
      c_.error("missing destination file operand after '{}'", p.arg(first_));
      return kUsage;
    }
    dest_ = p.arg(p.argc() - 1);
    const Result<abi::FileStat> st = p.files().stat(dest_);
    into_ = st.ok() && is_dir(st.value().mode);
    if (n > 2 && !into_) {
      c_.error("target '{}' is not a directory", dest_);
      return kFail;
    }
    return kGo;
  }

  size_t count() const { return c_.env().argc() - first_ - 1; }
  lib::StringView source(size_t i) const { return c_.env().arg(first_ + i); }
  // The i-th source's destination, in *out; false (reported) if too long.
  bool target(size_t i, PathBuf* out) {
    const bool fits =
        into_ ? out->assign(dest_) && out->push(base_name(source(i))) : out->assign(dest_);
    if (!fits) c_.error("'{}': {}", source(i), stellina::status_name(abi::kErrNameTooLong));
    return fits;
  }

 private:
  Command& c_;
  size_t first_;
  lib::StringView dest_;
  bool into_ = false;
};

}  // namespace cmd
