#pragma once
// The Linux personality's side of the file protocol (abi/stellina/file.h): a request sent on
// one of the calling process's channels (its namespace session, or an open file's channel),
// the calling thread blocked until the reply with its call id arrives. The process's own
// handles are used, as a program of its own would use them: nothing here reaches beyond what
// the process was given.

#include <stellina/file.h>

#include <lib/result.h>

#include "kernel/channel.h"
#include "kernel/linux/linux_process.h"

namespace kernel::linux_calls {

// A reply: its status and value, the bytes after its FileReply, and the message that holds
// them (destroyed with the FileAnswer, under sched_lock).
class FileAnswer {
 public:
  FileAnswer() = default;
  explicit FileAnswer(Message* m) : message_(m) {}
  FileAnswer(FileAnswer&& other) noexcept : message_(other.message_) { other.message_ = nullptr; }
  FileAnswer& operator=(FileAnswer&&) = delete;
  FileAnswer(const FileAnswer&) = delete;
  ~FileAnswer();

  int64_t status() const;
  uint64_t value() const;
  const uint8_t* data() const;
  uint32_t data_size() const;
  // Installs the handle the reply carried (OpenPath's file) in the caller's table.
  // Errors: NotFound (none came), NoResources (the table is full).
  lib::Result<stellina::abi::Handle> take_handle();

 private:
  Message* message_ = nullptr;
};

// What a request carries after its FileRequest: names (kernel memory) and, for Write, bytes
// from the caller's memory (or the kernel's: sendfile).
struct FileRequestBody {
  const char* name = nullptr;
  size_t name_size = 0;
  const char* name2 = nullptr;
  size_t name2_size = 0;
  uint64_t user_bytes = 0;                // a user address
  const uint8_t* kernel_bytes = nullptr;  // or, when set, the kernel's
  uint32_t user_bytes_size = 0;           // of either
  // An object the request carries as handles[0] (Attach's folio), with these rights (the
  // message holds a reference and a handle count of its own).
  Object* attach = nullptr;
  uint32_t attach_rights = 0;
};

// Sends r (name sizes filled in from body) on the channel `channel` of the calling process
// and waits for the answer. Errors: BadHandle/WrongType (no such channel), Fault (the user
// bytes), TooLarge, PeerClosed (the server went away), Killed (the process is ending),
// NoMemory, QuotaExceeded.
lib::Result<FileAnswer> file_call(LinuxProcess& lp, stellina::abi::Handle channel,
                                  stellina::abi::FileRequest r, const FileRequestBody& body = {});

// -errno for a file-protocol status (FileReply.status, abi/stellina/types.h): the one
// translation of the file servers' errors.
int64_t errno_of_status(int64_t status);

}  // namespace kernel::linux_calls
