#pragma once
// A file server component: serves one FileSystem over the file protocol
// (abi/stellina/file.h). The VFS connects as a client of the service the component exports
// and sends node requests; each OpenNode it answers with a fresh channel, the open file,
// which the VFS hands to its client, who then reads and writes on it directly.
//
//   class RamFs final : public fs::FileComponent<components::ramfs::Env> {
//     Result<fs::FileSystem*> mount() override { return fs::make_ramfs(limit); }
//   };
//
// When the startup server stops it (Stop: shutdown, reboot), it syncs the file system first.
//
// Limits: kMaxOpenFiles open files at once (past it, OpenNode fails with kErrNoResources).
// Requests are served one at a time, in order: the event loop waits while the engine reads
// the disk.

#include <stellina/component.h>
#include <stellina/file.h>

#include "servers/fs/core/file_server.h"
#include "servers/fs/core/memory.h"

namespace stellina::fs {

template <typename Env>
class FileComponent : public ComponentWith<Env> {
 public:
  static constexpr size_t kMaxOpenFiles = 256;

 protected:
  // Makes the file system (mounts the disk). kErrPeerClosed: not yet (a service it needs is
  // not connected: call try_mount() again when it is). Any other failure is logged, and
  // every request is answered with it until a later try_mount() succeeds.
  virtual Result<FileSystem*> mount() = 0;
  virtual bool read_only() const { return false; }
  // The file system, once mounted (null before).
  FileSystem* file_system() { return fs_; }

  // Whether a request that may have changed the file system was served since the last sync.
  bool unsynced() const { return server_ && server_->unsynced(); }
  // Syncs the file system (nothing to do before it is mounted).
  Result<void> sync() { return server_ ? server_->sync() : Result<void>{}; }

  void on_start() override { try_mount(); }

  // Stop (the system is going down): what was written and not synced reaches the disk before
  // the component ends. Also when the startup server is gone.
  void on_stop() override {
    if (unsynced()) {
      Result<void> synced = sync();
      if (synced.ok()) {
        this->log("stopping: synced");
      } else {
        this->log("stopping: cannot sync: {}", status_name(synced.error()));
      }
    }
    this->stop(0);
  }

  void try_mount() {
    if (server_) return;
    Result<FileSystem*> fs = mount();
    if (!fs.ok()) {
      if (fs.error() != abi::kErrPeerClosed && fs.error() != failure_)
        this->log("cannot mount: {}", status_name(fs.error()));
      failure_ = fs.error();
      return;
    }
    server_ = make<FileServer>(*fs.value(), read_only());
    if (!server_) {
      destroy(fs.value());
      failure_ = abi::kErrNoMemory;
      this->log("no memory for the file server");
      return;
    }
    fs_ = fs.value();
    failure_ = abi::kOk;
  }

  void on_connect(Channel ch) override {
    ignore(this->listen(static_cast<Channel&&>(ch), &service_tag_),
           "a client past the channel limit is refused: its channel closes");
  }

  void on_data(Channel& ch, Bytes data) override {
    const bool service = this->template context_of<ServiceTag>(ch) == &service_tag_;
    auto* file = service ? nullptr : this->template context_of<OpenFile>(ch);
    if (!service && !file) return;  // a channel of its own (the parent, a disk)
    if (!server_) {                 // not mounted: every request gets why
      abi::FileReply reply{failure_ == abi::kOk ? abi::kErrPeerClosed : failure_, 0};
      ignore(ch.send(Bytes{&reply, sizeof(reply)}, this->call_id()), "the VFS reads answers");
      return;
    }
    if (service) return node(ch, data);
    abi::FileRequest r{};
    if (data.size >= sizeof(r)) __builtin_memcpy(&r, data.data, sizeof(r));
    const size_t n = r.op == abi::FileOp::Attach && data.size == sizeof(r)
                         ? attach(*file)
                         : server_->file_request(*file, data.data, data.size, reply_);
    ignore(ch.send(Bytes{reply_, n}, this->call_id()), "a client that does not read loses it");
  }

  void on_peer_closed(Channel& ch) override {
    auto* file = this->template context_of<OpenFile>(ch);
    if (!file || this->template context_of<ServiceTag>(ch) == &service_tag_) return;
    if (file->folio) {
      ignore(check_ok(sys::folio_unmap(reinterpret_cast<uint64_t>(file->folio))),
             "the mapping goes with the process anyway");
    }
    *file = OpenFile{};
    file_used_[file - files_] = false;
  }

 private:
  struct ServiceTag {
    int unused;
  };

  void node(Channel& ch, Bytes data) {
    OpenFile opened;
    bool open = false;
    size_t n = server_->node_request(data.data, data.size, reply_, &opened, &open);
    if (!open) {
      ignore(ch.send(Bytes{reply_, n}, this->call_id()), "the VFS reads every answer");
      return;
    }
    size_t slot = 0;
    while (slot < kMaxOpenFiles && file_used_[slot]) ++slot;
    abi::Handle ends[2] = {abi::kInvalidHandle, abi::kInvalidHandle};
    Status failed = abi::kOk;
    if (slot == kMaxOpenFiles) {
      failed = abi::kErrNoResources;
    } else if (const int64_t r = sys::channel_create(ends); r < 0) {
      failed = static_cast<Status>(r);
    }
    if (failed == abi::kOk) {
      files_[slot] = opened;
      file_used_[slot] = true;
      if (!this->listen(Channel(ends[0]), &files_[slot]).ok()) {
        file_used_[slot] = false;
        sys::handle_close(ends[1]);
        failed = abi::kErrNoResources;
      }
    }
    if (failed != abi::kOk) {
      abi::FileReply reply{failed, 0};
      __builtin_memcpy(reply_, &reply, sizeof(reply));
      n = sizeof(reply);
      ignore(ch.send(Bytes{reply_, n}, this->call_id()), "the VFS reads every answer");
      return;
    }
    ignore(ch.send(abi::MessageKind::Data, Bytes{reply_, n}, this->call_id(), &ends[1], 1),
           "the VFS reads every answer (the file's channel closes if it cannot be sent)");
  }

  // Attach: maps the folio the message brought, writable, for ReadFolio and WriteFolio.
  size_t attach(OpenFile& file) {
    abi::FileReply reply{abi::kOk, 0};
    OwnedHandle folio(this->take_handle(0));
    uint64_t address = 0;
    const int64_t size = folio.valid() ? sys::folio_size(folio.get()) : abi::kErrInvalidArgument;
    if (file.folio || size < 0) {
      reply.status = file.folio ? abi::kErrInvalidArgument : static_cast<Status>(size);
    } else if (static_cast<uint64_t>(size) > abi::kFileMaxFolioBytes) {
      reply.status = abi::kErrTooLarge;
    } else if (const int64_t r = sys::folio_map(folio.get(), true, &address); r < 0) {
      reply.status = static_cast<Status>(r);
    } else {
      file.folio = reinterpret_cast<uint8_t*>(address);
      file.folio_size = static_cast<uint64_t>(size);
      reply.value = file.folio_size;
    }
    __builtin_memcpy(reply_, &reply, sizeof(reply));
    return sizeof(reply);
  }

  FileSystem* fs_ = nullptr;
  FileServer* server_ = nullptr;
  Status failure_ = abi::kOk;  // why the last mount failed
  ServiceTag service_tag_{};
  OpenFile files_[kMaxOpenFiles];
  bool file_used_[kMaxOpenFiles] = {};
  alignas(8) uint8_t reply_[abi::kMaxMessageData];
};

}  // namespace stellina::fs
