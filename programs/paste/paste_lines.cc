#include "programs/paste/paste_lines.h"

namespace text {

namespace {

void delimiter(const PasteDelimiters& d, size_t i, lib::Sink& out) {
  i %= d.count;
  if (!d.empty[i]) out.write(&d.bytes[i], 1);
}

}  // namespace

bool paste_delimiters(lib::StringView list, PasteDelimiters* out) {
  out->count = 0;
  for (size_t i = 0; i < list.size() && out->count < kPasteMaxDelimiters; ++i) {
    char c = list[i];
    bool empty = false;
    if (c == '\\') {
      if (++i == list.size()) return false;
      switch (list[i]) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case '0': empty = true; break;
        default: c = list[i]; break;
      }
    }
    out->bytes[out->count] = c;
    out->empty[out->count++] = empty;
  }
  if (out->count == 0) {  // -d '': no delimiter at all
    out->empty[0] = true;
    out->count = 1;
  }
  return true;
}

void paste_parallel(LineSource* const* sources, size_t count, const PasteDelimiters& d,
                    lib::Sink& out) {
  bool done[kPasteMaxSources] = {};
  if (count > kPasteMaxSources) count = kPasteMaxSources;
  for (;;) {
    // A round: every column's line (empty when its file has ended), delimiters between; the
    // delimiters owed before column i go out with the first text after them, or at the end.
    bool any = false;
    size_t owed_from = 0;
    for (size_t i = 0; i < count; ++i) {
      lib::StringView line;
      if (done[i] || !sources[i]->next(&line)) {
        done[i] = true;
        continue;
      }
      any = true;
      for (; owed_from < i; ++owed_from) delimiter(d, owed_from, out);
      out.write(line.data(), line.size());
    }
    if (!any) return;
    for (; owed_from + 1 < count; ++owed_from) delimiter(d, owed_from, out);
    out.write("\n", 1);
  }
}

void paste_serial(LineSource* const* sources, size_t count, const PasteDelimiters& d,
                  lib::Sink& out) {
  for (size_t i = 0; i < count; ++i) {
    lib::StringView line;
    size_t n = 0;
    bool any = false;
    while (sources[i]->next(&line)) {
      if (any) delimiter(d, n++, out);
      out.write(line.data(), line.size());
      any = true;
    }
    out.write("\n", 1);
  }
}

}  // namespace text
