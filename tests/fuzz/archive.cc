// The boot archive reader (lib/src/archive.cc) on any bytes: open() validates the layout, so
// every entry, every name and every file's bytes must then lie in the buffer (ASan checks each
// read), names must be in strict order, and find() must find each of them.
#include <lib/archive.h>

#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto opened = lib::BootArchive::open(data, size);
  if (!opened.ok()) return 0;
  const lib::BootArchive& archive = opened.value();
  const char* previous = nullptr;
  for (size_t i = 0; i < archive.count(); ++i) {
    const lib::ArchiveEntry e = archive.entry(i);
    if (previous != nullptr && std::strcmp(previous, e.name) >= 0) std::abort();
    previous = e.name;
    auto found = archive.find(e.name);
    if (!found.ok() || found.value().data != e.data || found.value().size != e.size) std::abort();
    (void)archive.verify(i);
  }
  (void)archive.verify(archive.count());
  (void)archive.find("");
  (void)archive.find("manifest");
  return 0;
}
