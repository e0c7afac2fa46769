#pragma once
// Serves one FileSystem over the file protocol (abi/stellina/file.h): the node requests the
// VFS sends on a file server's service channel, and the requests on each open file's
// channel. It knows no channels: the component (servers/fs/core/file_component.h) hands it
// each message's bytes and sends back the reply it writes, so the host tests drive it
// directly.

#include <stddef.h>
#include <stdint.h>

#include "servers/fs/core/filesystem.h"

namespace stellina::fs {

// What an open file's channel carries.
struct OpenFile {
  InodeId node = 0;
  uint32_t flags = 0;  // abi::kOpenRead, kOpenWrite, kOpenAppend
  bool directory = false;
  uint8_t* folio = nullptr;  // the attached folio, mapped (Attach), or null
  uint64_t folio_size = 0;
};

class FileServer {
 public:
  FileServer(FileSystem& fs, bool read_only) : fs_(fs), read_only_(read_only) {}

  FileSystem& file_system() { return fs_; }
  bool read_only() const { return read_only_; }
  // Whether a request that may change the file system has been served since the last sync
  // (the Sync requests, or sync() here): what a write-back timer has to write.
  bool unsynced() const { return unsynced_; }
  // Syncs the file system (FileSystem::sync) if anything changed since the last sync.
  Result<void> sync();

  // A request from the VFS; the reply (a FileReply and what follows) goes to out, which has
  // room for abi::kMaxMessageData bytes; returns its size. For an OpenNode that succeeds,
  // *opened describes the file to give a channel to (opened_file is set).
  size_t node_request(const void* data, size_t size, uint8_t* out, OpenFile* opened,
                      bool* opened_file);
  // A request on an open file's channel (Attach excepted: the component maps the folio).
  size_t file_request(OpenFile& file, const void* data, size_t size, uint8_t* out);

 private:
  Result<size_t> node_op(const abi::FileRequest& r, lib::StringView name, lib::StringView name2,
                         uint8_t* body, OpenFile* opened, bool* opened_file);
  Result<size_t> file_op(OpenFile& file, const abi::FileRequest& r, const uint8_t* payload,
                         size_t payload_size, uint8_t* body);
  Result<size_t> read_dir(InodeId dir, uint64_t cursor, uint8_t* body, uint64_t* next);
  Result<size_t> folio_io(OpenFile& file, const abi::FileRequest& r);
  Result<void> writable();

  FileSystem& fs_;
  bool read_only_;
  bool unsynced_ = false;
};

// A name the engines may see: 1 to kFileMaxName bytes, no '/' or NUL, not "." or "..".
// Errors: kErrInvalidArgument, kErrNameTooLong.
Result<void> check_name(lib::StringView name);

}  // namespace stellina::fs
