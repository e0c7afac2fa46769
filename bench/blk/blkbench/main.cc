// BlkBench: measures the block service for bench/blk. It attaches a folio and runs four
// phases one after the other, each of kRequests requests of 4 KiB with kDepth in flight
// (each in its own page of the folio): sequential writes from sector 0, sequential reads of
// the same, then writes and reads of blocks picked at random in the first kRandomBlocks.
// For each phase it logs
//   <phase>: <requests> x <bytes> bytes in <us> us (<KB/s> KB/s, <IOPS> IOPS)
// and "done" (or "failed") at the end.
#include <stellina/block.h>
#include <stellina/component.h>

#include "blkbench_env.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;
using stellina::Bytes;
using stellina::Channel;
using stellina::OwnedHandle;

class BlkBench final : public stellina::ComponentWith<stellina::components::blkbench::Env> {
  static constexpr size_t kDepth = 8;
  static constexpr uint32_t kBytes = 4096;
  static constexpr uint32_t kSectors = kBytes / abi::kSectorSize;
  static constexpr uint64_t kRequests = 4096;      // 16 MiB per phase
  static constexpr uint64_t kRandomBlocks = 8192;  // random ones fall in the first 32 MiB
  static constexpr uint64_t kInfoCall = 1, kAttachCall = 2, kFirstSlotCall = 3;
  struct Phase {
    const char* name;
    bool write;
    bool random;
  };
  static constexpr Phase kPhases[] = {{"seq_write", true, false},
                                      {"seq_read", false, false},
                                      {"rand_write", true, true},
                                      {"rand_read", false, true}};
  static constexpr size_t kPhaseCount = sizeof(kPhases) / sizeof(kPhases[0]);

  void on_start() override {
    const int64_t folio = sys::folio_create(kDepth * kBytes);
    uintptr_t mapped = 0;
    const int64_t status =
        folio < 0 ? folio : sys::folio_map(static_cast<abi::Handle>(folio), true, &mapped);
    if (status < 0) return fail("no folio", status);
    folio_.reset(static_cast<abi::Handle>(folio));
    auto* data = reinterpret_cast<uint8_t*>(mapped);
    for (size_t i = 0; i < kDepth * kBytes; ++i) data[i] = static_cast<uint8_t>(i * 7 + 1);
  }

  void on_service_connected(const char*) override {
    const abi::BlockRequest info{abi::BlockOp::Info, 0, 0};
    if (!env().block.send(Bytes{&info, sizeof(info)}, kInfoCall).ok()) {
      return fail("cannot ask for the disk's size", abi::kErrPeerClosed);
    }
    const int64_t copy = sys::handle_duplicate(
        folio_.get(), abi::kRightMap | abi::kRightWrite | abi::kRightTransfer);
    if (copy < 0) return fail("cannot share the folio", copy);
    abi::Handle moved = static_cast<abi::Handle>(copy);
    const abi::BlockRequest attach{abi::BlockOp::Attach, 0, 0};
    auto sent = env().block.send(abi::MessageKind::Data, Bytes{&attach, sizeof(attach)},
                                 kAttachCall, &moved, 1);
    if (!sent.ok()) {
      sys::handle_close(moved);
      fail("cannot attach the folio", sent.error());
    }
  }

  void on_data(Channel& ch, Bytes data) override {
    abi::BlockReply r{};
    if (&ch != &env().block || data.size < sizeof(r) || failed_) return;
    __builtin_memcpy(&r, data.data, sizeof(r));
    if (r.status != abi::kOk) return fail("a request failed", r.status);
    if (call_id() == kInfoCall) {
      if (r.value < kRequests * kSectors || r.value < kRandomBlocks * kSectors)
        fail("the disk is too small, sectors:", static_cast<int64_t>(r.value));
      return;
    }
    if (call_id() == kAttachCall) return start_phase();
    const uint64_t slot = call_id() - kFirstSlotCall;
    if (slot >= kDepth) return;
    if (++completed_ < kRequests) {
      if (issued_ < kRequests) submit(slot);
      return;
    }
    const uint64_t us = (sys::clock_now() - started_ns_) / 1000;
    const uint64_t bytes = kRequests * kBytes;
    log("{}: {} x {} bytes in {} us ({} KB/s, {} IOPS)", kPhases[phase_].name, kRequests, kBytes,
        us, bytes * 1000 / (us ? us : 1), kRequests * 1'000'000 / (us ? us : 1));
    if (++phase_ == kPhaseCount) return log("done");
    start_phase();
  }

  void on_peer_closed(Channel& ch) override {
    if (&ch == &env().block) fail("the block channel closed", abi::kErrPeerClosed);
  }

  void start_phase() {
    issued_ = completed_ = 0;
    started_ns_ = sys::clock_now();
    for (uint64_t slot = 0; slot < kDepth; ++slot) submit(slot);
  }

  void submit(uint64_t slot) {
    const Phase& p = kPhases[phase_];
    const uint64_t block = p.random ? next() % kRandomBlocks : issued_;
    ++issued_;
    const abi::BlockFolioRequest r{p.write ? abi::BlockOp::WriteFolio : abi::BlockOp::ReadFolio,
                                   kSectors, block * kSectors, slot * kBytes};
    auto sent = env().block.send(Bytes{&r, sizeof(r)}, kFirstSlotCall + slot);
    if (!sent.ok()) fail("cannot send", sent.error());
  }

  void fail(const char* what, int64_t status) {
    if (failed_) return;
    failed_ = true;
    log("failed: {}: {}", what, status);
  }

  uint64_t next() {  // xorshift64
    seed_ ^= seed_ << 13;
    seed_ ^= seed_ >> 7;
    seed_ ^= seed_ << 17;
    return seed_;
  }

  OwnedHandle folio_;
  size_t phase_ = 0;
  uint64_t issued_ = 0, completed_ = 0, started_ns_ = 0;
  uint64_t seed_ = 0xb10c'be4c;
  bool failed_ = false;
};

STELLINA_COMPONENT(BlkBench)
