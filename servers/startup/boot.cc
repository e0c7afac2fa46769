// The boot: scheme (abi/stellina/status.h): files of the boot archive, read-only.
//
// The kernel lends the whole archive as one folio that can never be written; the startup
// server maps it and reads it with lib::BootArchive. A file is lent to a client as a folio of
// its own holding a copy of the file's bytes from offset 0, because the archive's files are
// only 16-byte aligned: a window of the kernel's folio would not start at the file, and
// would show the client the neighbouring files' bytes in its first and last pages. The copy
// is made on the first Open of a file and kept (kMaxBootCache files; listings likewise, per
// directory, kMaxBootListings of them), every later Open gets another read-only handle to the
// same folio: the memory boot: can cost is bounded by the archive's size and its listings,
// however often clients open files and however long they keep them. The copies are charged
// to the startup server's silo, not to the clients'.
#include "servers/startup/supervisor.h"

namespace startup {

namespace sys = stellina::sys;

namespace {

constexpr uint32_t kLentRights = abi::kRightRead | abi::kRightMap | abi::kRightTransfer;

// A fresh folio (all rights) holding a copy of [data, data + size), or the status.
int64_t copy_to_folio(const uint8_t* data, uint64_t size) {
  const int64_t folio = sys::folio_create(size ? size : 1);
  if (folio < 0) return folio;
  const auto h = static_cast<abi::Handle>(folio);
  uintptr_t mapped = 0;
  const int64_t status = sys::folio_map(h, true, &mapped);
  if (status < 0) {
    sys::handle_close(h);
    return status;
  }
  __builtin_memcpy(reinterpret_cast<void*>(mapped), data, size);
  sys::folio_unmap(static_cast<uint64_t>(mapped));
  return folio;
}

// A read-only handle to folio; the original is closed unless `keep`.
int64_t lend(abi::Handle folio, bool keep) {
  const int64_t lent = sys::handle_duplicate(folio, kLentRights);
  if (!keep) sys::handle_close(folio);
  return lent;
}

}  // namespace

int64_t Supervisor::set_boot_archive(abi::Handle folio) {
  const int64_t size = sys::folio_size(folio);
  if (size < 0) return size;
  uintptr_t mapped = 0;
  const int64_t status = sys::folio_map(folio, false, &mapped);
  if (status < 0) return status;
  auto opened =
      lib::BootArchive::open(reinterpret_cast<const uint8_t*>(mapped), static_cast<size_t>(size));
  if (!opened.ok()) {
    say(log_, "boot archive refused: {}", lib::error_name(opened.error()));
    sys::folio_unmap(static_cast<uint64_t>(mapped));
    return abi::kErrInvalidArgument;
  }
  archive_ = opened.value();
  archive_folio_ = folio;
  have_archive_ = true;
  return abi::kOk;
}

void Supervisor::open_boot(size_t client, uint64_t call_id, const char* path, size_t size) {
  const abi::Handle reply = components_[client].names;
  if (!have_archive_) {
    abort_call(reply, call_id, abi::kErrNotSupported);
    return;
  }
  if (lib::StringView(path, size) == "?archive") {  // the whole archive, as the kernel lent it
    const int64_t lent = sys::handle_duplicate(archive_folio_, kLentRights);
    if (lent < 0) return abort_call(reply, call_id, lent);
    return lend_boot_file(client, call_id, static_cast<abi::Handle>(lent),
                          static_cast<uint64_t>(sys::folio_size(archive_folio_)));
  }
  if (size && path[0] == '/') ++path, --size;  // "boot:/manifest" is "boot:manifest"
  char name[lib::BootArchive::kNameSize];
  bool valid = size < sizeof(name);
  for (size_t i = 0; valid && i < size; ++i) valid = path[i] != '\0';
  if (!valid) {
    abort_call(reply, call_id, abi::kErrInvalidArgument);
    return;
  }
  __builtin_memcpy(name, path, size);
  name[size] = '\0';
  uint64_t bytes = 0;
  const bool listing = size == 0 || name[size - 1] == '/';
  const int64_t folio = listing ? boot_listing(name, &bytes) : boot_file(name, &bytes);
  if (folio < 0) {
    abort_call(reply, call_id, folio);
    return;
  }
  lend_boot_file(client, call_id, static_cast<abi::Handle>(folio), bytes);
}

int64_t Supervisor::boot_file(const char* path, uint64_t* size) {
  auto index = archive_.index_of(path);
  if (!index.ok()) return abi::kErrNotFound;
  const size_t i = index.value();
  const lib::ArchiveEntry entry = archive_.entry(i);
  if (entry.size > abi::kMaxBootFile) return abi::kErrTooLarge;
  *size = entry.size;
  const bool cached = i < kMaxBootCache;
  if (cached && boot_cache_[i] != abi::kInvalidHandle) return lend(boot_cache_[i], true);
  const int64_t copy = copy_to_folio(entry.data, entry.size);
  if (copy < 0) return copy;
  if (cached) boot_cache_[i] = static_cast<abi::Handle>(copy);
  return lend(static_cast<abi::Handle>(copy), cached);
}

int64_t Supervisor::boot_listing(const char* dir, uint64_t* size) {
  BootListing* slot = nullptr;
  for (BootListing& listing : boot_listings_) {
    if (listing.folio == abi::kInvalidHandle) {
      if (!slot) slot = &listing;
    } else if (lib::StringView(listing.dir) == dir) {
      *size = listing.size;
      return lend(listing.folio, true);
    }
  }
  uint64_t total = 0;
  for (size_t i = 0; i < archive_.count(); ++i) {
    const lib::StringView name = archive_.entry(i).name;
    if (name.starts_with(dir)) total += name.size() + 1;
  }
  if (total == 0) return abi::kErrNotFound;
  if (total > abi::kMaxBootFile) return abi::kErrTooLarge;
  const int64_t folio = sys::folio_create(total);
  if (folio < 0) return folio;
  uintptr_t mapped = 0;
  const int64_t status = sys::folio_map(static_cast<abi::Handle>(folio), true, &mapped);
  if (status < 0) {
    sys::handle_close(static_cast<abi::Handle>(folio));
    return status;
  }
  auto* out = reinterpret_cast<char*>(mapped);
  for (size_t i = 0; i < archive_.count(); ++i) {  // entries are sorted by name
    const lib::StringView name = archive_.entry(i).name;
    if (!name.starts_with(dir)) continue;
    __builtin_memcpy(out, name.data(), name.size());
    out[name.size()] = '\n';
    out += name.size() + 1;
  }
  sys::folio_unmap(static_cast<uint64_t>(mapped));
  *size = total;
  if (!slot) return lend(static_cast<abi::Handle>(folio), false);
  lib::format_to(slot->dir, sizeof(slot->dir), "{}", dir);
  slot->folio = static_cast<abi::Handle>(folio);
  slot->size = total;
  return lend(slot->folio, true);
}

void Supervisor::lend_boot_file(size_t client, uint64_t call_id, abi::Handle folio, uint64_t size) {
  const abi::Handle reply = components_[client].names;
  abi::Handle ends[2];
  const int64_t created = sys::channel_create(ends);
  if (created != abi::kOk) {
    sys::handle_close(folio);
    abort_call(reply, call_id, created);
    return;
  }
  const abi::BootFile file{size};
  const int64_t sent = send(ends[0], abi::MessageKind::Data, 0, &file, sizeof(file), folio);
  sys::handle_close(ends[0]);  // one message, then the end: the client sees it closed
  if (sent != abi::kOk) {
    sys::handle_close(ends[1]);
    abort_call(reply, call_id, sent);
    return;
  }
  send(reply, abi::MessageKind::OpenReply, call_id, nullptr, 0, ends[1]);
}

}  // namespace startup
