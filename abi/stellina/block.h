#pragma once
// The block service: what a block driver (drivers/virtio-blk) exports as "block". A client
// sends Data messages with a BlockRequest, followed for a write by count * kSectorSize
// bytes; the driver answers each with a Data message of the same call id: a BlockReply,
// followed for a read by the bytes. Requests may be in flight together; answers come as
// the device finishes them, not necessarily in order.

#include <stdint.h>

namespace stellina::abi {

constexpr uint32_t kSectorSize = 512;
constexpr uint32_t kBlockMaxSectors = 7;  // per request: the data fits one message

enum class BlockOp : uint32_t {
  Read = 0,
  Write = 1,
  Flush = 2,  // everything written so far is on stable storage
  Info = 3,   // the reply's value is the capacity in sectors
};

struct BlockRequest {
  BlockOp op;
  uint32_t count;   // sectors, 1..kBlockMaxSectors (Read, Write)
  uint64_t sector;  // the first one
};

struct BlockReply {
  int64_t status;  // kOk, kErrInvalidArgument (a bad request, or past the end),
                   // kErrNotSupported (e.g. writing a read-only disk), kErrFault (an I/O
                   // error), kErrWouldBlock (too many requests in flight)
  uint64_t value;  // Info: capacity in sectors
};

}  // namespace stellina::abi
