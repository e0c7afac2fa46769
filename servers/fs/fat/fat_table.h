#pragma once
// The file allocation table: cluster chains read, grown, cut and freed through the block
// cache, every change written to each FAT copy (or only the active one when FAT32 mirroring
// is off), the free count kept exact. Every chain walk is bounded by the cluster count, and a
// link to a free, reserved, bad or out-of-range cluster is kErrCorrupt, so a hostile table
// can neither loop the engine nor send it outside the data region.
//
// A small cache remembers, per chain (by first cluster), its validated length and last
// cluster and the last position reached, so sequential reads and appends do not walk the
// chain from its start each time.

#include <stdint.h>

#include <stellina/result.h>

#include "servers/fs/core/block_cache.h"
#include "servers/fs/fat/geometry.h"

namespace stellina::fs::fat {

class FatTable {
 public:
  struct Chain {
    uint32_t first = 0;  // 0: an unused slot
    uint32_t length = 0;
    uint32_t last = 0;
    uint32_t at_index = 0;  // a position reached before, to go on from
    uint32_t at_cluster = 0;
    uint32_t used = 0;  // for least-recently-used replacement
  };

  FatTable(BlockCache& cache, const Geometry& geometry) : cache_(cache), g_(geometry) {}

  // Mount: counts the free clusters (the FSInfo hint is not trusted) and reads FSInfo's
  // next-free hint.
  Result<void> load();
  uint32_t free_count() const { return free_; }
  bool in_range(uint32_t cluster) const { return cluster >= 2 && cluster <= g_.max_cluster(); }

  // The chain that starts at first, walked once to its end (kErrCorrupt for a bad link, a
  // loop, or first out of range). Valid until the next call.
  Result<Chain*> chain(uint32_t first);
  // The cluster at index (< chain->length).
  Result<uint32_t> cluster_at(Chain* chain, uint32_t index);
  // Appends up to count clusters to the chain at *first (0: a new chain, *first is set);
  // returns how many it got (fewer when the disk is full). zero: each new cluster's sectors
  // are zeroed (directories).
  Result<uint32_t> append(uint32_t* first, uint32_t count, bool zero);
  // Keeps the first keep clusters of the chain at *first and frees the rest (keep 0: the
  // whole chain, *first becomes 0).
  Result<void> cut(uint32_t* first, uint32_t keep);

  // Writes the free count and the next-free hint to FSInfo (FAT32).
  Result<void> write_fsinfo();

 private:
  Result<uint32_t> get(uint32_t cluster);
  Result<void> set(uint32_t cluster, uint32_t value);
  // The cluster after cluster: 0 at the end of the chain, kErrCorrupt for a bad link.
  Result<uint32_t> next(uint32_t cluster);
  Result<uint32_t> allocate(uint32_t previous);
  Result<void> free_from(uint32_t cluster);
  uint32_t end_mark() const { return g_.fat32 ? 0x0FFFFFFF : 0xFFFF; }
  bool is_end(uint32_t v) const { return v >= (g_.fat32 ? 0x0FFFFFF8u : 0xFFF8u); }
  void forget_chains();

  static constexpr int kChains = 8;

  BlockCache& cache_;
  const Geometry& g_;
  uint32_t free_ = 0;
  uint32_t next_free_ = 2;
  uint32_t clock_ = 0;
  Chain chains_[kChains];
};

}  // namespace stellina::fs::fat
