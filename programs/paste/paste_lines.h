#pragma once
// paste's merging: line i of every file joined on one line (missing lines empty), or with -s
// each file's lines joined on one line; the delimiters taken in turn from the -d list, where
// \n \t \\ and \0 (no delimiter) are escapes.

#include <stddef.h>

#include <lib/format.h>
#include <lib/string_view.h>

#include "programs/lib/text_source.h"

namespace text {

constexpr size_t kPasteMaxDelimiters = 256;
constexpr size_t kPasteMaxSources = 256;  // as many as a program has arguments

struct PasteDelimiters {
  char bytes[kPasteMaxDelimiters];
  bool empty[kPasteMaxDelimiters];  // \0: none
  size_t count = 0;
};

// The -d list; false if it ends in a lone backslash (GNU: "delimiter list ends with an
// unescaped backslash").
bool paste_delimiters(lib::StringView list, PasteDelimiters* out);

// Writes the merged lines of sources (several may be the same stdin: they take its lines
// in turn, as GNU's "paste - -").
void paste_parallel(LineSource* const* sources, size_t count, const PasteDelimiters& d,
                    lib::Sink& out);
void paste_serial(LineSource* const* sources, size_t count, const PasteDelimiters& d,
                  lib::Sink& out);

}  // namespace text
