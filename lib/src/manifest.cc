#include <lib/manifest.h>

namespace lib {
namespace {

uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t u32(const uint8_t* p) {
  return p[0] | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint64_t u64(const uint8_t* p) { return u32(p) | uint64_t{u32(p + 4)} << 32; }

constexpr char kMagic[8] = {'S', 'T', 'L', 'M', 'A', 'N', 'I', '1'};
constexpr uint32_t kVersion = 2;
constexpr uint32_t kFullCpu = 100;

}  // namespace

Result<Manifest> Manifest::open(const uint8_t* data, size_t size) {
  if (!data || size < kHeaderSize) return Error::OutOfRange;
  for (size_t i = 0; i < 8; ++i)
    if (data[i] != static_cast<uint8_t>(kMagic[i])) return Error::InvalidArgument;
  if (u32(data + 8) != kVersion) return Error::NotSupported;
  const uint64_t count = u32(data + 12), entries = u32(data + 16), strings = u32(data + 20);
  const uint64_t total = u32(data + 24), silos = u32(data + 28);
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
  if (m.strings_[strings - 1] != 0) return Error::InvalidArgument;  // every string ends
  auto valid_string = [&](uint32_t offset) { return offset < strings; };

  for (size_t c = 0; c < count; ++c) {
    const uint8_t* r = m.components_ + c * kComponentSize;
    if (!valid_string(u32(r)) || r[4] > 1 || r[5] > 2 || u16(r + 6) > silos)
      return Error::InvalidArgument;
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
                   u32(r + 28)};
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
  return Silo{string(u32(r)), u32(r + 4), u32(r + 8), u32(r + 12)};
}

}  // namespace lib
