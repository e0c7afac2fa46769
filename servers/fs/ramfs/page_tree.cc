#include "servers/fs/ramfs/page_tree.h"

#include "servers/fs/core/memory.h"

namespace stellina::fs::ramfs {

namespace {

constexpr size_t kSlots = size_t{1} << PageTree::kFanoutShift;

void** slots(void* node) { return static_cast<void**>(node); }

}  // namespace

PageTree::~PageTree() { prune(root_, height_, 0, 0, nullptr); }

uint8_t* PageTree::find(uint64_t index) const {
  if (index >= capacity(height_)) return nullptr;
  void* p = root_;
  for (unsigned level = height_; level > 0 && p; --level)
    p = slots(p)[(index >> (kFanoutShift * (level - 1))) & (kSlots - 1)];
  return static_cast<uint8_t*>(p);
}

void* PageTree::allocate_page(Space& space) {
  if (!space.take(kPageSize)) return nullptr;
  void* page = allocate(kPageSize);
  if (!page) {
    space.give(kPageSize);
    return nullptr;
  }
  ++pages_;
  return page;
}

void PageTree::free_page(void* page, Space* space) {
  deallocate(page);
  --pages_;
  if (space) space->give(kPageSize);
}

uint8_t* PageTree::get(uint64_t index, Space& space) {
  if (uint8_t* page = find(index)) return page;
  // Grow until index fits: the old root becomes slot 0 of a new root node.
  while (index >= capacity(height_)) {
    if (height_ == kMaxHeight) return nullptr;
    if (root_) {
      void* node = allocate_page(space);
      if (!node) return nullptr;
      slots(node)[0] = root_;
      root_ = node;
    }
    ++height_;
  }
  // Walk down, making the missing nodes and the page. A node made here and left empty
  // because a later allocation failed is freed again before returning.
  void** slot = &root_;
  for (unsigned level = height_; level > 0; --level) {
    if (!*slot) {
      *slot = allocate_page(space);
      if (!*slot) {
        drop_empty_path(root_, height_, index, space);
        return nullptr;
      }
    }
    slot = &slots(*slot)[(index >> (kFanoutShift * (level - 1))) & (kSlots - 1)];
  }
  *slot = allocate_page(space);
  if (!*slot) drop_empty_path(root_, height_, index, space);
  return static_cast<uint8_t*>(*slot);
}

void PageTree::drop_empty_path(void*& slot, unsigned level, uint64_t index, Space& space) {
  if (!slot || level == 0) return;
  drop_empty_path(slots(slot)[(index >> (kFanoutShift * (level - 1))) & (kSlots - 1)], level - 1,
                  index, space);
  for (size_t i = 0; i < kSlots; ++i)
    if (slots(slot)[i]) return;
  free_page(slot, &space);
  slot = nullptr;
}

void PageTree::prune(void*& slot, unsigned level, uint64_t base, uint64_t first, Space* space) {
  if (!slot) return;
  if (level == 0) {
    if (base >= first) {
      free_page(slot, space);
      slot = nullptr;
    }
    return;
  }
  const uint64_t child_span = capacity(level - 1);
  bool empty = true;
  for (size_t i = 0; i < kSlots; ++i) {
    void*& child = slots(slot)[i];
    const uint64_t child_base = base + i * child_span;
    // A child that ends before first keeps everything it has.
    if (child && child_base + child_span > first) prune(child, level - 1, child_base, first, space);
    if (child) empty = false;
  }
  if (empty) {
    free_page(slot, space);
    slot = nullptr;
  }
}

void PageTree::free_from(uint64_t first, Space& space) {
  prune(root_, height_, 0, first, &space);
  if (!root_) height_ = 0;
  // A root node holding only its first slot is one level too many: a file cut short keeps
  // no more than a file written that short would.
  while (height_ > 0) {
    void** root = slots(root_);
    for (size_t i = 1; i < kSlots; ++i)
      if (root[i]) return;
    void* only = root[0];
    free_page(root_, &space);
    root_ = only;
    --height_;
  }
}

}  // namespace stellina::fs::ramfs
