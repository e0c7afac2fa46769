#pragma once
// sort's comparison: keys (-k POS1[,POS2] with their own b f n r), a field separator (-t)
// or GNU's blank-led fields, and the last-resort comparison of whole lines GNU makes when
// the keys are equal (not with -u or -s). Plain code, tested on the host.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace text {

struct SortKey {
  uint64_t start_field = 1, start_char = 1;  // from 1
  uint64_t end_field = 0, end_char = 0;      // end_field 0: the line's end; end_char 0: the field's
  bool skip_start_blanks = false, skip_end_blanks = false;
  bool numeric = false, reverse = false, fold = false;
};

struct SortOptions {
  static constexpr size_t kMaxKeys = 32;
  SortKey keys[kMaxKeys];
  size_t key_count = 0;
  int separator = -1;  // -t's byte; -1: fields start where blanks do
  SortKey global;      // the options given outside -k (b, f, n, r)
  bool unique = false;
  bool stable = false;
};

// Parses -k's POS1[,POS2] (letters b f n r after either). Keys with no letters take the
// global options: call finish_keys once every option is known.
bool parse_sort_key(lib::StringView text, SortKey* key, bool* has_options, const char** why);
void finish_keys(SortOptions* o, const bool* key_has_options);

// <0, 0, >0: the keys alone.
int compare_keys(const SortOptions& o, lib::StringView a, lib::StringView b);
// The keys, then (unless -u or -s) the whole lines.
int compare_lines(const SortOptions& o, lib::StringView a, lib::StringView b);
// Numbers as -n reads them: blanks, an optional '-', digits, an optional '.' and digits.
int compare_numbers(lib::StringView a, lib::StringView b);

struct SortLine {
  const char* data;
  size_t size;
};

// A stable merge sort of lines, with scratch room for as many.
void sort_lines(const SortOptions& o, SortLine* lines, SortLine* scratch, size_t count);

}  // namespace text
