#pragma once
// A disk file server's BlockDevice: the block service (abi/stellina/block.h) on a channel.
// Data moves through one shared folio (the bulk path), up to kChunk bytes a request; each
// request is a channel call, answered before the next is sent.

#include <stellina/block.h>
#include <stellina/component.h>

#include "servers/fs/core/block_device.h"

namespace stellina::fs {

class BlockClient final : public BlockDevice {
 public:
  static constexpr uint64_t kChunk = uint64_t{abi::kBlockMaxFolioSectors} * abi::kSectorSize;

  // Takes the block service's channel (it stays the caller's): asks its capacity and
  // attaches the folio (made on the first call, kept for the next: call again after the
  // service restarted).
  Result<void> connect(const Channel& block);

  uint64_t sector_count() const override { return sectors_; }
  bool writable() const override { return true; }
  Result<void> read(uint64_t sector, uint64_t count, void* out) override;
  Result<void> write(uint64_t sector, uint64_t count, const void* data) override;
  Result<void> flush() override;

 private:
  Result<abi::BlockReply> call(const void* request, size_t size, abi::Handle* moved = nullptr);

  abi::Handle channel_ = abi::kInvalidHandle;
  OwnedHandle folio_;
  uint8_t* data_ = nullptr;  // the folio, mapped
  uint64_t sectors_ = 0;
  uint64_t next_call_ = 1;
};

}  // namespace stellina::fs
