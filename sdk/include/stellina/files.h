#pragma once
// Files from a component: the file: scheme (abi/stellina/file.h) as calls that wait for
// their answer (the event loop pauses meanwhile; each has a deadline).
//
//   Files files = TRY(Files::connect(*this));          // Open{"file:"}: the namespace
//   File f = TRY(files.open("/home/notes", abi::kOpenWrite | abi::kOpenCreate));
//   TRY(f.write(0, "hello\n"));
//   TRY(f.sync());
//
// Paths are in the namespace the component's spec grants (its mount table), absolute or
// relative to the current directory (set_cwd). A component's spec must list
// `files = "file:"` in requires.

#include <stellina/component.h>
#include <stellina/file.h>

namespace stellina {

// An open file or directory: a channel to the file server that holds it. Closing it (it
// going out of scope) closes the file.
class File : public Channel {
 public:
  using Channel::Channel;

  // Up to size bytes at offset (any size: split into messages of at most kFileMaxInline);
  // returns how many were read (fewer at the end of the file).
  Result<size_t> read(uint64_t offset, void* out, size_t size) const;
  // Writes all of data at offset (the end, if opened with kOpenAppend), in messages of at
  // most kFileMaxWriteInline; returns size.
  Result<size_t> write(uint64_t offset, Bytes data) const;

  // The bulk path, for large transfers: the data moves between the file server and a folio
  // both map, one request per call, with no copy through messages.
  //
  //   OwnedHandle folio(...sys::folio_create(1 << 20)...);  // and map it
  //   TRY(f.attach(folio.get()));
  //   const size_t n = TRY(f.read_folio(offset, 1 << 20));  // into the folio from 0
  //
  // attach sends the server a copy of folio (the caller keeps its handle), once per open
  // file; returns the folio's size (whole pages, at most abi::kFileMaxFolioBytes). Errors:
  // kErrInvalidArgument (already attached), kErrTooLarge, kErrNotSupported (the server has
  // no bulk path).
  Result<uint64_t> attach(abi::Handle folio) const;
  // size bytes of the file from offset into the folio from folio_offset; returns how many
  // (fewer at the end of the file). The range must lie inside the folio.
  Result<size_t> read_folio(uint64_t offset, size_t size, uint64_t folio_offset = 0) const;
  // size bytes of the folio from folio_offset into the file at offset; returns how many (a
  // full disk: fewer, or kErrNoSpace for none).
  Result<size_t> write_folio(uint64_t offset, size_t size, uint64_t folio_offset = 0) const;

  Result<abi::FileStat> stat() const;
  Result<void> truncate(uint64_t size) const;
  Result<void> sync() const;
  Result<void> set_times(int64_t atime_ns, int64_t mtime_ns) const;
  // A directory's entries: calls visit(entry, name) for each, in the server's order.
  template <typename F>
  Result<void> list(F&& visit) const {
    uint64_t cursor = 0;
    alignas(8) uint8_t buffer[abi::kMaxMessageData];
    do {
      const size_t n = TRY(read_dir(&cursor, buffer));
      const uint8_t* reply = buffer + sizeof(abi::FileReply);
      for (size_t at = 0; at + sizeof(abi::FileDirEntry) <= n;) {
        abi::FileDirEntry e{};
        __builtin_memcpy(&e, reply + at, sizeof(e));
        const size_t end = at + sizeof(e) + e.name_size;
        if (end > n) break;
        visit(e,
              lib::StringView(reinterpret_cast<const char*>(reply + at + sizeof(e)), e.name_size));
        at = (end + 7) & ~size_t{7};
      }
    } while (cursor);
    return {};
  }
  // One request on this file, and its answer, in buffer (kMaxMessageData bytes): the body
  // follows the FileReply; its size is returned, the reply's value goes to *value.
  Result<size_t> call(const abi::FileRequest& r, Bytes payload, uint8_t* buffer,
                      uint64_t* value = nullptr) const;

 private:
  Result<size_t> read_dir(uint64_t* cursor, uint8_t* buffer) const;
  Result<size_t> folio_io(abi::FileOp op, uint64_t offset, size_t size,
                          uint64_t folio_offset) const;
};

class Files {
 public:
  // Opens the component's namespace (Open{"file:"}).
  static Result<Files> connect(Component& component);
  explicit Files(Channel session) : session_(static_cast<Channel&&>(session)) {}

  // flags: abi::kOpen*; mode: the permissions of a file it creates.
  Result<File> open(lib::StringView path, uint32_t flags = abi::kOpenRead,
                    uint32_t mode = 0644) const;
  Result<abi::FileStat> stat(lib::StringView path, bool follow = true) const;
  Result<void> mkdir(lib::StringView path, uint32_t mode = 0755) const;
  Result<void> unlink(lib::StringView path) const;
  Result<void> rmdir(lib::StringView path) const;
  Result<void> rename(lib::StringView from, lib::StringView to) const;
  Result<void> symlink(lib::StringView target, lib::StringView link) const;
  // The target, into out; returns its length.
  Result<size_t> readlink(lib::StringView path, char* out, size_t capacity) const;
  Result<abi::FileSystemStat> statfs(lib::StringView path) const;
  Result<void> sync() const;

  // The current directory: relative paths given to the calls above are resolved against it
  // (joined with '/'; the file server resolves "." and ".."). false, and no change, for a
  // path that is not absolute or is longer than kFileMaxPath. Without one, paths are
  // passed as given (relative ones then resolve from the root).
  bool set_cwd(lib::StringView path);
  lib::StringView cwd() const { return lib::StringView(cwd_, cwd_size_); }
  bool valid() const { return session_.valid(); }

  // One request and its answer, in buffer (kMaxMessageData bytes), as File::call. *handle
  // gets the handle the answer carried (OpenPath).
  Result<size_t> call(const abi::FileRequest& r, lib::StringView name, lib::StringView name2,
                      uint8_t* buffer, abi::Handle* handle = nullptr) const;

 private:
  Result<size_t> resolve(lib::StringView path, bool relative_ok, uint8_t* out, size_t room) const;

  Channel session_;
  char cwd_[abi::kFileMaxPath] = {};
  size_t cwd_size_ = 0;
};

}  // namespace stellina
