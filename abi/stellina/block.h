#pragma once
// The block service: what a block driver (drivers/virtio-blk) exports as "block". A client
// sends Data messages, each starting with a BlockOp; the driver answers each with a Data
// message of the same call id that starts with a BlockReply. Requests may be in flight
// together; answers come as the device finishes them, not necessarily in order.
//
// Data travels one of two ways:
//
// Inline (Read, Write): the message is a BlockRequest, followed for a write by
// count * kSectorSize bytes; the answer to a read is followed by the bytes. At most
// kBlockMaxSectors per request: the data fits one message.
//
// Bulk (ReadFolio, WriteFolio), without copies: the client first sends Attach, a
// BlockRequest{Attach} with a folio it made as the message's only handle; the driver keeps
// that folio for the channel. A BlockFolioRequest then names a range of the folio, and the
// device moves the data straight between the disk and the folio's pages; the answer is a
// bare BlockReply, and a read's data is in the folio when it comes. The client must not
// touch a range while a request on it is in flight.
//
// Lifetime: the driver holds its handle to the folio until the channel closes and the
// device has finished every request that names it, so memory the device writes is never
// given back early. When the driver goes away (it crashed or was killed and is restarted),
// the channel closes with requests possibly still in the device: they count as failed
// (what they wrote is unknown), and the device may still write into the folio until the
// restarted driver has reset it. A client should therefore keep its folio and attach it
// again to the new channel (on_service_connected): the restarted driver resets the device
// before it answers anything, so once the Attach is answered no old request can land.

#include <stdint.h>

namespace stellina::abi {

constexpr uint32_t kSectorSize = 512;
constexpr uint32_t kBlockMaxSectors = 7;  // per inline request: the data fits one message
// Per bulk request: 64 KiB. A request whose range is not page-aligned spans one page more.
constexpr uint32_t kBlockMaxFolioSectors = 128;
// The largest folio a channel may attach: 1 MiB.
constexpr uint64_t kBlockMaxFolioBytes = uint64_t{1} << 20;

enum class BlockOp : uint32_t {
  Read = 0,
  Write = 1,
  Flush = 2,  // everything written so far is on stable storage
  Info = 3,   // the reply's value is the capacity in sectors
  // handles[0]: a folio (rights kRightMap and kRightWrite: the device writes into it), at
  // most kBlockMaxFolioBytes. The reply's value is its size in bytes. One per channel.
  // Errors: kErrInvalidArgument (no folio, not a folio, or one is attached already),
  // kErrAccessDenied (a right is missing), kErrTooLarge, kErrNoResources (the driver serves
  // as many attached channels as it can).
  Attach = 4,
  ReadFolio = 5,   // a BlockFolioRequest: disk -> folio
  WriteFolio = 6,  // a BlockFolioRequest: folio -> disk
};

struct BlockRequest {  // Read, Write, Flush, Info, Attach
  BlockOp op;
  uint32_t count;   // sectors, 1..kBlockMaxSectors (Read, Write)
  uint64_t sector;  // the first one
};

struct BlockFolioRequest {  // ReadFolio, WriteFolio
  BlockOp op;
  uint32_t count;   // sectors, 1..kBlockMaxFolioSectors
  uint64_t sector;  // the first one
  uint64_t offset;  // of the data in the attached folio: a multiple of kSectorSize, and
                    // offset + count * kSectorSize within the folio
};

struct BlockReply {
  int64_t status;  // kOk, kErrInvalidArgument (a bad request, past the end, a range outside
                   // the folio or no folio attached), kErrNotSupported (e.g. writing a
                   // read-only disk), kErrFault (an I/O error), kErrWouldBlock (too many
                   // requests in flight: try again after an answer comes)
  uint64_t value;  // Info: capacity in sectors; Attach: the folio's size in bytes
};

}  // namespace stellina::abi
