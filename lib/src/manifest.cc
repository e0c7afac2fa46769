#include <lib/manifest.h>

namespace lib {
namespace {

uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t u32(const uint8_t* p) {
  return p[0] | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint64_t u64(const uint8_t* p) { return u32(p) | uint64_t{u32(p + 4)} << 32; }

constexpr char kMagic[8] = {'S', 'T', 'L', 'M', 'A', 'N', 'I', '1'};
constexpr uint32_t kVersion = 5;
constexpr uint32_t kFullCpu = 100;
constexpr uint32_t kMountReadOnly = 1;  // a mount entry's flags
constexpr uint32_t kSiloOwnMounts = 1;  // a silo record's flags
// The file protocol's limits (abi/stellina/file.h: kFileMaxPath, kFileMaxName).
constexpr size_t kMaxPath = 1024, kMaxName = 255;

// An absolute, normalized path within the limits: "/", or "/a/b" with no empty, "." or ".."
// component. s ends with a NUL inside the string table (open() checked).
bool is_path(const char* s) {
  if (s[0] != '/') return false;
  if (s[1] == 0) return true;
  size_t length = 0, name = 0;  // bytes of the path, and of the component being read
  for (const char* p = s + 1;; ++p) {
    if (++length > kMaxPath) return false;
    if (*p != '/' && *p != 0) {
      if (++name > kMaxName) return false;
      continue;
    }
    const char* start = p - name;
    const bool dots =
        (name == 1 && start[0] == '.') || (name == 2 && start[0] == '.' && start[1] == '.');
    if (name == 0 || dots) return false;  // also a trailing '/'
    if (*p == 0) return true;
    name = 0;
  }
}

// A service name: [a-z][a-z0-9-]*.
bool is_service(const char* s) {
  if (s[0] < 'a' || s[0] > 'z') return false;
  for (; *s; ++s)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-')) return false;
  return true;
}

// a < b in byte order.
bool before(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return static_cast<unsigned char>(*a) < static_cast<unsigned char>(*b);
}

}  // namespace

bool Manifest::valid_mount_table(uint64_t first, uint64_t count, uint64_t strings_size) const {
  if (first + count > entry_count_) return false;
  for (uint64_t e = first; e < first + count; ++e) {
    const uint8_t* p = entry(e);
    const uint32_t path = u32(p), flags = u32(p + 4), service = u32(p + 8), subtree = u32(p + 12);
    if (path >= strings_size || service >= strings_size || subtree >= strings_size) return false;
    if ((flags & ~kMountReadOnly) != 0) return false;
    if (!is_path(string(path)) || !is_service(string(service))) return false;
    // The whole tree is "", never "/".
    const char* sub = string(subtree);
    if (sub[0] != 0 && (!is_path(sub) || sub[1] == 0)) return false;
    const bool first_entry = e == first;
    if (first_entry ? string(path)[1] != 0 : !before(string(u32(p - kEntrySize)), string(path)))
      return false;
  }
  return true;
}

Result<Manifest> Manifest::open(const uint8_t* data, size_t size) {
  if (!data || size < kHeaderSize) return Error::OutOfRange;
  for (size_t i = 0; i < 8; ++i)
    if (data[i] != static_cast<uint8_t>(kMagic[i])) return Error::InvalidArgument;
  if (u32(data + 8) != kVersion) return Error::NotSupported;
  const uint64_t count = u32(data + 12), entries = u32(data + 16), strings = u32(data + 20);
  const uint64_t total = u32(data + 24), silos = u32(data + 28);
  const uint64_t system_mounts = u32(data + 32), system_first = u32(data + 36);
  const uint64_t needed =
      kHeaderSize + count * kComponentSize + silos * kSiloSize + entries * kEntrySize + strings;
  if (total != needed || total > size) return Error::OutOfRange;
  if (strings == 0) return Error::InvalidArgument;  // offset 0 must be ""

  Manifest m;
  m.count_ = count;
  m.silo_count_ = silos;
  m.components_ = data + kHeaderSize;
  m.silos_ = m.components_ + count * kComponentSize;
  m.entries_ = m.silos_ + silos * kSiloSize;
  m.strings_ = m.entries_ + entries * kEntrySize;
  m.entry_count_ = entries;
  if (m.strings_[strings - 1] != 0) return Error::InvalidArgument;  // every string ends
  auto valid_string = [&](uint32_t offset) { return offset < strings; };
  if (system_first + system_mounts > entries) return Error::OutOfRange;
  if (!m.valid_mount_table(system_first, system_mounts, strings)) return Error::InvalidArgument;
  m.system_mount_count_ = system_mounts;
  m.system_first_mount_ = system_first;

  for (size_t c = 0; c < count; ++c) {
    const uint8_t* r = m.components_ + c * kComponentSize;
    if (!valid_string(u32(r)) || r[4] > 2 || r[5] > 2 || u16(r + 6) > silos)
      return Error::InvalidArgument;
    // A spawn silo has both limits or none.
    if ((u32(r + 32) == 0) != (u32(r + 36) == 0)) return Error::InvalidArgument;
    if (u32(r + 40) < kMinPriority || u32(r + 40) > kMaxPriority) return Error::InvalidArgument;
    const uint64_t first = u32(r + 28);
    const uint64_t n = uint64_t{u16(r + 20)} + u16(r + 22) + u16(r + 24) + u16(r + 26);
    if (first + n > entries) return Error::OutOfRange;
    for (uint64_t e = first; e < first + n; ++e) {
      const uint8_t* p = m.entries_ + e * kEntrySize;
      if (!valid_string(u32(p))) return Error::InvalidArgument;
    }
    const uint8_t* requires_start = m.entries_ + (first + u16(r + 20)) * kEntrySize;
    for (size_t i = 0; i < u16(r + 22); ++i) {
      const uint8_t* p = requires_start + i * kEntrySize;
      const uint32_t provider = u32(p + 4);
      if ((provider >= c && provider != kStartupServer && provider != kAnyDriver) ||
          u64(p + 8) >= strings)
        return Error::InvalidArgument;
    }
    const uint8_t* config_start =
        m.entries_ + (first + u16(r + 20) + u16(r + 22) + u16(r + 24)) * kEntrySize;
    for (size_t i = 0; i < u16(r + 26); ++i) {
      const uint8_t* p = config_start + i * kEntrySize;
      const uint32_t type = u32(p + 4);
      if (type > 2 || (type == 1 && u64(p + 8) > 1) || (type == 2 && u64(p + 8) >= strings))
        return Error::InvalidArgument;
    }
  }
  for (size_t s = 0; s < silos; ++s) {
    const uint8_t* r = m.silos_ + s * kSiloSize;
    const uint32_t cpu = u32(r + 12);
    if (!valid_string(u32(r)) || cpu < 1 || cpu > kFullCpu) return Error::InvalidArgument;
    const uint64_t mounts = u32(r + 16), first = u32(r + 20), flags = u32(r + 24);
    if ((flags & ~kSiloOwnMounts) != 0 || u32(r + 28) != 0) return Error::InvalidArgument;
    if (!(flags & kSiloOwnMounts) && (mounts != 0 || first != 0)) return Error::InvalidArgument;
    if (first + mounts > entries) return Error::OutOfRange;
    if (!m.valid_mount_table(first, mounts, strings)) return Error::InvalidArgument;
  }
  return m;
}

Manifest::Component Manifest::component(size_t i) const {
  const uint8_t* r = components_ + i * kComponentSize;
  return Component{string(u32(r)),
                   static_cast<Isolation>(r[4]),
                   static_cast<Restart>(r[5]),
                   static_cast<int32_t>(u16(r + 6)) - 1,
                   u32(r + 8),
                   u32(r + 12),
                   u32(r + 16),
                   u16(r + 20),
                   u16(r + 22),
                   u16(r + 24),
                   u16(r + 26),
                   u32(r + 28),
                   u32(r + 32),
                   u32(r + 36),
                   u32(r + 40)};
}

const char* Manifest::export_name(size_t c, size_t i) const {
  return string(u32(entry(component(c).first_entry + i)));
}

Manifest::Require Manifest::require(size_t c, size_t i) const {
  const Component k = component(c);
  const uint8_t* p = entry(k.first_entry + k.export_count + i);
  return Require{string(u32(p)), string(static_cast<uint32_t>(u64(p + 8))), u32(p + 4)};
}

const char* Manifest::device(size_t c, size_t i) const {
  const Component k = component(c);
  return string(u32(entry(k.first_entry + k.export_count + k.require_count + i)));
}

Manifest::Config Manifest::config(size_t c, size_t i) const {
  const Component k = component(c);
  const uint8_t* p = entry(k.first_entry + k.export_count + k.require_count + k.device_count + i);
  const auto type = static_cast<ConfigType>(u32(p + 4));
  const uint64_t value = u64(p + 8);
  return Config{string(u32(p)), type, type == ConfigType::String ? 0 : static_cast<int64_t>(value),
                type == ConfigType::String ? string(static_cast<uint32_t>(value)) : nullptr};
}

Result<size_t> Manifest::find(const char* name) const {
  if (!name) return Error::InvalidArgument;
  for (size_t c = 0; c < count_; ++c) {
    const char* n = component(c).name;
    size_t k = 0;
    while (n[k] && n[k] == name[k]) ++k;
    if (n[k] == name[k]) return c;
  }
  return Error::NotFound;
}

Manifest::Silo Manifest::silo(size_t i) const {
  const uint8_t* r = silos_ + i * kSiloSize;
  return Silo{
      string(u32(r)), u32(r + 4), u32(r + 8), u32(r + 12), (u32(r + 24) & kSiloOwnMounts) != 0,
      u32(r + 16)};
}

Manifest::Mount Manifest::mount(size_t index) const {
  const uint8_t* p = entry(index);
  return Mount{string(u32(p)), string(u32(p + 8)), string(u32(p + 12)),
               (u32(p + 4) & kMountReadOnly) != 0};
}

Manifest::Mount Manifest::silo_mount(size_t s, size_t i) const {
  return mount(u32(silos_ + s * kSiloSize + 20) + i);
}

size_t Manifest::mount_count_of(size_t c) const {
  const int32_t s = component(c).silo;
  if (s >= 0 && silo(static_cast<size_t>(s)).own_mounts)
    return silo(static_cast<size_t>(s)).mount_count;
  return system_mount_count_;
}

Manifest::Mount Manifest::mount_of(size_t c, size_t i) const {
  const int32_t s = component(c).silo;
  if (s >= 0 && silo(static_cast<size_t>(s)).own_mounts)
    return silo_mount(static_cast<size_t>(s), i);
  return system_mount(i);
}

}  // namespace lib
