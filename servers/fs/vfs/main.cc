// The VFS: serves the file: scheme. Each client sees the tree its spec's mount table grants
// (the silo's, or the system's: lib::Manifest::mount_of), resolved here path by path over
// the file servers' node protocol; an open file is a channel straight to its file server.
// The file servers it can mount are its requires, each under the name of the service it
// exports (`rootfs = "rootfs"`), as mount tables name them.

#include <stellina/boot_file.h>
#include <stellina/component.h>
#include <stellina/file.h>

#include <lib/manifest.h>

#include "servers/fs/vfs/vfs.h"
#include "vfs_env.h"

namespace stellina {
namespace {

using Env = components::vfs::Env;

constexpr uint64_t kTimeoutNs = 10'000'000'000;  // a file server silent for 10 s has failed

// A file server reached through its service channel (the VFS's requires field).
class ChannelLink final : public fs::FsLink {
 public:
  void bind(const Channel* ch) { ch_ = ch; }
  Result<size_t> call(const void* request, size_t size, uint8_t* reply,
                      abi::Handle* handle) override {
    if (!ch_ || !ch_->valid()) return abi::kErrPeerClosed;
    __builtin_memcpy(reply, request, size);
    abi::Handle handles[abi::kMaxMessageHandles];
    abi::MessageBuffer m{};
    m.kind = abi::MessageKind::Data;
    m.call_id = next_call_++;
    m.data = reply;
    m.data_size = static_cast<uint32_t>(size);
    m.data_capacity = abi::kMaxMessageData;
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    TRY(check_ok(sys::channel_call(ch_->get(), &m, sys::clock_now() + kTimeoutNs)));
    for (uint32_t i = 1; i < m.handle_count; ++i) sys::handle_close(handles[i]);
    *handle = m.handle_count ? handles[0] : abi::kInvalidHandle;
    return size_t{m.data_size};
  }

 private:
  const Channel* ch_ = nullptr;
  uint64_t next_call_ = 1;
};

class Vfs final : public ComponentWith<Env> {
 public:
  static constexpr size_t kMaxComponents = 64;
  static constexpr size_t kMaxSessions = 256;
  static constexpr size_t kMaxLinks = 8;

 private:
  struct Session {
    fs::Namespace* ns;
  };

  void on_start() override {
    Result<void> loaded = load_manifest();
    if (!loaded.ok()) {
      log("cannot read the manifest: {}", status_name(loaded.error()));
      stop(1);
    }
  }

  Result<void> load_manifest() {
    manifest_file_ = TRY(map_boot_file(*this, "boot:manifest"));
    auto manifest = lib::Manifest::open(manifest_file_.data, manifest_file_.size);
    if (!manifest.ok()) return abi::kErrCorrupt;
    manifest_ = manifest.value();
    if (manifest_.count() > kMaxComponents) return abi::kErrTooLarge;
    return {};
  }

  // The link to the file server exporting service (a requires field of the same name).
  fs::FsLink* link(const char* service) {
    Channel* ch = env().service(service);
    if (!ch) return nullptr;
    for (size_t i = 0; i < link_count_; ++i)
      if (link_channels_[i] == ch) return &links_[i];
    if (link_count_ == kMaxLinks) return nullptr;
    link_channels_[link_count_] = ch;
    links_[link_count_].bind(ch);
    return &links_[link_count_++];
  }

  // The namespace of the manifest's component i, made on its first Open.
  fs::Namespace* namespace_of(size_t i) {
    if (built_[i]) return &namespaces_[i];
    fs::Namespace& ns = namespaces_[i];
    ns = fs::Namespace{};
    const size_t count = manifest_.mount_count_of(i);
    for (size_t k = 0; k < count && ns.count < fs::Namespace::kMaxMounts; ++k) {
      const lib::Manifest::Mount m = manifest_.mount_of(i, k);
      fs::Mount& mount = ns.mounts[ns.count++];
      mount.path = m.path;
      mount.service = m.service;
      mount.fs = link(m.service);
      mount.subtree = m.subtree;
      mount.read_only = m.read_only;
      if (!mount.fs)
        log("{}: no file server '{}' for {}", manifest_.component(i).name, m.service, m.path);
    }
    built_[i] = true;
    return &ns;
  }

  void on_service_connected(const char* field) override {
    // A file server (re)started: what was known of its nodes is void.
    const Channel* ch = env().service(field);
    for (size_t l = 0; l < link_count_; ++l) {
      if (link_channels_[l] != ch) continue;
      for (size_t i = 0; i < kMaxComponents; ++i)
        if (built_[i]) fs::Vfs::forget(namespaces_[i], &links_[l]);
    }
  }

