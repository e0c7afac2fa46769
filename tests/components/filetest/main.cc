// FileTest: drives the file: scheme the way a program would, and logs what it sees; the
// QEMU tests (tests/qemu/files.py) check the log and, after QEMU exits, the disk image with
// the host's e2fsck and debugfs.
#include <stellina/component.h>
#include <stellina/files.h>

#include "filetest_env.h"

namespace stellina {
namespace {

constexpr uint64_t kRetryNs = 50'000'000;         // while the root file system is not mounted
constexpr uint64_t kPatienceNs = 20'000'000'000;  // after which it gives up

// The byte at offset i of the test files.
uint8_t pattern(uint64_t i) { return static_cast<uint8_t>(i * 7 + i / 4096); }

class FileTest final : public ComponentWith<components::filetest::Env> {
  void on_start() override {
    started_ = sys::clock_now();
    on_timer();
  }

  void on_timer() override {
    if (!connected_) {
      Result<Channel> session = open("file:");
      if (session.ok()) {
        files_ = Files(static_cast<Channel&&>(session.value()));
        connected_ = true;
      }
    }
    if (connected_ && files_.statfs("/").ok() && files_.statfs("/tmp").ok()) return run_all();
    if (sys::clock_now() - started_ > kPatienceNs) return log("no root file system: giving up");
    ignore(set_timer(sys::clock_now() + kRetryNs), "the test times out without it");
  }

  void step(const char* what, Status status) { log("{}: {}", what, status_name(status)); }
  template <typename T>
  void step(const char* what, const Result<T>& r) {
    step(what, r.ok() ? abi::kOk : r.error());
  }

  // A file of size bytes of pattern(), written in pieces of uneven sizes.
  Result<void> write_file(lib::StringView path, uint64_t size) {
    File f = TRY(files().open(path, abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate));
    uint8_t chunk[1500];
    for (uint64_t at = 0; at < size;) {
      const uint64_t n = size - at < sizeof(chunk) ? size - at : sizeof(chunk);
      for (uint64_t i = 0; i < n; ++i) chunk[i] = pattern(at + i);
      TRY(f.write(at, Bytes{chunk, n}));
      at += n;
    }
    return {};
  }

  // Whether path holds exactly size bytes of pattern().
  Result<bool> check_file(lib::StringView path, uint64_t size) {
    File f = TRY(files().open(path));
    if (TRY(f.stat()).size != size) return false;
    uint8_t chunk[3000];
    for (uint64_t at = 0; at < size;) {
      const size_t got = TRY(f.read(at, chunk, sizeof(chunk)));
      if (got == 0) return false;
      for (size_t i = 0; i < got; ++i)
        if (chunk[i] != pattern(at + i)) return false;
      at += got;
    }
    uint8_t past;
    return TRY(f.read(size, &past, 1)) == 0;
  }

  void exercise(const char* root) {
    char a[64], b[64], d[64], inner[64];
    lib::format_to(a, sizeof(a), "{}/a", root);
    lib::format_to(b, sizeof(b), "{}/b", root);
    lib::format_to(d, sizeof(d), "{}/d", root);
    lib::format_to(inner, sizeof(inner), "{}/d/inner", root);
    log("{}: write 100000 bytes: {}", root, status_name(status_of(write_file(a, 100000))));
    Result<bool> same = check_file(a, 100000);
    log("{}: read back: {}", root, same.ok() && same.value() ? "matches" : "differs");
    step("rename", files().rename(a, b));
    step("open the old name", files().open(a));
    step("mkdir", files().mkdir(d));
    step("mkdir again", files().mkdir(d));
    step("create inside", files().open(inner, abi::kOpenWrite | abi::kOpenCreate));
    step("rmdir a full directory", files().rmdir(d));
    step("unlink inside", files().unlink(inner));
    step("rmdir", files().rmdir(d));
    step("unlink", files().unlink(b));
  }

  template <typename T>
  static Status status_of(const Result<T>& r) {
    return r.ok() ? abi::kOk : r.error();
  }

  void run_all() {
    exercise("/tmp");
    exercise("/home");
    // Confinement: '..' at the root stays there; a link to "/../.." is the root.
    step("symlink", files().symlink("/../../..", "/tmp/up"));
    Result<abi::FileStat> up = files().stat("/tmp/up/home");
    Result<abi::FileStat> home = files().stat("/home");
    log("escape: {}", up.ok() && home.ok() && up.value().node == home.value().node &&
                              up.value().device == home.value().device
                          ? "stays inside"
                          : "LEAKS");
    step("unlink the link", files().unlink("/tmp/up"));
    step("unlink a mount point", files().unlink("/tmp"));
    count_boots();
    log("done");
  }

  void count_boots() {
    uint64_t boots = 0;
    char text[24] = {};
    if (Result<File> f = files().open("/home/boots"); f.ok()) {
      Result<size_t> n = f.value().read(0, text, sizeof(text) - 1);
      for (size_t i = 0; n.ok() && i < n.value() && text[i] >= '0' && text[i] <= '9'; ++i)
        boots = boots * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    ++boots;
    const size_t n = lib::format_to(text, sizeof(text), "{}\n", boots);
    Result<File> f =
        files().open("/home/boots", abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate);
    Status s = status_of(f);
    if (f.ok()) s = status_of(f.value().write(0, Bytes{text, n}));
    if (s == abi::kOk) s = status_of(files().sync());
    log("boot {}: {}", boots, status_name(s));
    // Its time is the wall clock's: after 2020-01-01 (the test compares it with the host's).
    constexpr int64_t k2020Ns = 1'577'836'800'000'000'000;
    Result<abi::FileStat> st = files().stat("/home/boots");
    log("modified after 2020: {}", st.ok() && st.value().mtime_ns > k2020Ns ? "yes" : "no");
  }

  const Files& files() { return files_; }

  Files files_{Channel()};
  bool connected_ = false;
  uint64_t started_ = 0;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::FileTest)
