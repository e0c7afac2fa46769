// The ext2/ext4 engine (servers/fs/ext2) on any image: the input is the image itself (the
// seeds are small images made by mke2fs -d), mounted read-only, or writable when its size is
// odd (the padding to a whole sector changes nothing), walked whole and changed
// (fs_harness.h).
#include "servers/fs/ext2/ext2.h"

#include "tests/fuzz/fs_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (size_t{1} << 20)) return 0;
  fuzz::exercise(stellina::fs::mount_ext2, std::vector<uint8_t>(data, data + size), size % 2 == 1);
  return 0;
}
