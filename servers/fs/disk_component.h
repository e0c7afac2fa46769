#pragma once
// A file server of a disk: the file system on the disk the block service serves, mounted
// when the block driver connects and served over the file protocol (FileComponent). After
// the driver restarts, the shared folio is attached to the new channel and the cache goes on.
// The cache is written back in the background: kWritebackDelayNs after a change that was not
// synced, the file system is synced (as a Sync request would), so a server killed mid-write
// loses at most its last second of writes; what a client synced is on the disk already.
//
//   STELLINA_COMPONENT(stellina::fs::DiskComponent<components::ext2::Env, mount_ext2>)
//
// The spec requires `block = "block"` and has the config `read_only` (bool) and
// `cache_kib` (the block cache).

#include "servers/fs/block_client.h"
#include "servers/fs/core/file_component.h"

namespace stellina::fs {

using MountFunction = Result<FileSystem*> (*)(BlockDevice&, const MountOptions&, MountMessage&);

template <typename Env, MountFunction Mount>
class DiskComponent final : public FileComponent<Env> {
 public:
  // How long a change may stay in the cache only: the sync that follows takes the rest of a
  // second at most.
  static constexpr uint64_t kWritebackDelayNs = 500'000'000;

 private:
  // Arms the write-back timer at the first change since the last sync.
  void after_events() override {
    if (writeback_armed_ || !this->unsynced()) return;
    writeback_armed_ = true;
    ignore(this->set_timer(sys::clock_now() + kWritebackDelayNs),
           "without a timer, changes wait for a Sync or the stop");
  }

  void on_timer() override {
    writeback_armed_ = false;
    if (!this->unsynced()) return;  // a client synced meanwhile
    const Result<void> synced = this->sync();
    const Status status = synced.ok() ? abi::kOk : synced.error();
    if (status != writeback_status_) {  // said once, not at every try
      if (status == abi::kOk) {
        this->log("write-back: the disk has the cache again");
      } else {
        this->log("write-back failed: {}; trying again", status_name(status));
      }
      writeback_status_ = status;
    }
    if (status != abi::kOk) after_events();  // the disk may be back by then
  }

  Result<FileSystem*> mount() override {
    if (!this->env().block.valid()) return abi::kErrPeerClosed;  // no disk yet
    TRY(disk_.connect(this->env().block));
    MountOptions options;
    options.read_only = this->env().config.read_only;
    options.cache_bytes = static_cast<size_t>(this->env().config.cache_kib) << 10;
    read_only_ = options.read_only;
    MountMessage message;
    Result<FileSystem*> fs = Mount(disk_, options, message);
    if (!fs.ok()) {
      this->log("the disk is refused: {}", static_cast<const char*>(message.text));
      return fs.error();
    }
    this->log("mounted the disk ({} sectors){}", disk_.sector_count(),
              read_only_ ? " read-only" : "");
    return fs;
  }
  bool read_only() const override { return read_only_; }

  void on_service_connected(const char* field) override {
    if (lib::StringView(field) != "block") return;
    if (!this->file_system()) return this->try_mount();
    ignore(disk_.connect(this->env().block), "the next request fails and says why");
  }

  BlockClient disk_;
  bool read_only_ = false;
  bool writeback_armed_ = false;
  Status writeback_status_ = abi::kOk;  // of the last write-back
};

}  // namespace stellina::fs
