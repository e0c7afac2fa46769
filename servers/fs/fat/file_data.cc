// File bytes: through the cluster chain, whole sectors directly to and from the device, the
// rest through the block cache.
#include "servers/fs/fat/fat_file_system.h"
#include "servers/fs/fat/timestamp.h"

namespace stellina::fs::fat {

namespace {

constexpr uint64_t kMaxFileSize = 0xFFFFFFFF;
constexpr uint64_t kMaxRun = 256;  // clusters in one direct transfer

}  // namespace

Result<uint32_t> FatFileSystem::chain_length(uint32_t first) {
  if (first == 0) return 0u;
  FatTable::Chain* chain = TRY(fat_.chain(first));
  return chain->length;
}

Result<void> FatFileSystem::transfer(uint32_t first, uint64_t offset, uint8_t* buffer, size_t size,
                                     Io io) {
  FatTable::Chain* chain = TRY(fat_.chain(first));
  const uint32_t sector_size = g_.sector_size;
  size_t done = 0;
  while (done < size) {
    const uint64_t at = offset + done;
    const uint32_t cluster =
        TRY(fat_.cluster_at(chain, static_cast<uint32_t>(at / g_.cluster_size)));
    const uint32_t in_cluster = static_cast<uint32_t>(at % g_.cluster_size);
    if (io != Io::Zero && in_cluster == 0 && size - done >= g_.cluster_size) {
      // Whole clusters that follow each other on the disk: one device transfer.
      const uint32_t index = static_cast<uint32_t>(at / g_.cluster_size);
      uint64_t run = 1;
      const uint64_t most = (size - done) / g_.cluster_size;
      while (run < most && run < kMaxRun && index + run < chain->length) {
        if (TRY(fat_.cluster_at(chain, static_cast<uint32_t>(index + run))) != cluster + run) break;
        ++run;
      }
      const uint64_t sectors = run * g_.sectors_per_cluster;
      if (io == Io::Read) {
        TRY(cache_->read_direct(g_.cluster_sector(cluster), sectors, buffer + done));
      } else {
        TRY(cache_->write_direct(g_.cluster_sector(cluster), sectors, buffer + done));
      }
      done += run * g_.cluster_size;
      continue;
    }
    uint64_t sector = g_.cluster_sector(cluster) + in_cluster / sector_size;
    uint32_t in_sector = in_cluster % sector_size;
    size_t left = size - done;
    if (left > g_.cluster_size - in_cluster) left = g_.cluster_size - in_cluster;
    while (left) {
      size_t n = 0;
      if (in_sector == 0 && left >= sector_size && io != Io::Zero) {
        const size_t count = left / sector_size;
        n = count * sector_size;
        if (io == Io::Read) {
          TRY(cache_->read_direct(sector, count, buffer + done));
        } else {
          TRY(cache_->write_direct(sector, count, buffer + done));
        }
        sector += count;
      } else {
        n = sector_size - in_sector < left ? sector_size - in_sector : left;
        if (io == Io::Zero && n == sector_size) {
          TRY(cache_->get_zeroed(sector));
        } else {
          BlockRef b = TRY(cache_->get(sector));
          if (io == Io::Read) {
            __builtin_memcpy(buffer + done, b.data() + in_sector, n);
          } else {
            if (io == Io::Write) {
              __builtin_memcpy(b.data() + in_sector, buffer + done, n);
            } else {
              __builtin_memset(b.data() + in_sector, 0, n);
            }
            b.mark_dirty();
          }
        }
        ++sector;
        in_sector = 0;
      }
      done += n;
      left -= n;
    }
  }
  return {};
}

Result<uint64_t> FatFileSystem::reserve(Entry& e, uint32_t* have_clusters, uint64_t bytes) {
  uint32_t first = cluster_of(e);
  const uint32_t have = TRY(chain_length(first));
  *have_clusters = have;
  const uint64_t need = (bytes + g_.cluster_size - 1) / g_.cluster_size;
  if (need <= have) return uint64_t{have} * g_.cluster_size;
  const uint32_t got = TRY(fat_.append(&first, static_cast<uint32_t>(need - have), false));
  set_entry_cluster(e.raw, first);
  return uint64_t{have + got} * g_.cluster_size;
}

void FatFileSystem::touch(Entry& e, bool modified) {
  const FatTime now = to_fat_time(now_ns());
  store16(e.raw + kEntAccessDate, now.date);
  if (modified) {
    store16(e.raw + kEntWriteDate, now.date);
    store16(e.raw + kEntWriteTime, now.time);
    e.raw[kEntAttr] |= kAttrArchive;
  }
}

Result<size_t> FatFileSystem::read(InodeId node, uint64_t offset, void* out, size_t size) {
  if (node == kRootNode) return abi::kErrIsDirectory;
  const Entry e = TRY(load_entry(node));
  if (is_dir(e)) return abi::kErrIsDirectory;
  const uint32_t file_size = load32(e.raw + kEntSize);
  if (offset >= file_size || size == 0) return size_t{0};
  if (size > file_size - offset) size = static_cast<size_t>(file_size - offset);
  const uint32_t first = cluster_of(e);
  if (first == 0) return abi::kErrCorrupt;  // bytes but no cluster
  const uint32_t have = TRY(chain_length(first));
  if (uint64_t{have} * g_.cluster_size < file_size) return abi::kErrCorrupt;
  TRY(transfer(first, offset, static_cast<uint8_t*>(out), size, Io::Read));
  return size;
}

Result<size_t> FatFileSystem::write(InodeId node, uint64_t offset, const void* data, size_t size) {
  TRY(writable());
  if (node == kRootNode) return abi::kErrIsDirectory;
  Entry e = TRY(load_entry(node));
  if (is_dir(e)) return abi::kErrIsDirectory;
  if (size == 0) return size_t{0};
  if (offset > kMaxFileSize || size > kMaxFileSize - offset) return abi::kErrTooLarge;
  const uint32_t old_size = load32(e.raw + kEntSize);
  const uint64_t end = offset + size;
  uint32_t have = 0;
  const uint64_t room = TRY(reserve(e, &have, end));
  const uint64_t write_end = end < room ? end : room;
  if (write_end <= offset) {
    uint32_t first = cluster_of(e);
    TRY(fat_.cut(&first, have));  // the clusters that could not be used
    return abi::kErrNoSpace;
  }
  if (offset > old_size) {
    TRY(transfer(cluster_of(e), old_size, nullptr, static_cast<size_t>(offset - old_size),
                 Io::Zero));
  }
  // The bytes go to the clusters; only then does the entry say they are there.
  auto* bytes = static_cast<uint8_t*>(const_cast<void*>(data));
  TRY(transfer(cluster_of(e), offset, bytes, static_cast<size_t>(write_end - offset), Io::Write));
  if (write_end > old_size) store32(e.raw + kEntSize, static_cast<uint32_t>(write_end));
  touch(e, true);
  TRY(store_entry(e));
  return static_cast<size_t>(write_end - offset);
}

Result<void> FatFileSystem::truncate(InodeId node, uint64_t size) {
  TRY(writable());
  if (node == kRootNode) return abi::kErrIsDirectory;
  Entry e = TRY(load_entry(node));
  if (is_dir(e)) return abi::kErrIsDirectory;
  if (size > kMaxFileSize) return abi::kErrTooLarge;
  const uint32_t old_size = load32(e.raw + kEntSize);
  uint32_t first = cluster_of(e);
  if (size < old_size) {
    TRY(fat_.cut(&first, static_cast<uint32_t>((size + g_.cluster_size - 1) / g_.cluster_size)));
    set_entry_cluster(e.raw, first);
  } else if (size > old_size) {
    uint32_t have = 0;
    const uint64_t room = TRY(reserve(e, &have, size));
    if (room < size) {
      first = cluster_of(e);
      TRY(fat_.cut(&first, have));
      set_entry_cluster(e.raw, first);
      return abi::kErrNoSpace;
    }
    TRY(transfer(cluster_of(e), old_size, nullptr, static_cast<size_t>(size - old_size), Io::Zero));
  }
  store32(e.raw + kEntSize, static_cast<uint32_t>(size));
  touch(e, true);
  return store_entry(e);
}

}  // namespace stellina::fs::fat
