// BlkCheck: a client of the block service for the driver tests. Once connected it asks for
// the disk's size, reads sectors 0..6 in one request and sector 100 in another (both in
// flight together), writes a pattern to sectors 5 and 6, flushes, reads them back, and logs
// each step; the test checks the log and, after QEMU exits, the image file.
#include <stellina/block.h>
#include <stellina/component.h>

#include "blkcheck_env.h"

namespace abi = stellina::abi;
using stellina::Bytes;
using stellina::Channel;

constexpr size_t kSector = abi::kSectorSize;

class BlkCheck final : public stellina::ComponentWith<stellina::components::blkcheck::Env> {
  enum Call : uint64_t { kInfo = 1, kReadFirst, kReadFar, kWrite, kFlush, kReadBack };

  void on_service_connected(const char*) override {
    send(kInfo, {abi::BlockOp::Info, 0, 0});
    send(kReadFirst, {abi::BlockOp::Read, 7, 0});
    send(kReadFar, {abi::BlockOp::Read, 1, 100});
  }

  void on_data(Channel& ch, Bytes data) override {
    abi::BlockReply r{};
    if (&ch != &env().block || data.size < sizeof(r)) return;
    __builtin_memcpy(&r, data.data, sizeof(r));
    const char* bytes = static_cast<const char*>(data.data) + sizeof(r);
    const size_t size = data.size - sizeof(r);
    char first[24] = {};
    if (size) __builtin_memcpy(first, bytes, sizeof(first) - 1);
    switch (call_id()) {
      case kInfo: log("info: status {}, {} sectors", r.status, r.value); break;
      case kReadFirst:
        log("read 0..6: status {}, {} bytes, sector 6 starts '{}'", r.status, size,
            size == 7 * kSector ? bytes + 6 * kSector : "?");
        break;
      case kReadFar:
        log("read 100: status {}, '{}'", r.status, static_cast<const char*>(first));
        break;
      case kWrite:
        log("write 5..6: status {}", r.status);
        send(kFlush, {abi::BlockOp::Flush, 0, 0});
        break;
      case kFlush:
        log("flush: status {}", r.status);
        send(kReadBack, {abi::BlockOp::Read, 2, 5});
        break;
      case kReadBack:
        log("read back 5..6: status {}, {}", r.status,
            size == 2 * kSector && same(bytes) ? "matches" : "DIFFERS");
        break;
      default: break;
    }
    if (call_id() == kReadFar) write_pattern();
  }

  static void pattern(char* out) {
    for (uint32_t i = 0; i < 2 * kSector; ++i)
      out[i] = static_cast<char>(i < 19 ? "WRITTEN BY STELLINA"[i] : 'a' + i % 26);
  }
  static bool same(const char* bytes) {
    char want[2 * kSector];
    pattern(want);
    return __builtin_memcmp(bytes, want, sizeof(want)) == 0;
  }

  void write_pattern() {
    static char message[sizeof(abi::BlockRequest) + 2 * kSector];
    const abi::BlockRequest w{abi::BlockOp::Write, 2, 5};
    __builtin_memcpy(message, &w, sizeof(w));
    pattern(message + sizeof(w));
    if (!env().block.send(Bytes{message, sizeof(message)}, kWrite).ok())
      log("cannot send the write");
  }

  void send(uint64_t call, const abi::BlockRequest& r) {
    if (!env().block.send(Bytes{&r, sizeof(r)}, call).ok()) log("cannot send request {}", call);
  }
};

STELLINA_COMPONENT(BlkCheck)
