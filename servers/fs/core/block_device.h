#pragma once
// What a disk file system reads and writes: a device of 512-byte sectors. In a component it
// is the block service's channel (servers/fs/component); in host tests, an image file.

#include <stddef.h>
#include <stdint.h>

#include <stellina/result.h>

namespace stellina::fs {

constexpr uint32_t kSectorSize = 512;

class BlockDevice {
 public:
  virtual uint64_t sector_count() const = 0;
  virtual bool writable() const = 0;
  // count sectors from sector; any count (the device splits what it must). Errors: kErrFault
  // (the device failed), kErrInvalidArgument (past the end), kErrReadOnly (write).
  virtual Result<void> read(uint64_t sector, uint64_t count, void* out) = 0;
  virtual Result<void> write(uint64_t sector, uint64_t count, const void* data) = 0;
  // Everything written so far is on stable storage.
  virtual Result<void> flush() = 0;

 protected:
  ~BlockDevice() = default;
};

}  // namespace stellina::fs
