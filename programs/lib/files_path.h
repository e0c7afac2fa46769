#pragma once
// What the file commands (ls, cp, mv, rm, find, du, ...) share that needs no system: paths
// built in a fixed buffer, ls's mode string and dates, human-readable sizes, and sorting
// names in byte order. Pure: builds on the host (tests/unit/cmd/files_path_test.cc).

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace cmd {

// The longest path, in bytes (abi::kFileMaxPath; files_fs.h checks they agree).
constexpr size_t kPathMax = 1024;
// How deep the commands that walk a tree (ls -R, cp -r, rm -r, find, du) go below an
// operand; a deeper directory is reported and skipped.
constexpr size_t kMaxDepth = 64;

// A path in a fixed buffer, grown and cut back as a walk goes down and up a tree.
class PathBuf {
 public:
  // false (and unchanged) if text is longer than kPathMax.
  bool assign(lib::StringView text);
  // Appends "/name" (no '/' added after one already there, or to an empty path); false (and
  // unchanged) if the result would be longer than kPathMax.
  bool push(lib::StringView name);
  // Back to the first size bytes (a size that push returned earlier via size()).
  void truncate(size_t size) { size_ = size < size_ ? size : size_; }
  size_t size() const { return size_; }
  lib::StringView view() const { return {data_, size_}; }

 private:
  char data_[kPathMax + 1] = {};
  size_t size_ = 0;
};

// path without its trailing slashes ("/" stays "/").
lib::StringView strip_slashes(lib::StringView path);
// path's directory part: "a/b" gives "a", "/a" gives "/", "a" gives "." (as dirname).
lib::StringView dir_name(lib::StringView path);
// Whether path's last component is "." or "..".
bool is_dot_or_dotdot(lib::StringView path);
// Whether inner is outer or lies below it, comparing the texts (both as given, trailing
// slashes ignored): "a/b" is below "a", "ab" is not.
bool path_within(lib::StringView outer, lib::StringView inner);

// ls -l's ten characters for a mode (type and permissions, with s/S and t/T), into out.
void mode_string(uint32_t mode, char out[10]);

// A size as ls -h, du -h and df -h print it: bytes below 1024 as they are, otherwise in
// K, M, G, T, P or E (powers of 1024), rounded up, with one decimal below 10 ("1.5K", "12M",
// "10K"). Returns the length written to out (at most 7, no NUL).
size_t human_size(uint64_t bytes, char out[8]);

// ls -l's date for a time in seconds since the epoch (UTC): "Mmm dd HH:MM" for a time
// within six months before now, "Mmm dd  YYYY" otherwise (as GNU ls). Returns 12 (no NUL).
size_t ls_date(int64_t seconds, int64_t now, char out[12]);
// stat's date: "YYYY-MM-DD HH:MM:SS.NNNNNNNNN +0000". Returns its length (35, no NUL).
size_t stat_date(int64_t ns, char out[40]);

// Whether a sorts before b, comparing bytes as unsigned (LC_ALL=C order).
bool name_less(lib::StringView a, lib::StringView b);

// Sorts items[0..n) in place by less (a heap sort: no memory, n log n at worst).
template <typename T, typename Less>
void heap_sort(T* items, size_t n, Less less) {
  auto sift = [&](size_t root, size_t end) {
    for (;;) {
      size_t child = 2 * root + 1;
      if (child >= end) return;
      if (child + 1 < end && less(items[child], items[child + 1])) ++child;
      if (!less(items[root], items[child])) return;
      T t = items[root];
      items[root] = items[child];
      items[child] = t;
      root = child;
    }
  };
  if (n < 2) return;
  for (size_t i = n / 2; i-- > 0;) sift(i, n);
  for (size_t end = n - 1; end > 0; --end) {
    T t = items[0];
    items[0] = items[end];
    items[end] = t;
    sift(0, end);
  }
}

}  // namespace cmd
