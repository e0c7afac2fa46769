#pragma once
// nl's numbering, as POSIX and GNU do it: each line numbered or not by the style of the
// section it is in (body: -b, header: -h, footer: -f; a for all, t for non-empty, n for
// none, pRE for lines a BRE matches), the number formatted by -n (ln, rn, rz) in -w columns
// followed by -s; an unnumbered line gets as many spaces instead. A line that is only
// "\:\:\:", "\:\:" or "\:" starts a header, body or footer (written as an empty line), each
// with the numbers restarted at -v, as GNU does.

#include <stddef.h>
#include <stdint.h>

#include <lib/format.h>
#include <lib/string_view.h>

#include "programs/lib/text_regex.h"

namespace text {

struct NlStyle {
  char kind = 't';         // a t n p
  Regex* regex = nullptr;  // p
};

struct NlOptions {
  NlStyle body, header{'n', nullptr}, footer{'n', nullptr};
  char format[3] = "rn";  // ln rn rz
  int64_t width = 6;
  lib::StringView separator = "\t";
  int64_t start = 1;
  int64_t increment = 1;
};

class Numberer {
 public:
  Numberer(lib::Sink& out, const NlOptions& o) : out_(out), o_(o), next_(o.start) {}

  // One line (without its '\n'), written with one even if the input's last line had none,
  // as GNU does.
  void line(lib::StringView text);

 private:
  void number(int64_t n);

  lib::Sink& out_;
  const NlOptions& o_;
  int64_t next_;
  int section_ = 1;  // 0 header, 1 body, 2 footer
};

}  // namespace text
