// Directory entries: slots of 32 bytes in FAT16's fixed root or in a directory's cluster
// chain; a name is its LFN entries (last part first) followed by its 8.3 entry.
#include "servers/fs/fat/fat_file_system.h"

namespace stellina::fs::fat {

Result<uint32_t> FatFileSystem::capacity(const Dir& dir) {
  if (dir.fixed) return g_.root_entries;
  const uint32_t clusters = TRY(chain_length(dir.cluster));
  const uint64_t slots = uint64_t{clusters} * slots_per_cluster();
  return static_cast<uint32_t>(slots < kMaxDirSlots ? slots : kMaxDirSlots);
}

Result<uint64_t> FatFileSystem::slot_sector(const Dir& dir, uint32_t slot) {
  const uint32_t per_sector = g_.entries_per_sector();
  if (dir.fixed) {
    if (slot >= g_.root_entries) return abi::kErrNotFound;
    return uint64_t{g_.root_start} + slot / per_sector;
  }
  if (slot >= kMaxDirSlots) return abi::kErrNotFound;
  FatTable::Chain* chain = TRY(fat_.chain(dir.cluster));
  const uint32_t index = slot / slots_per_cluster();
  if (index >= chain->length) return abi::kErrNotFound;
  const uint32_t cluster = TRY(fat_.cluster_at(chain, index));
  return g_.cluster_sector(cluster) + (slot % slots_per_cluster()) / per_sector;
}

Result<bool> FatFileSystem::next_entry(const Dir& dir, uint32_t* slot, Found* out) {
  // The LFN run being read: its checksum, the order number expected next, where it began.
  uint32_t expect = 0;
  uint32_t parts = 0;
  uint8_t checksum = 0;
  uint32_t run_start = 0;
  for (;; ++*slot) {
    Result<uint64_t> sector = slot_sector(dir, *slot);
    if (!sector.ok()) {
      if (sector.error() == abi::kErrNotFound) return false;
      return sector.error();
    }
    const uint32_t index = *slot % g_.entries_per_sector();
    uint8_t raw[kEntrySize];
    {
      BlockRef b = TRY(cache_->get(sector.value()));
      __builtin_memcpy(raw, b.data() + index * kEntrySize, kEntrySize);
    }
    if (raw[0] == kEntryEnd) return false;
    if (raw[0] == kEntryFree) {
      expect = 0;
      continue;
    }
    if (is_long_entry(raw)) {
      const uint8_t order = raw[kLfnOrder];
      const uint32_t n = order & 0x1F;
      if (order & kLfnLast) {
        if (n == 0 || n > kLfnMaxEntries) {
          expect = 0;
          continue;
        }
        parts = n;
        checksum = raw[kLfnChecksum];
        run_start = *slot;
        expect = n;
      } else if (expect == 0 || n != expect || raw[kLfnChecksum] != checksum) {
        expect = 0;  // an orphan: ignored
        continue;
      }
      for (uint32_t i = 0; i < kLfnChars; ++i)
        name_[(n - 1) * kLfnChars + i] = load16(raw + kLfnCharOffsets[i]);
      expect = n - 1;
      if (expect == 0) expect = 0x100;  // complete: the short entry must come next
      continue;
    }
    const bool complete = expect == 0x100 && short_name_checksum(raw) == checksum;
    expect = 0;
    if (raw[kEntAttr] & kAttrVolumeId) continue;
    if (raw[0] == '.' && (raw[1] == ' ' || (raw[1] == '.' && raw[2] == ' '))) continue;
    out->entry.sector = sector.value();
    out->entry.index = index;
    out->entry.parent = dir.cluster;
    __builtin_memcpy(out->entry.raw, raw, kEntrySize);
    out->slot = *slot;
    out->first_slot = *slot;
    out->name_size = 0;
    if (complete) {
      size_t size = 0;
      while (size < size_t{parts} * kLfnChars && name_[size] != 0) ++size;
      if (size > 0 && size <= kMaxNameUnits) {
        out->name_size = size;
        out->first_slot = run_start;
      }
    }
    if (out->name_size == 0) out->name_size = short_name_to_utf16(raw, name_);
    ++*slot;
    return true;
  }
}

Result<FatFileSystem::Found> FatFileSystem::find(const Dir& dir, const uint16_t* name,
                                                 size_t size) {
  uint32_t slot = 0;
  Found found;
  uint16_t short_name[12];
  while (TRY(next_entry(dir, &slot, &found))) {
    if (same_name(name_, found.name_size, name, size)) return found;
    const size_t short_size = short_name_to_utf16(found.entry.raw, short_name);
    if (same_name(short_name, short_size, name, size)) return found;
  }
  return abi::kErrNotFound;
}

Result<bool> FatFileSystem::is_empty(uint32_t cluster) {
  uint32_t slot = 0;
  Found found;
  return !TRY(next_entry(Dir{cluster, false}, &slot, &found));
}

Result<FatFileSystem::Entry> FatFileSystem::add_entry(const Dir& dir, const uint16_t* name,
                                                      size_t size, uint8_t* raw) {
  uint8_t basis[11];
  const bool exact = exact_short_name(name, size, basis);
  const bool lossy = exact ? false : basis_name(name, size, basis);
  const uint32_t lfn_count = exact ? 0 : static_cast<uint32_t>((size + kLfnChars - 1) / kLfnChars);
  const uint32_t needed = lfn_count + 1;

  // One pass: the first run of needed free slots, and which numeric tails the basis has.
  uint32_t run_start = 0;
  uint32_t run_length = 0;
  uint32_t found_at = UINT32_MAX;
  bool basis_taken = false;
  bool hashed = false;
  __builtin_memset(tails_, 0, sizeof(tails_));
  uint32_t slot = 0;
  for (;; ++slot) {
    Result<uint64_t> sector = slot_sector(dir, slot);
    if (!sector.ok()) {
      if (sector.error() != abi::kErrNotFound) return sector.error();
      break;
    }
    uint8_t entry[kEntrySize];
    {
      BlockRef b = TRY(cache_->get(sector.value()));
      __builtin_memcpy(entry, b.data() + (slot % g_.entries_per_sector()) * kEntrySize, kEntrySize);
    }
    if (entry[0] == kEntryEnd) break;  // this slot and every later one are free
    if (entry[0] == kEntryFree) {
      if (run_length++ == 0) run_start = slot;
      if (run_length >= needed && found_at == UINT32_MAX) found_at = run_start;
      continue;
    }
    run_length = 0;
    if (is_long_entry(entry) || (entry[kEntAttr] & kAttrVolumeId)) continue;
    if (__builtin_memcmp(entry, basis, 11) == 0) basis_taken = true;
    const uint32_t tail = tail_of(basis, entry);
    if (tail && tail <= kMaxTail) tails_[tail / 8] |= 1 << (tail % 8);
  }
  if (found_at == UINT32_MAX) found_at = run_length ? run_start : slot;

  if (!exact && (lossy || basis_taken)) {
    uint32_t tail = 1;
    while (tail <= kMaxTail && (tails_[tail / 8] & (1 << (tail % 8)))) ++tail;
    if (tail > kMaxTail && !hashed) {
      // Every tail of this basis is taken: a basis from a hash of the name, checked again.
      hashed = true;
      hashed_basis(name, size, basis);
      __builtin_memset(tails_, 0, sizeof(tails_));
      uint32_t s = 0;
      for (;; ++s) {
        Result<uint64_t> sector = slot_sector(dir, s);
        if (!sector.ok()) break;
        BlockRef b = TRY(cache_->get(sector.value()));
        const uint8_t* entry = b.data() + (s % g_.entries_per_sector()) * kEntrySize;
        if (entry[0] == kEntryEnd) break;
        if (entry[0] == kEntryFree || is_long_entry(entry)) continue;
        const uint32_t t = tail_of(basis, entry);
        if (t && t <= kMaxTail) tails_[t / 8] |= 1 << (t % 8);
      }
      tail = 1;
      while (tail <= kMaxTail && (tails_[tail / 8] & (1 << (tail % 8)))) ++tail;
    }
    if (tail > kMaxTail) return abi::kErrNoSpace;
    uint8_t tailed[11];
    with_tail(basis, tail, tailed);
    __builtin_memcpy(basis, tailed, 11);
  }
  __builtin_memcpy(raw, basis, 11);
  if (raw[0] == 0xE5) raw[0] = kEntryE5;

  // Room: grow the directory when the run reaches past its end.
  if (uint64_t{found_at} + needed > kMaxDirSlots) return abi::kErrNoSpace;
  const uint32_t room = TRY(capacity(dir));
  if (found_at + needed > room) {
    if (dir.fixed) return abi::kErrNoSpace;
    const uint32_t missing = found_at + needed - room;
    const uint32_t clusters = (missing + slots_per_cluster() - 1) / slots_per_cluster();
    uint32_t first = dir.cluster;
    const uint32_t got = TRY(fat_.append(&first, clusters, true));
    if (got < clusters) {
      // Give back what the directory cannot use.
      const uint32_t have = TRY(chain_length(dir.cluster));
      TRY(fat_.cut(&first, have - got));
      return abi::kErrNoSpace;
    }
  }

  const uint8_t checksum = short_name_checksum(raw);
  for (uint32_t k = 0; k < lfn_count; ++k) {
    const uint32_t order = lfn_count - k;  // the last part is written first
    uint8_t entry[kEntrySize] = {};
    entry[kLfnOrder] = static_cast<uint8_t>(order | (k == 0 ? kLfnLast : 0));
    entry[kEntAttr] = kAttrLongName;
    entry[kLfnChecksum] = checksum;
    for (uint32_t i = 0; i < kLfnChars; ++i) {
      const size_t at = (order - 1) * kLfnChars + i;
      const uint16_t unit = at < size ? name[at] : at == size ? 0 : 0xFFFF;
      store16(entry + kLfnCharOffsets[i], unit);
    }
    const uint64_t sector = TRY(slot_sector(dir, found_at + k));
    BlockRef b = TRY(cache_->get(sector));
    __builtin_memcpy(b.data() + ((found_at + k) % g_.entries_per_sector()) * kEntrySize, entry,
                     kEntrySize);
    b.mark_dirty();
  }
  Entry e;
  const uint32_t short_slot = found_at + lfn_count;
  e.sector = TRY(slot_sector(dir, short_slot));
  e.index = short_slot % g_.entries_per_sector();
  e.parent = dir.cluster;
  __builtin_memcpy(e.raw, raw, kEntrySize);
  TRY(store_entry(e));
  return e;
}

Result<void> FatFileSystem::remove_entry(const Dir& dir, const Found& found) {
  for (uint32_t slot = found.first_slot; slot <= found.slot; ++slot) {
    const uint64_t sector = TRY(slot_sector(dir, slot));
    BlockRef b = TRY(cache_->get(sector));
    b.data()[(slot % g_.entries_per_sector()) * kEntrySize] = kEntryFree;
    b.mark_dirty();
  }
  return {};
}

Result<void> FatFileSystem::set_parent(uint32_t cluster, const Dir& parent) {
  BlockRef b = TRY(cache_->get(g_.cluster_sector(cluster)));
  set_entry_cluster(b.data() + kEntrySize,
                    parent.fixed || is_root_cluster(parent.cluster) ? 0 : parent.cluster);
  b.mark_dirty();
  return {};
}

Result<bool> FatFileSystem::is_ancestor(uint32_t cluster, const Dir& dir) {
  uint32_t at = dir.cluster;
  for (uint32_t steps = 0; steps <= g_.cluster_count; ++steps) {
    if (at == cluster) return true;
    if (dir.fixed || is_root_cluster(at)) return false;
    if (!fat_.in_range(at)) return abi::kErrCorrupt;
    BlockRef b = TRY(cache_->get(g_.cluster_sector(at)));
    at = entry_cluster(b.data() + kEntrySize, g_.fat32);
  }
  return abi::kErrCorrupt;  // '..' entries in a loop
}

}  // namespace stellina::fs::fat
