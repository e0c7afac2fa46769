// The manifest reader (lib/src/manifest.cc) on any bytes: open() validates everything, so
// every accessor of every component, silo and mount table must then read inside the buffer
// (ASan checks each read) and give NUL-terminated strings.
#include <lib/manifest.h>

#include <cstring>

namespace {

size_t touch(const char* s) { return s == nullptr ? 0 : std::strlen(s); }

size_t walk(const lib::Manifest& m) {
  size_t bytes = 0;
  for (size_t c = 0; c < m.count(); ++c) {
    const lib::Manifest::Component component = m.component(c);
    bytes += touch(component.name);
    for (size_t i = 0; i < component.export_count; ++i) bytes += touch(m.export_name(c, i));
    for (size_t i = 0; i < component.require_count; ++i) {
      const lib::Manifest::Require r = m.require(c, i);
      bytes += touch(r.field) + touch(r.service);
    }
    for (size_t i = 0; i < component.device_count; ++i) bytes += touch(m.device(c, i));
    for (size_t i = 0; i < component.config_count; ++i) {
      const lib::Manifest::Config config = m.config(c, i);
      bytes += touch(config.field);
      if (config.type == lib::Manifest::ConfigType::String) bytes += touch(config.string);
    }
    for (size_t i = 0; i < m.mount_count_of(c); ++i) {
      const lib::Manifest::Mount mount = m.mount_of(c, i);
      bytes += touch(mount.path) + touch(mount.service) + touch(mount.subtree);
    }
    (void)m.find(component.name);
  }
  for (size_t s = 0; s < m.silo_count(); ++s) {
    const lib::Manifest::Silo silo = m.silo(s);
    bytes += touch(silo.name);
    for (size_t i = 0; i < silo.mount_count; ++i) bytes += touch(m.silo_mount(s, i).path);
  }
  for (size_t i = 0; i < m.system_mount_count(); ++i) bytes += touch(m.system_mount(i).path);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto opened = lib::Manifest::open(data, size);
  if (opened.ok()) (void)walk(opened.value());
  return 0;
}
