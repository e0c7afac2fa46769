// BlkStress: a client of the block service's bulk path for the driver tests. It attaches a
// folio and keeps kDepth requests in flight, each in its own region of the folio: writes of
// a pattern that names the sector and a version, and reads that check every sector against
// the version last written there (0: the zeros of the fresh disk image). Sizes and offsets
// vary, so ranges start in the middle of pages and span several.
//
// When the block channel closes (the driver was killed), the requests in flight are lost:
// the sectors of lost writes hold unknown data until written again. When the service is
// connected again, BlkStress attaches the same folio and carries on; after kGoal requests
// it logs how many were verified since the restart and stops.
#include <stellina/block.h>
#include <stellina/component.h>

#include "blkstress_env.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;
using stellina::Bytes;
using stellina::Channel;
using stellina::OwnedHandle;

class BlkStress final : public stellina::ComponentWith<stellina::components::blkstress::Env> {
  static constexpr size_t kDepth = 4;
  static constexpr uint32_t kSector = abi::kSectorSize;
  static constexpr uint32_t kMaxCount = 64;  // sectors per request: up to 32 KiB
  static constexpr uint64_t kRegion =
      uint64_t{36} * 1024;                    // per request: 32 KiB at up to 7 sectors in
  static constexpr uint64_t kSectors = 8192;  // the part of the disk it uses: 4 MiB
  static constexpr uint32_t kUnknown = UINT32_MAX;
  static constexpr uint64_t kAttachCall = 1;
  static constexpr uint64_t kFirstMilestone = 100;  // requests before the first report
  static constexpr uint64_t kGoal = 200;            // requests after a restart

  struct Request {
    bool busy;
    bool write;
    uint64_t call_id;
    uint64_t sector;
    uint32_t count;
    uint64_t offset;
  };

  void on_start() override {
    const int64_t folio = sys::folio_create(kDepth * kRegion);
    uintptr_t mapped = 0;
    const int64_t status =
        folio < 0 ? folio : sys::folio_map(static_cast<abi::Handle>(folio), true, &mapped);
    if (status < 0) {
      log("no folio: status {}", status);
      stop(1);
      return;
    }
    folio_.reset(static_cast<abi::Handle>(folio));
    data_ = reinterpret_cast<uint8_t*>(mapped);
  }

  void on_service_connected(const char*) override {
    const int64_t copy = sys::handle_duplicate(
        folio_.get(), abi::kRightMap | abi::kRightWrite | abi::kRightTransfer);
    abi::Handle moved = static_cast<abi::Handle>(copy);
    const abi::BlockRequest attach{abi::BlockOp::Attach, 0, 0};
    if (copy < 0) return log("cannot attach the folio: status {}", copy);
    auto sent = env().block.send(abi::MessageKind::Data, Bytes{&attach, sizeof(attach)},
                                 kAttachCall, &moved, 1);
    if (!sent.ok()) {
      sys::handle_close(moved);
      log("cannot attach the folio: status {}", stellina::status_code(sent));
    }
  }

  void on_data(Channel& ch, Bytes data) override {
    abi::BlockReply r{};
    if (&ch != &env().block || data.size < sizeof(r)) return;
    __builtin_memcpy(&r, data.data, sizeof(r));
    if (call_id() == kAttachCall) {
      log("folio of {} KiB attached: status {}", r.value / 1024, r.status);
      if (r.status == abi::kOk) fill();
      return;
    }
    Request* q = nullptr;
    for (Request& each : requests_)
      if (each.busy && each.call_id == call_id()) q = &each;
    if (!q) return;
    q->busy = false;
    mark(*q, false);
    if (r.status != abi::kOk) {
      ++failed_;
      log("{} of sectors {}+{} failed: status {}", q->write ? "write" : "read", q->sector, q->count,
          r.status);
      if (q->write) set_versions(*q, kUnknown);
    } else if (q->write || check(*q)) {
      if (restarts_ == 0 && ++done_ == kFirstMilestone)
        log("{} requests verified", kFirstMilestone);
      if (restarts_ > 0 && ++done_ == kGoal) {
        log("{} requests verified after the restart ({} sectors matched in reads, {} failed "
            "before)",
            kGoal, matched_, failed_);
        finished_ = true;  // nothing more is sent
      }
    }
    fill();
  }

