#include "servers/fs/fat/fat_table.h"

#include "servers/fs/fat/layout.h"

namespace stellina::fs::fat {

Result<uint32_t> FatTable::get(uint32_t cluster) {
  const uint32_t width = g_.fat32 ? 4 : 2;
  const uint64_t byte = uint64_t{cluster} * width;
  const uint64_t sector =
      g_.fat_start + uint64_t{g_.active_fat} * g_.fat_sectors + byte / g_.sector_size;
  BlockRef b = TRY(cache_.get(sector));
  const uint8_t* p = b.data() + byte % g_.sector_size;
  return g_.fat32 ? load32(p) & 0x0FFFFFFF : load16(p);
}

Result<void> FatTable::set(uint32_t cluster, uint32_t value) {
  const uint32_t width = g_.fat32 ? 4 : 2;
  const uint64_t byte = uint64_t{cluster} * width;
  for (uint32_t copy = 0; copy < g_.fat_count; ++copy) {
    if (!g_.mirrored && copy != g_.active_fat) continue;
    const uint64_t sector = g_.fat_start + uint64_t{copy} * g_.fat_sectors + byte / g_.sector_size;
    BlockRef b = TRY(cache_.get(sector));
    uint8_t* p = b.data() + byte % g_.sector_size;
    if (g_.fat32) {
      store32(p, (load32(p) & 0xF0000000) | (value & 0x0FFFFFFF));
    } else {
      store16(p, static_cast<uint16_t>(value));
    }
    b.mark_dirty();
  }
  return {};
}

Result<uint32_t> FatTable::next(uint32_t cluster) {
  const uint32_t v = TRY(get(cluster));
  if (is_end(v)) return 0u;
  if (!in_range(v)) return abi::kErrCorrupt;  // free, reserved, bad or past the end
  return v;
}

Result<void> FatTable::load() {
  const uint32_t width = g_.fat32 ? 4 : 2;
  const uint32_t per_sector = g_.sector_size / width;
  const uint64_t first = g_.fat_start + uint64_t{g_.active_fat} * g_.fat_sectors;
  free_ = 0;
  for (uint32_t s = 0; uint64_t{s} * per_sector <= g_.max_cluster(); ++s) {
    BlockRef b = TRY(cache_.get(first + s));
    for (uint32_t i = 0; i < per_sector; ++i) {
      const uint32_t cluster = s * per_sector + i;
      if (cluster < 2) continue;
      if (cluster > g_.max_cluster()) break;
      const uint8_t* p = b.data() + size_t{i} * width;
      const uint32_t v = g_.fat32 ? load32(p) & 0x0FFFFFFF : load16(p);
      if (v == 0) ++free_;
    }
  }
  if (g_.fat32 && g_.fsinfo_sector) {
    BlockRef b = TRY(cache_.get(g_.fsinfo_sector));
    const uint8_t* p = b.data();
    if (load32(p + kFsInfoLead) == kFsInfoLeadSignature &&
        load32(p + kFsInfoStruct) == kFsInfoStructSignature) {
      const uint32_t hint = load32(p + kFsInfoNextFree);
      if (in_range(hint)) next_free_ = hint;
    }
  }
  return {};
}

Result<void> FatTable::write_fsinfo() {
  if (!g_.fat32 || !g_.fsinfo_sector) return {};
  BlockRef b = TRY(cache_.get(g_.fsinfo_sector));
  uint8_t* p = b.data();
  if (load32(p + kFsInfoLead) != kFsInfoLeadSignature ||
      load32(p + kFsInfoStruct) != kFsInfoStructSignature ||
      load32(p + kFsInfoTrail) != kFsInfoTrailSignature)
    return {};  // not an FSInfo sector: leave it alone
  if (load32(p + kFsInfoFreeCount) == free_ && load32(p + kFsInfoNextFree) == next_free_) return {};
  store32(p + kFsInfoFreeCount, free_);
  store32(p + kFsInfoNextFree, next_free_);
  b.mark_dirty();
  return {};
}

Result<FatTable::Chain*> FatTable::chain(uint32_t first) {
  ++clock_;
  Chain* victim = &chains_[0];
  for (Chain& c : chains_) {
    if (c.first == first && first != 0) {
      c.used = clock_;
      return &c;
    }
    if (c.used < victim->used) victim = &c;
  }
  if (!in_range(first)) return abi::kErrCorrupt;
  uint32_t length = 1;
  uint32_t cluster = first;
  for (;;) {
    const uint32_t n = TRY(next(cluster));
    if (n == 0) break;
    if (++length > g_.cluster_count) return abi::kErrCorrupt;  // a loop
    cluster = n;
  }
  *victim = Chain{first, length, cluster, 0, first, clock_};
  return victim;
}

Result<uint32_t> FatTable::cluster_at(Chain* chain, uint32_t index) {
  if (index >= chain->length) return abi::kErrCorrupt;
  uint32_t i = 0;
  uint32_t cluster = chain->first;
  if (index >= chain->at_index) {
    i = chain->at_index;
    cluster = chain->at_cluster;
  }
  while (i < index) {
    cluster = TRY(next(cluster));
    if (cluster == 0) return abi::kErrCorrupt;
    ++i;
  }
  chain->at_index = index;
  chain->at_cluster = cluster;
  return cluster;
}

Result<uint32_t> FatTable::allocate(uint32_t previous) {
  if (free_ == 0) return abi::kErrNoSpace;
  uint32_t cluster = in_range(next_free_) ? next_free_ : 2;
  for (uint32_t tried = 0; tried < g_.cluster_count; ++tried) {
    if (TRY(get(cluster)) == 0) {
      TRY(set(cluster, end_mark()));
      if (previous) TRY(set(previous, cluster));
      --free_;
      next_free_ = cluster == g_.max_cluster() ? 2 : cluster + 1;
      return cluster;
    }
    cluster = cluster == g_.max_cluster() ? 2 : cluster + 1;
  }
  free_ = 0;  // the count was wrong: there is none
  return abi::kErrNoSpace;
}

Result<uint32_t> FatTable::append(uint32_t* first, uint32_t count, bool zero) {
  Chain* chain = nullptr;
  uint32_t last = 0;
  if (*first) {
    chain = TRY(this->chain(*first));
    last = chain->last;
  }
  uint32_t got = 0;
  while (got < count) {
    Result<uint32_t> cluster = allocate(last);
    if (!cluster.ok()) {
      if (cluster.error() == abi::kErrNoSpace) break;
      return cluster.error();
    }
    last = cluster.value();
    if (zero) {
      for (uint32_t s = 0; s < g_.sectors_per_cluster; ++s)
        TRY(cache_.get_zeroed(g_.cluster_sector(last) + s));
    }
    if (*first == 0) *first = last;
    ++got;
  }
  if (got == 0) return got;
  if (chain) {
    chain->length += got;
    chain->last = last;
  } else {
    Chain* fresh = TRY(this->chain(*first));  // walks the new chain once
    (void)fresh;
  }
  return got;
}

Result<void> FatTable::free_from(uint32_t cluster) {
  for (uint32_t steps = 0;; ++steps) {
    if (steps > g_.cluster_count || !in_range(cluster)) return abi::kErrCorrupt;
    const uint32_t v = TRY(get(cluster));
    if (v == 0) return abi::kErrCorrupt;  // a link to a free cluster
    TRY(set(cluster, 0));
    ++free_;
    for (uint32_t s = 0; s < g_.sectors_per_cluster; ++s)
      cache_.forget(g_.cluster_sector(cluster) + s);
    if (is_end(v)) return {};
    cluster = v;
  }
}

void FatTable::forget_chains() {
  for (Chain& c : chains_) c = Chain{};
}

Result<void> FatTable::cut(uint32_t* first, uint32_t keep) {
  if (*first == 0) return {};
  if (keep == 0) {
    forget_chains();
    TRY(free_from(*first));
    *first = 0;
    return {};
  }
  Chain* chain = TRY(this->chain(*first));
  if (keep >= chain->length) return {};
  const uint32_t last = TRY(cluster_at(chain, keep - 1));
  const uint32_t rest = TRY(next(last));
  forget_chains();
  TRY(set(last, end_mark()));
  if (rest) TRY(free_from(rest));
  return {};
}

}  // namespace stellina::fs::fat
