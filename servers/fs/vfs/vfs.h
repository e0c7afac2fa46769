#pragma once
// The VFS's core: namespaces (mount tables) and path resolution for the file: scheme
// (abi/stellina/file.h). A client's paths are resolved here, component by component, over
// the file servers' node protocol; the open files it gets are channels to the file servers
// themselves, so file data never passes through the VFS. It knows no channels: a FsLink
// carries each request to a file server (in the component, a channel call; in host tests,
// a FileServer called directly).
//
// Confinement: a path is resolved from its namespace's root; '..' at that root stays there,
// an absolute symbolic link starts again from it, and a mount's tree is entered only at its
// mount point, so no path leads outside what the namespace's mount table grants.

#include <stddef.h>
#include <stdint.h>

#include <stellina/file.h>
#include <stellina/result.h>
#include <stellina/types.h>

#include <lib/string_view.h>

namespace stellina::fs {

// A file server, as the VFS reaches it.
class FsLink {
 public:
  // Sends one request (a FileRequest and its names) and waits for its answer, which goes to
  // reply (room for kMaxMessageData bytes); returns the answer's size. *handle receives the
  // handle the answer carried (OpenNode), or kInvalidHandle. Errors: the transport's (the
  // server is gone: kErrPeerClosed; it did not answer in time: kErrTimedOut).
  virtual Result<size_t> call(const void* request, size_t size, uint8_t* reply,
                              abi::Handle* handle) = 0;

 protected:
  ~FsLink() = default;
};

struct Mount {
  lib::StringView path;     // in the namespace: "/", "/tmp"
  lib::StringView service;  // the file server's service, as the mount table names it
  FsLink* fs = nullptr;     // null: its server is not running (requests get kErrPeerClosed)
  lib::StringView subtree;  // of the server's tree: "" (all of it) or "/srv"
  bool read_only = false;
  uint64_t root = 0;  // the subtree's node, found on first use (0: not yet)
};

// A mount table. Paths and subtrees are the spec's: absolute and normalized (speccc checks).
struct Namespace {
  static constexpr size_t kMaxMounts = 16;
  Mount mounts[kMaxMounts];
  size_t count = 0;
};

class Vfs {
 public:
  // One request of a namespace session (OpenPath, StatPath, Mkdir, Unlink, Rename, Symlink,
  // Readlink, StatFs, Sync, Mounts); the reply goes to out (kMaxMessageData bytes), its size is
  // returned. *handle receives the open file's channel for OpenPath (else kInvalidHandle).
  size_t request(Namespace& ns, const void* data, size_t size, uint8_t* out, abi::Handle* handle);
  // Forgets what it knows of a file server's nodes (it restarted, or went away).
  static void forget(Namespace& ns, const FsLink* fs);

 private:
  struct Found {
    size_t mount = 0;
    uint64_t parent = 0;  // the directory holding the last component (its mount's node)
    size_t parent_mount = 0;
    bool exists = false;
    bool mount_point = false;  // the last component is a mount point (or the root)
    abi::FileStat stat{};      // when it exists
    char name[abi::kFileMaxName + 1] = {};
    size_t name_size = 0;
  };
  struct Step {
    size_t mount;
    uint64_t node;
    size_t path_size;  // of path_ before this step's component was added
  };
  static constexpr size_t kMaxDepth = abi::kFileMaxPath / 2 + 1;

  Result<size_t> op(Namespace& ns, const abi::FileRequest& r, lib::StringView name,
                    lib::StringView name2, uint8_t* body, abi::Handle* handle);
  // Resolves path. follow_last: a symbolic link as the last component is followed. A
  // missing last component is not an error when allow_missing (found.exists false).
  Result<void> resolve(Namespace& ns, lib::StringView path, bool follow_last, bool allow_missing,
                       Found& found);
  Result<uint64_t> mount_root(Mount& m);
  Result<size_t> call(FsLink* fs, const abi::FileRequest& r, lib::StringView name,
                      lib::StringView name2, abi::Handle* handle = nullptr);
  Result<abi::FileStat> call_stat(FsLink* fs, const abi::FileRequest& r, lib::StringView name,
                                  lib::StringView name2 = {});
  Result<size_t> open_path(Namespace& ns, const abi::FileRequest& r, lib::StringView path,
                           uint8_t* body, abi::Handle* handle);

  uint8_t request_[abi::kMaxMessageData];
  uint8_t reply_[abi::kMaxMessageData];
  char pending_[2 * abi::kFileMaxPath + 2];               // what is left to resolve
  char path_[abi::kFileMaxPath + abi::kFileMaxName + 2];  // where the walk is, in the namespace
  Step steps_[kMaxDepth];
  Found first_;  // Rename's source
  Found second_;
};

}  // namespace stellina::fs
