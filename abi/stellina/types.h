#pragma once
// The Stellina user/kernel ABI: handle values, object types, rights and status codes.
// Plain data shared by the kernel and the SDK; each item is documented where it is declared.

#include <stdint.h>

namespace stellina::abi {

// A handle names a kernel object within one process. 0 is never a valid handle.
using Handle = uint32_t;
constexpr Handle kInvalidHandle = 0;

// Status returned by every syscall (in rax): >= 0 success (some syscalls return a value),
// < 0 one of these errors.
enum Status : int64_t {
  kOk = 0,
  kErrInvalidArgument = -1,  // an argument is malformed or out of its domain
  kErrBadHandle = -2,        // the handle is not open in this process
  kErrWrongType = -3,        // the handle names an object of another type
  kErrAccessDenied = -4,     // the handle lacks a right the operation needs
  kErrNoMemory = -5,         // the kernel or the process's quota is out of memory
  kErrFault = -6,            // a user pointer is not mapped with the needed access
  kErrWouldBlock = -7,       // nothing to receive, or the peer's queue is full
  kErrPeerClosed = -8,       // the other end of the channel is closed
  kErrTooLarge = -9,         // a message or buffer exceeds the limit
  kErrBufferTooSmall = -10,  // the receive buffer cannot hold the message (it stays queued)
  kErrTimedOut = -11,        // the deadline passed
  kErrNotFound = -12,        // no such object or name
  kErrNotSupported = -13,    // the operation does not apply
  kErrNoResources = -14,     // a table at its limit (handles: 8,192; waiters) is full
  kErrCanceled = -15,        // the call was abandoned because the process is ending (its
                             // threads never see this: they end instead of returning)
  kErrQuotaExceeded = -16,   // the silo's quota (memory or threads) is used up
  // Network (abi/stellina/socket.h):
  kErrConnectionRefused = -17,  // the peer answered a connection attempt with a reset
  kErrConnectionReset = -18,    // the peer reset an established connection
  kErrAddressInUse = -19,       // the local address and port are bound already
  // Files (abi/stellina/file.h):
  kErrExists = -20,        // the name to create is taken
  kErrNotDirectory = -21,  // a path component, or what a directory operation names, is not one
  kErrIsDirectory = -22,   // a file operation (write, unlink) names a directory
  kErrNoSpace = -23,       // the file system (or its size limit) is full
  kErrReadOnly = -24,      // the file system, or the open file, does not allow writing
  kErrNotEmpty = -25,      // rmdir or rename over a directory that has entries
  kErrNameTooLong = -26,   // a name above kFileMaxName or a path above kFileMaxPath bytes
  kErrCorrupt = -27,       // the file system's data is inconsistent (refused, not guessed at)
  kErrLoop = -28,          // too many symbolic links on a path
  kErrCrossDevice = -29,   // rename between two mounts
  kErrBusy = -30,          // a mount point cannot be removed or renamed
};

// Kernel object types, reported by handle_query.
enum class ObjectType : uint32_t {
  None = 0,
  Process = 1,
  Thread = 2,
  AddressSpace = 3,
  Folio = 4,  // physically backed pages
  Channel = 5,
  Poll = 6,
  Timer = 7,
  Interrupt = 8,
  Log = 9,
  Silo = 10,      // a group of processes under quotas (abi/stellina/silo.h)
  Platform = 11,  // the authority over the machine's devices (abi/stellina/platform.h)
};

// Rights carried by a handle. An operation needs the rights its syscall lists.
enum Rights : uint32_t {
  kRightRead = 1u << 0,       // receive, read, query state
  kRightWrite = 1u << 1,      // send, write, change state
  kRightDuplicate = 1u << 2,  // handle_duplicate
  kRightTransfer = 1u << 3,   // move the handle to another process in a message
  kRightMap = 1u << 4,        // map a folio
  kRightWait = 1u << 5,       // wait for the object's signals (poll, object_wait)
  kRightManage = 1u << 6,     // kill a process, change limits, make a child silo
  kRightsAll = 0x7f,
};

// Signals an object can raise; what a waiter waits for.
enum Signals : uint32_t {
  kSignalReadable = 1u << 0,    // a channel has a message; a timer has fired
  kSignalWritable = 1u << 1,    // a channel's peer queue has room
  kSignalPeerClosed = 1u << 2,  // a channel's other end is closed
  kSignalTerminated = 1u << 3,  // a process or thread has ended
};

// What poll_wait reports for each ready entry.
struct PollEvent {
  uint64_t key;
  uint32_t signals;  // the object's signals when reported
  uint32_t reserved;
};
constexpr uint32_t kMaxPollEntries = 8192;
constexpr uint32_t kMaxPollEvents = 64;  // reported by one poll_wait

// What handle_query reports.
struct HandleInfo {
  ObjectType type;
  uint32_t rights;
  uint64_t object_id;  // the same object gives the same id in every process
};

}  // namespace stellina::abi
