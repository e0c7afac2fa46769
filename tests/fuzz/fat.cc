// The FAT16/FAT32 engine (servers/fs/fat) on any image: the input is the start of a 4 MiB
// image (the boot sector, the FATs, the root directory and the first clusters; the seed is
// the first 64 KiB of an image made by mkfs.fat and mcopy), zeroes after it; mounted
// read-only, or writable when the input's size is odd, walked whole and changed
// (fs_harness.h).
#include "servers/fs/fat/fat.h"

#include "tests/fuzz/fs_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kImage = size_t{4} << 20;
  if (size > kImage) return 0;
  std::vector<uint8_t> image(kImage);
  std::copy(data, data + size, image.begin());
  fuzz::exercise(stellina::fs::mount_fat, std::move(image), size % 2 == 1);
  return 0;
}