  void on_open(Channel& ch, uint64_t call_id, const char* uri, size_t size) override {
    const lib::StringView text(uri, size);
    const size_t caller = caller_index();
    if (caller == kNobody)
      return ignore(abort(ch, call_id, abi::kErrAccessDenied), "the caller's Open fails");
    if (!text.starts_with("file:"))
      return ignore(abort(ch, call_id, abi::kErrNotFound), "the caller's Open fails");
    fs::Namespace* ns = namespace_of(caller);
    const lib::StringView path = text.substr(5);
    if (path.empty()) return open_session(ch, call_id, ns);
    // Open{"file:PATH"}: the file, read-only.
    alignas(8) uint8_t request[sizeof(abi::FileRequest) + abi::kFileMaxPath];
    if (path.size() > abi::kFileMaxPath)
      return ignore(abort(ch, call_id, abi::kErrNameTooLong), "the caller's Open fails");
    abi::FileRequest r{};
    r.op = abi::FileOp::OpenPath;
    r.flags = abi::kOpenRead;
    r.name_size = static_cast<uint16_t>(path.size());
    __builtin_memcpy(request, &r, sizeof(r));
    __builtin_memcpy(request + sizeof(r), path.data(), path.size());
    abi::Handle handle = abi::kInvalidHandle;
    vfs_.request(*ns, request, sizeof(r) + path.size(), reply_, &handle);
    abi::FileReply reply{};
    __builtin_memcpy(&reply, reply_, sizeof(reply));
    if (reply.status != abi::kOk)
      return ignore(abort(ch, call_id, static_cast<Status>(reply.status)), "the Open fails");
    ignore(reply_open(ch, call_id, Channel(handle)), "a caller gone closes the file");
  }

  static constexpr size_t kNobody = ~size_t{0};

  // The manifest's index of the component whose Open is being handled (its namespace), or
  // kNobody.
  size_t caller_index() const {
    const lib::StringView who = open_caller();
    char name[64];
    if (who.empty() || who.size() >= sizeof(name)) return kNobody;
    __builtin_memcpy(name, who.data(), who.size());
    name[who.size()] = '\0';
    auto found = manifest_.find(name);
    return found.ok() && found.value() < kMaxComponents ? found.value() : kNobody;
  }

  void open_session(Channel& ch, uint64_t call_id, fs::Namespace* ns) {
    Session* session = nullptr;
    for (Session& s : sessions_)
      if (!s.ns) session = &s;
    abi::Handle ends[2];
    if (!session) return ignore(abort(ch, call_id, abi::kErrNoResources), "too many sessions");
    if (const int64_t r = sys::channel_create(ends); r < 0)
      return ignore(abort(ch, call_id, static_cast<Status>(r)), "no channel for the session");
    session->ns = ns;
    if (!listen(Channel(ends[0]), session).ok()) {
      session->ns = nullptr;
      sys::handle_close(ends[1]);
      return ignore(abort(ch, call_id, abi::kErrNoResources), "too many channels");
    }
    ignore(reply_open(ch, call_id, Channel(ends[1])), "a caller gone closes its session");
  }

  void on_data(Channel& ch, Bytes data) override {
    auto* session = context_of<Session>(ch);
    if (!session || !session->ns) return;
    abi::Handle handle = abi::kInvalidHandle;
    const size_t n = vfs_.request(*session->ns, data.data, data.size, reply_, &handle);
    if (handle == abi::kInvalidHandle) {
      ignore(ch.send(Bytes{reply_, n}, call_id()), "a client that does not read loses it");
      return;
    }
    if (!ch.send(abi::MessageKind::Data, Bytes{reply_, n}, call_id(), &handle, 1).ok())
      sys::handle_close(handle);
  }

  void on_peer_closed(Channel& ch) override {
    if (auto* session = context_of<Session>(ch)) session->ns = nullptr;
  }

  lib::Manifest manifest_;
  BootFile manifest_file_;
  fs::Vfs vfs_;
  fs::Namespace namespaces_[kMaxComponents];
  bool built_[kMaxComponents] = {};
  ChannelLink links_[kMaxLinks];
  Channel* link_channels_[kMaxLinks] = {};
  size_t link_count_ = 0;
  Session sessions_[kMaxSessions] = {};
  alignas(8) uint8_t reply_[abi::kMaxMessageData];
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::Vfs)
