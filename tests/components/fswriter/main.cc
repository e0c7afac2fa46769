// FsWriter: writes files and says what it wrote, so that the QEMU test
// (tests/qemu/files_durable.py) can check, on the host, that what had to survive did: data
// never synced, at a shutdown; records that were synced, when the file server is killed in
// the middle of writing. Its mode is the text of /etc/fswriter on the disk.
#include <stellina/component.h>
#include <stellina/files.h>

#include "fswriter_env.h"

namespace stellina {
namespace {

constexpr uint64_t kRetryNs = 50'000'000;         // while the disk is not there (again)
constexpr uint64_t kPatienceNs = 20'000'000'000;  // for the first mount
constexpr uint64_t kAppendEveryNs = 100'000'000;  // "unsynced": one piece every 100 ms
constexpr uint64_t kRecordEveryNs = 10'000'000;   // "records": the pace of the records
constexpr uint32_t kPieceSize = 1000;
constexpr uint32_t kRecords = 120;
constexpr uint32_t kRecordSize = 64;

// The byte at offset i of /home/unsynced.
uint8_t pattern(uint64_t i) { return static_cast<uint8_t>('a' + (i * 7 + i / 1000) % 26); }

// Record i: "record NNNNNN " and a letter of its own up to 63 bytes, then a newline.
void make_record(uint32_t i, char (&out)[kRecordSize]) {
  const size_t n = lib::format_to(out, sizeof(out), "record {:06} ", i);
  for (size_t k = n; k < kRecordSize - 1; ++k) out[k] = static_cast<char>('A' + i % 26);
  out[kRecordSize - 1] = '\n';
}

class FsWriter final : public ComponentWith<components::fswriter::Env> {
  enum class Mode : uint8_t { Waiting, Unsynced, Records, Done };

  void on_start() override {
    started_ = sys::clock_now();
    on_timer();
  }

  void on_timer() override {
    switch (mode_) {
      case Mode::Waiting: return wait_for_disk();
      case Mode::Unsynced: return append();
      case Mode::Records: return write_record();
      case Mode::Done: return;
    }
  }

  void wait_for_disk() {
    if (!connected_) {
      Result<Channel> session = open("file:");
      if (session.ok()) {
        files_ = Files(static_cast<Channel&&>(session.value()));
        connected_ = true;
      }
    }
    char mode[16] = {};
    if (connected_) {
      if (Result<File> f = files_.open("/etc/fswriter"); f.ok()) {
        Result<size_t> n = f.value().read(0, mode, sizeof(mode) - 1);
        if (n.ok()) mode[n.value()] = '\0';
      }
    }
    const lib::StringView text(mode);
    if (text.starts_with("unsynced")) {
      mode_ = Mode::Unsynced;
    } else if (text.starts_with("records")) {
      mode_ = Mode::Records;
    } else if (sys::clock_now() - started_ > kPatienceNs) {
      return log("no mode: giving up");
    } else {
      return again(kRetryNs);
    }
    for (char& c : mode)
      if (c == '\n') c = '\0';
    log("mode {}", static_cast<const char*>(mode));
    on_timer();
  }

  void again(uint64_t after_ns) {
    ignore(set_timer(sys::clock_now() + after_ns), "the test times out without it");
  }

  // "unsynced": /home/unsynced grows by a piece of pattern() every kAppendEveryNs, never
  // synced; the host reads back every byte the last log line counts.
  Result<void> append_piece() {
    if (!file_.valid()) {
      file_ = TRY(
          files_.open("/home/unsynced", abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate));
    }
    uint8_t piece[kPieceSize];
    for (uint32_t k = 0; k < kPieceSize; ++k) piece[k] = pattern(size_ + k);
    const size_t n = TRY(file_.write(size_, Bytes{piece, sizeof(piece)}));
    if (n != sizeof(piece)) return abi::kErrFault;
    size_ += n;
    return {};
  }

  void append() {
    const Result<void> r = append_piece();
    if (!r.ok()) {
      mode_ = Mode::Done;
      return log("unsynced: {}", status_name(r.error()));
    }
    if (size_ == uint64_t{5} * kPieceSize) log("unsynced: written");  // the test shuts down now
    again(kAppendEveryNs);
  }

  // "records": record i goes to offset i * kRecordSize, then the file is synced; a failure
  // (the file server was killed) drops the file, which is opened again once it is back.
  Result<void> put_record(uint32_t i) {
    if (!file_.valid()) {
      file_ = TRY(files_.open("/home/records", abi::kOpenWrite | abi::kOpenCreate));
      if (reopen_) log("records: reopened after {}", status_name(reopen_));
      reopen_ = abi::kOk;
    }
    char record[kRecordSize];
    make_record(i, record);
    const size_t n = TRY(file_.write(uint64_t{i} * kRecordSize, Bytes{record, sizeof(record)}));
    if (n != sizeof(record)) return abi::kErrFault;
    return file_.sync();
  }

  void write_record() {
    const Result<void> r = put_record(next_);
    if (!r.ok()) {
      if (reopen_ == abi::kOk)
        log("record {}: {}; the file is opened again", next_, status_name(r.error()));
      if (reopen_ == abi::kOk) reopen_ = r.error();
      file_.reset();
      if (sys::clock_now() - started_ > 2 * kPatienceNs) {
        mode_ = Mode::Done;
        return log("records: giving up");
      }
      return again(kRetryNs);
    }
    log("record {} synced", next_);
    if (++next_ == kRecords) {
      mode_ = Mode::Done;
      return log("records: done");
    }
    again(kRecordEveryNs);
  }

  // Stop: "unsynced" writes one last piece, unsynced, and ends (the file server behind it
  // must write it back when it is stopped in turn); "records" ignores it, to be killed.
  void on_stop() override {
    if (mode_ == Mode::Records || (mode_ == Mode::Done && next_ > 0)) {
      log("stop ignored");
      return;
    }
    if (mode_ == Mode::Unsynced) {
      const Result<void> r = append_piece();
      log("stopping: {} bytes written, none synced", r.ok() ? size_ : 0);
    }
    stop(0);
  }

  Files files_{Channel()};
  File file_;
  bool connected_ = false;
  Mode mode_ = Mode::Waiting;
  uint64_t started_ = 0;
  uint64_t size_ = 0;         // "unsynced": bytes written
  uint32_t next_ = 0;         // "records": the next record
  Status reopen_ = abi::kOk;  // "records": why the file was lost, until it is open again
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::FsWriter)
