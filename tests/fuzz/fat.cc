// The FAT16/FAT32 engine (servers/fs/fat) on any image: the input is the start of a 4 MiB
// image (the boot sector, the FATs, the root directory and the first clusters; the seed is
// the first 64 KiB of an image made by mkfs.fat and mcopy), zeroes after it; mounted
// read-only, or writable when the input's size is odd, walked whole and changed
// (fs_harness.h).
#include "servers/fs/fat/fat.h"

#include "tests/fuzz/fs_harness.h"

namespace {

constexpr size_t kImage = size_t{4} << 20;
fuzz::ImageBuffer<kImage> image;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kImage) return 0;
  uint8_t* bytes = image.load(data, size);
  image.written(fuzz::exercise(stellina::fs::mount_fat, bytes, kImage / 512, size % 2 == 1));
  return 0;
}