  void on_peer_closed(Channel& ch) override {
    if (&ch != &env().block) return;
    size_t lost = 0, writes = 0;
    for (Request& q : requests_) {
      if (!q.busy) continue;
      ++lost;
      q.busy = false;
      mark(q, false);
      if (q.write) {
        ++writes;
        set_versions(q, kUnknown);  // the device may or may not have written them
      }
    }
    ++restarts_;
    done_ = 0;
    log("block channel closed: {} requests in flight lost ({} writes)", lost, writes);
  }

  // Sends requests until kDepth are in flight.
  void fill() {
    if (finished_) return;
    for (Request& q : requests_)
      if (!q.busy && !send_one(q)) return;
  }

  bool send_one(Request& q) {
    const size_t index = static_cast<size_t>(&q - requests_);
    for (int tries = 0; tries < 8; ++tries) {
      const uint32_t count = 1 + static_cast<uint32_t>(next() % kMaxCount);
      const uint64_t sector = next() % (kSectors - count);
      if (busy(sector, count)) continue;
      q = Request{true,   next() % 2 == 0, ++last_call_,
                  sector, count,           index * kRegion + (next() % 8) * kSector};
      if (q.write) {
        set_versions(q, ++last_version_);
        for (uint32_t k = 0; k < q.count; ++k)
          pattern(q.sector + k, version_[q.sector + k], sector_data(q, k));
      }
      const abi::BlockFolioRequest r{q.write ? abi::BlockOp::WriteFolio : abi::BlockOp::ReadFolio,
                                     q.count, q.sector, q.offset};
      auto sent = env().block.send(Bytes{&r, sizeof(r)}, q.call_id);
      if (!sent.ok()) {  // kErrPeerClosed: the driver is gone, on_peer_closed comes
        if (sent.error() != abi::kErrPeerClosed)
          log("a request could not be sent: status {}", stellina::status_code(sent));
        q.busy = false;
        if (q.write) set_versions(q, kUnknown);
        return false;
      }
      mark(q, true);
      return true;
    }
    return false;  // no free range this time: one will be when an answer comes
  }

  // The sector's content for a version: words naming the sector, the version and their
  // place; version 0 is a sector of zeros (the fresh disk image).
  static void pattern(uint64_t sector, uint32_t version, uint8_t* out) {
    for (uint32_t w = 0; w < kSector / 8; ++w) {
      const uint64_t v = version == 0 ? 0 : (sector << 32) ^ (uint64_t{version} << 8) ^ w;
      __builtin_memcpy(out + size_t{w} * 8, &v, 8);
    }
  }

  bool check(const Request& q) {
    for (uint32_t k = 0; k < q.count; ++k) {
      const uint64_t sector = q.sector + k;
      if (version_[sector] == kUnknown) continue;
      uint8_t want[kSector];
      pattern(sector, version_[sector], want);
      if (__builtin_memcmp(want, sector_data(q, k), kSector) != 0) {
        uint64_t got = 0;
        __builtin_memcpy(&got, sector_data(q, k), 8);
        log("MISMATCH in sector {} (version {}): first word {}", sector, version_[sector], got);
        return false;
      }
      ++matched_;
    }
    return true;
  }

  // Sector k of a request, in the folio.
  uint8_t* sector_data(const Request& q, uint32_t k) const {
    return data_ + q.offset + size_t{k} * kSector;
  }

  bool busy(uint64_t sector, uint32_t count) const {
    for (uint32_t k = 0; k < count; ++k)
      if (busy_[sector + k]) return true;
    return false;
  }
  void mark(const Request& q, bool busy) {
    for (uint32_t k = 0; k < q.count; ++k) busy_[q.sector + k] = busy;
  }
  void set_versions(const Request& q, uint32_t version) {
    for (uint32_t k = 0; k < q.count; ++k) version_[q.sector + k] = version;
  }

  uint64_t next() {  // xorshift64: a fixed sequence, so a failure can be replayed
    seed_ ^= seed_ << 13;
    seed_ ^= seed_ >> 7;
    seed_ ^= seed_ << 17;
    return seed_;
  }

  OwnedHandle folio_;
  uint8_t* data_ = nullptr;
  Request requests_[kDepth] = {};
  uint32_t version_[kSectors] = {};
  bool busy_[kSectors] = {};
  uint64_t seed_ = 0x5eed'b10c;
  uint64_t last_call_ = kAttachCall;
  uint32_t last_version_ = 0;
  uint64_t done_ = 0, matched_ = 0, failed_ = 0;
  uint32_t restarts_ = 0;
  bool finished_ = false;
};

STELLINA_COMPONENT(BlkStress)
