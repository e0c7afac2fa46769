#pragma once
// The data of a ramfs file: 4 KiB pages found by page index in a radix tree of 512-way
// nodes, grown in height as the file grows. A page that was never written is not there (a
// hole, which reads as zeroes), so a sparse file costs only the pages it holds. Every page
// and node is charged to the file system's Space before it is allocated.
//
// Height 0 holds at most page 0, as the root itself (a small file needs no node); height h
// holds 512^h pages below a root node.

#include <stddef.h>
#include <stdint.h>

#include "servers/fs/ramfs/space.h"

namespace stellina::fs::ramfs {

class PageTree {
 public:
  static constexpr size_t kPageSize = 4096;
  static constexpr unsigned kFanoutShift = 9;  // 512 slots of a node
  static constexpr unsigned kMaxHeight = 4;    // 2^36 pages: past kMaxFileSize

  PageTree() = default;
  PageTree(const PageTree&) = delete;
  PageTree& operator=(const PageTree&) = delete;
  ~PageTree();  // frees everything without giving it back to a Space (use clear for that)

  // The page at index, or null for a hole.
  uint8_t* find(uint64_t index) const;
  // The page at index, allocated (zeroed) if it is a hole. Null when space refuses or there
  // is no memory; nothing is left charged then.
  uint8_t* get(uint64_t index, Space& space);
  // Frees every page at first or above (and the nodes left empty or needless), giving them
  // back.
  void free_from(uint64_t first, Space& space);
  void clear(Space& space) { free_from(0, space); }

  // Pages and nodes held, in 4 KiB units.
  uint64_t pages() const { return pages_; }

 private:
  static uint64_t capacity(unsigned height) { return uint64_t{1} << (kFanoutShift * height); }
  void* allocate_page(Space& space);
  void free_page(void* page, Space* space);
  // Frees what lies at or past first below slot (a page at level 0, a node above), whose
  // first page index is base; clears the slot when nothing is left under it.
  void prune(void*& slot, unsigned level, uint64_t base, uint64_t first, Space* space);
  // Frees the nodes on index's path that hold nothing (after a failed get).
  void drop_empty_path(void*& slot, unsigned level, uint64_t index, Space& space);

  void* root_ = nullptr;
  unsigned height_ = 0;
  uint64_t pages_ = 0;
};

}  // namespace stellina::fs::ramfs
