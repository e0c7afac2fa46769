#pragma once
// Host test helpers for the file systems: a BlockDevice over an image file (as a disk made
// with the host's mke2fs or mkfs.fat), and running host tools on images.

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "servers/fs/core/block_device.h"

namespace test {

class ImageDevice final : public stellina::fs::BlockDevice {
 public:
  explicit ImageDevice(const std::string& path, bool writable = true) : writable_(writable) {
    fd_ = open(path.c_str(), writable ? O_RDWR : O_RDONLY);
    if (fd_ >= 0) sectors_ = static_cast<uint64_t>(lseek(fd_, 0, SEEK_END)) / 512;
  }
  ~ImageDevice() {
    if (fd_ >= 0) close(fd_);
  }
  ImageDevice(const ImageDevice&) = delete;
  ImageDevice& operator=(const ImageDevice&) = delete;

  bool ok() const { return fd_ >= 0; }
  uint64_t sector_count() const override { return sectors_; }
  bool writable() const override { return writable_; }
  stellina::Result<void> read(uint64_t sector, uint64_t count, void* out) override {
    if (sector > sectors_ || count > sectors_ - sector) return stellina::abi::kErrInvalidArgument;
    ++reads;
    if (pread(fd_, out, count * 512, static_cast<off_t>(sector * 512)) !=
        static_cast<ssize_t>(count * 512))
      return stellina::abi::kErrFault;
    return {};
  }
  stellina::Result<void> write(uint64_t sector, uint64_t count, const void* data) override {
    if (!writable_) return stellina::abi::kErrReadOnly;
    if (sector > sectors_ || count > sectors_ - sector) return stellina::abi::kErrInvalidArgument;
    ++writes;
    if (fail_writes) return stellina::abi::kErrFault;
    if (pwrite(fd_, data, count * 512, static_cast<off_t>(sector * 512)) !=
        static_cast<ssize_t>(count * 512))
      return stellina::abi::kErrFault;
    return {};
  }
  stellina::Result<void> flush() override {
    ++flushes;
    return {};
  }

  uint64_t reads = 0;
  uint64_t writes = 0;
  uint64_t flushes = 0;
  bool fail_writes = false;  // every write fails with kErrFault (a failing disk)

 private:
  int fd_ = -1;
  uint64_t sectors_ = 0;
  bool writable_;
};

// Runs a shell command; returns its exit status (-1 if it could not run).
inline int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return status < 0 ? -1 : WEXITSTATUS(status);
}

// Runs a shell command and returns what it printed on stdout.
inline std::string output_of(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), p)) > 0) out.append(buffer, n);
    pclose(p);
  }
  return out;
}

}  // namespace test
