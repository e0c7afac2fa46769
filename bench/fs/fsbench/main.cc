// FsBench: measures the file system for bench/fs, through the file: scheme as a program
// would use it. It waits for the root file system, then:
//
// - if /fsbench.dat is not there (a fresh disk): writes it, kFileBytes in requests of
//   kChunk through an attached folio (WriteFolio), then syncs the file system; then creates
//   kSmallFiles empty files in /fsbench.d, stats each, and unlinks each;
// - if it is there, whole (the next boot: nothing of it is cached): reads it back the same
//   way (ReadFolio) and checks the offset stamped at the start of each chunk.
//
// It logs, with times in microseconds of sys::clock_now:
//   seq_write: <bytes> bytes in <us> us (<KB/s> KB/s)      write and sync
//   seq_read: <bytes> bytes in <us> us (<KB/s> KB/s)
//   files: <n> files in <us> us (create <us> us, stat <us> us, unlink <us> us)
// and "done" (or "failed: ...") at the end.
#include <stellina/component.h>
#include <stellina/files.h>

#include "fsbench_env.h"

namespace stellina {
namespace {

constexpr uint64_t kFileBytes = uint64_t{64} << 20;
constexpr uint64_t kChunk = uint64_t{1} << 20;  // bytes per ReadFolio / WriteFolio
constexpr uint32_t kSmallFiles = 1000;
constexpr const char* kBigFile = "/fsbench.dat";
constexpr const char* kSmallDir = "/fsbench.d";
constexpr uint64_t kRetryNs = 50'000'000;         // while the root file system is not mounted
constexpr uint64_t kPatienceNs = 30'000'000'000;  // after which it gives up

uint64_t rate_kbps(uint64_t bytes, uint64_t us) { return bytes * 1000 / (us ? us : 1); }

class FsBench final : public ComponentWith<components::fsbench::Env> {
  void on_start() override {
    started_ = sys::clock_now();
    const int64_t folio = sys::folio_create(kChunk);
    uintptr_t mapped = 0;
    const int64_t status =
        folio < 0 ? folio : sys::folio_map(static_cast<abi::Handle>(folio), true, &mapped);
    if (status < 0) return fail("no folio", static_cast<Status>(status));
    folio_.reset(static_cast<abi::Handle>(folio));
    data_ = reinterpret_cast<uint8_t*>(mapped);
    for (uint64_t i = 0; i < kChunk; ++i) data_[i] = static_cast<uint8_t>(i * 7 + 1);
    on_timer();
  }

  void on_timer() override {
    if (failed_) return;
    if (!connected_) {
      Result<Channel> session = open("file:");
      if (session.ok()) {
        files_ = Files(static_cast<Channel&&>(session.value()));
        connected_ = true;
      }
    }
    if (connected_ && files_.statfs("/").ok()) return bench();
    if (sys::clock_now() - started_ > kPatienceNs) return fail("no root file system", abi::kOk);
    ignore(set_timer(sys::clock_now() + kRetryNs), "the bench times out without it");
  }

  void bench() {
    Result<abi::FileStat> big = files_.stat(kBigFile);
    Result<void> r = big.ok() && big.value().size == kFileBytes ? read_big() : write_big();
    if (r.ok() && !big.ok()) r = small_files();
    if (r.ok()) r = files_.sync();  // the next boot finds the disk as this one left it
    if (!r.ok()) return fail("a request", r.error());
    log("done");
  }

  Result<void> write_big() {
    File f = TRY(files_.open(kBigFile, abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate));
    TRY(f.attach(folio_.get()));
    const uint64_t start = sys::clock_now();
    for (uint64_t at = 0; at < kFileBytes; at += kChunk) {
      __builtin_memcpy(data_, &at, sizeof(at));  // each chunk says where it belongs
      if (TRY(f.write_folio(at, kChunk)) != kChunk) return abi::kErrNoSpace;
    }
    TRY(f.sync());
    const uint64_t us = (sys::clock_now() - start) / 1000;
    log("seq_write: {} bytes in {} us ({} KB/s)", kFileBytes, us, rate_kbps(kFileBytes, us));
    return {};
  }

  Result<void> read_big() {
    File f = TRY(files_.open(kBigFile));
    TRY(f.attach(folio_.get()));
    const uint64_t start = sys::clock_now();
    for (uint64_t at = 0; at < kFileBytes; at += kChunk) {
      if (TRY(f.read_folio(at, kChunk)) != kChunk) return abi::kErrCorrupt;
      uint64_t stamp = 0;
      __builtin_memcpy(&stamp, data_, sizeof(stamp));
      if (stamp != at) return abi::kErrCorrupt;
    }
    const uint64_t us = (sys::clock_now() - start) / 1000;
    log("seq_read: {} bytes in {} us ({} KB/s)", kFileBytes, us, rate_kbps(kFileBytes, us));
    return {};
  }

  // Creates, stats and unlinks kSmallFiles files, each pass over all of them in turn.
  Result<void> small_files() {
    TRY(files_.mkdir(kSmallDir));
    char path[48];
    const uint64_t start = sys::clock_now();
    for (uint32_t i = 0; i < kSmallFiles; ++i) {
      lib::format_to(path, sizeof(path), "{}/f{}", kSmallDir, i);
      TRY(files_.open(path, abi::kOpenWrite | abi::kOpenCreate | abi::kOpenExclusive));
    }
    const uint64_t created = sys::clock_now();
    for (uint32_t i = 0; i < kSmallFiles; ++i) {
      lib::format_to(path, sizeof(path), "{}/f{}", kSmallDir, i);
      if (TRY(files_.stat(path)).size != 0) return abi::kErrCorrupt;
    }
    const uint64_t statted = sys::clock_now();
    for (uint32_t i = 0; i < kSmallFiles; ++i) {
      lib::format_to(path, sizeof(path), "{}/f{}", kSmallDir, i);
      TRY(files_.unlink(path));
    }
    const uint64_t end = sys::clock_now();
    log("files: {} files in {} us (create {} us, stat {} us, unlink {} us)", kSmallFiles,
        (end - start) / 1000, (created - start) / 1000, (statted - created) / 1000,
        (end - statted) / 1000);
    return files_.rmdir(kSmallDir);
  }

  void fail(const char* what, Status status) {
    if (failed_) return;
    failed_ = true;
    log("failed: {}: {}", what, status_name(status));
  }

  Files files_{Channel()};
  OwnedHandle folio_;
  uint8_t* data_ = nullptr;
  bool connected_ = false;
  bool failed_ = false;
  uint64_t started_ = 0;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::FsBench)
