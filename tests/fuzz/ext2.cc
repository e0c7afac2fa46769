// The ext2/ext4 engine (servers/fs/ext2) on any image: the input is the image itself (the
// seeds are small images made by mke2fs -d), mounted read-only, or writable when its size is
// odd (the padding to a whole sector changes nothing), walked whole and changed
// (fs_harness.h).
#include "servers/fs/ext2/ext2.h"

#include "tests/fuzz/fs_harness.h"

namespace {

constexpr size_t kMaxImage = size_t{1} << 20;
fuzz::ImageBuffer<kMaxImage> image;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxImage) return 0;
  const size_t sectors = (size + 511) / 512;
  uint8_t* bytes = image.load(data, size);
  image.written(fuzz::exercise(stellina::fs::mount_ext2, bytes, sectors, size % 2 == 1));
  return 0;
}
