#pragma once
// The entries of a ramfs directory: a hash table by name for lookups, and an array in
// creation order for listing. Each entry gets the next sequence number of its directory when
// it is added; ReadDir's cursor is the sequence number of the last entry given, so a listing
// goes on from the right place whatever was removed meanwhile (removed entries leave a
// tombstone, compacted away later: the sequence numbers stay).
//
// Inserting cannot fail once reserve() has succeeded, so rename can reserve first and then
// commit without a way back.

#include <stddef.h>
#include <stdint.h>

#include <stellina/result.h>

#include <lib/string_view.h>

namespace stellina::fs::ramfs {

struct Inode;

struct DirEntry {
  DirEntry* hash_next = nullptr;
  Inode* inode = nullptr;
  uint64_t seq = 0;
  uint32_t hash = 0;
  uint16_t name_size = 0;

  // The name is stored right after the entry (see make).
  lib::StringView name() const { return {reinterpret_cast<const char*>(this + 1), name_size}; }
  // An entry for name (not yet in a directory), or null when there is no memory.
  static DirEntry* make(lib::StringView name, Inode* inode);
  static void free(DirEntry* entry);
};

class Directory {
 public:
  Directory() = default;
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;
  ~Directory();  // frees the tables, not the entries (take them out with pop first)

  DirEntry* find(lib::StringView name) const;
  // Room for one more entry. Errors: kErrNoSpace (no memory).
  Result<void> reserve();
  // Adds entry (a name not in the directory), after reserve().
  void insert(DirEntry* entry);
  // Takes entry out; the caller frees it.
  void remove(DirEntry* entry);
  // Any entry, taken out (null when empty): for tearing a directory down.
  DirEntry* pop();

  size_t count() const { return count_; }

  // Listing: entries in creation order, from the first whose sequence number is above
  // cursor. at(i) is null for a removed entry.
  size_t first_after(uint64_t cursor) const;
  size_t order_size() const { return order_size_; }
  DirEntry* at(size_t i) const { return order_[i].entry; }

 private:
  struct Slot {
    uint64_t seq;
    DirEntry* entry;  // null: removed
  };
  static uint32_t hash_of(lib::StringView name);
  size_t index_of(uint64_t seq) const;  // in order_, of a live entry
  void compact();

  DirEntry** buckets_ = nullptr;
  size_t bucket_count_ = 0;  // a power of two, or 0
  Slot* order_ = nullptr;
  size_t order_size_ = 0;
  size_t order_capacity_ = 0;
  size_t count_ = 0;
  uint64_t next_seq_ = 1;
};

}  // namespace stellina::fs::ramfs
