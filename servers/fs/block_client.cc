#include "servers/fs/block_client.h"

namespace stellina::fs {

namespace {
constexpr uint64_t kTimeoutNs = 10'000'000'000;  // a disk that does not answer in 10 s failed
}

Result<abi::BlockReply> BlockClient::call(const void* request, size_t size, abi::Handle* moved) {
  alignas(8) uint8_t message[sizeof(abi::BlockFolioRequest)];
  __builtin_memcpy(message, request, size);
  abi::MessageBuffer m{};
  m.kind = abi::MessageKind::Data;
  m.call_id = next_call_++;
  m.data = message;
  m.data_size = static_cast<uint32_t>(size);
  m.data_capacity = sizeof(message);
  m.handles = moved;
  m.handle_count = moved ? 1 : 0;
  TRY(check_ok(sys::channel_call(channel_, &m, sys::clock_now() + kTimeoutNs)));
  abi::BlockReply reply{};
  if (m.kind != abi::MessageKind::Data || m.data_size < sizeof(reply)) return abi::kErrFault;
  __builtin_memcpy(&reply, message, sizeof(reply));
  if (reply.status != abi::kOk) return static_cast<Status>(reply.status);
  return reply;
}

Result<void> BlockClient::connect(const Channel& block) {
  channel_ = block.get();
  abi::BlockRequest info{abi::BlockOp::Info, 0, 0};
  sectors_ = TRY(call(&info, sizeof(info))).value;
  if (!folio_.valid()) {
    folio_.reset(static_cast<abi::Handle>(TRY(check(sys::folio_create(kChunk)))));
    uint64_t address = 0;
    TRY(check_ok(sys::folio_map(folio_.get(), true, &address)));
    data_ = reinterpret_cast<uint8_t*>(address);
  }
  // The driver keeps its own handle: send a duplicate, so the folio stays ours too.
  abi::Handle copy = static_cast<abi::Handle>(TRY(check(sys::handle_duplicate(
      folio_.get(), abi::kRightMap | abi::kRightWrite | abi::kRightRead | abi::kRightTransfer))));
  abi::BlockRequest attach{abi::BlockOp::Attach, 0, 0};
  Result<abi::BlockReply> r = call(&attach, sizeof(attach), &copy);
  if (r.ok()) return {};
  sys::handle_close(copy);  // not moved when the send failed (and harmless if it was)
  return r.error();
}

Result<void> BlockClient::read(uint64_t sector, uint64_t count, void* out) {
  auto* bytes = static_cast<uint8_t*>(out);
  while (count) {
    const uint64_t n = count < abi::kBlockMaxFolioSectors ? count : abi::kBlockMaxFolioSectors;
    abi::BlockFolioRequest r{abi::BlockOp::ReadFolio, static_cast<uint32_t>(n), sector, 0};
    TRY(call(&r, sizeof(r)));
    __builtin_memcpy(bytes, data_, n * abi::kSectorSize);
    bytes += n * abi::kSectorSize;
    sector += n;
    count -= n;
  }
  return {};
}

Result<void> BlockClient::write(uint64_t sector, uint64_t count, const void* data) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  while (count) {
    const uint64_t n = count < abi::kBlockMaxFolioSectors ? count : abi::kBlockMaxFolioSectors;
    __builtin_memcpy(data_, bytes, n * abi::kSectorSize);
    abi::BlockFolioRequest r{abi::BlockOp::WriteFolio, static_cast<uint32_t>(n), sector, 0};
    Result<abi::BlockReply> done = call(&r, sizeof(r));
    if (!done.ok()) return done.error() == abi::kErrNotSupported ? abi::kErrReadOnly : done.error();
    bytes += n * abi::kSectorSize;
    sector += n;
    count -= n;
  }
  return {};
}

Result<void> BlockClient::flush() {
  abi::BlockRequest r{abi::BlockOp::Flush, 0, 0};
  TRY(call(&r, sizeof(r)));
  return {};
}

}  // namespace stellina::fs
