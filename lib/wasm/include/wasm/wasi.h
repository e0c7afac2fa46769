#pragma once
// WASI preview 1 (wasi_snapshot_preview1) as its embedders share it: the numbers the ABI
// fixes (errno values, file types, flags, rights, the byte layouts of its structs) and
// accessors for a host function's arguments and for guest memory, every address checked
// against the caller's linear memory. Freestanding and header-only: bench/wasm's host
// runner and Stellina's runner (programs/wasm) both build on it; each supplies its own
// system (files, clocks, streams).

#include <stddef.h>
#include <stdint.h>

#include "wasm/instance.h"

namespace wasm::wasi {

constexpr const char* kModuleName = "wasi_snapshot_preview1";

// errno: the values the preview 1 ABI gives them.
enum Errno : uint16_t {
  kSuccess = 0,
  kAccess = 2,
  kBadFd = 8,
  kBusy = 10,
  kDquot = 19,
  kExist = 20,
  kFault = 21,
  kFbig = 22,
  kInval = 28,
  kIo = 29,
  kIsDir = 31,
  kLoop = 32,
  kMfile = 33,
  kNameTooLong = 37,
  kNoEnt = 44,
  kNoMem = 48,
  kNoSpc = 51,
  kNoSys = 52,
  kNotDir = 54,
  kNotEmpty = 55,
  kNotSup = 58,
  kOverflow = 61,
  kPerm = 63,
  kPipe = 64,
  kRofs = 69,
  kSpipe = 70,
  kXdev = 75,
  kNotCapable = 76,
};

// filetype
enum FileType : uint8_t {
  kUnknown = 0,
  kCharacterDevice = 2,
  kDirectory = 3,
  kRegularFile = 4,
  kSymbolicLink = 7,
};

// clockid
constexpr uint32_t kClockRealtime = 0;
constexpr uint32_t kClockMonotonic = 1;
// whence
constexpr uint8_t kWhenceSet = 0;
constexpr uint8_t kWhenceCur = 1;
constexpr uint8_t kWhenceEnd = 2;
// oflags
constexpr uint16_t kOflagCreat = 1;
constexpr uint16_t kOflagDirectory = 2;
constexpr uint16_t kOflagExcl = 4;
constexpr uint16_t kOflagTrunc = 8;
// fdflags
constexpr uint16_t kFdflagAppend = 1;
// lookupflags
constexpr uint32_t kLookupSymlinkFollow = 1;
// rights: those that decide how a file is opened, and all of them.
constexpr uint64_t kRightFdRead = uint64_t{1} << 1;
constexpr uint64_t kRightFdWrite = uint64_t{1} << 6;
constexpr uint64_t kRightFdReaddir = uint64_t{1} << 14;
constexpr uint64_t kRightsAll = (uint64_t{1} << 29) - 1;
// preopentype
constexpr uint8_t kPreopenDir = 0;

// The byte layouts (wasm32: little-endian, pointers and sizes 32 bits).
constexpr uint32_t kFdstatSize = 24;    // filetype u8 @0, flags u16 @2, rights u64 @8, @16
constexpr uint32_t kFilestatSize = 64;  // dev @0, ino @8, filetype u8 @16, nlink @24,
                                        // size @32, atim @40, mtim @48, ctim @56
constexpr uint32_t kDirentSize = 24;    // d_next u64 @0, d_ino u64 @8, d_namlen u32 @16,
                                        // d_type u8 @20; the name follows
constexpr uint32_t kPrestatSize = 8;    // tag u8 @0, name length u32 @4
constexpr uint32_t kIovecSize = 8;      // buf u32 @0, len u32 @4

// A host function's arguments, by position (i32 in the low half of a slot).
inline uint32_t arg32(const HostCall& c, int i) { return static_cast<uint32_t>(c.slots[i]); }
inline uint64_t arg64(const HostCall& c, int i) { return c.slots[i]; }

// The errno a WASI function returns, as its one result.
inline Trap answer(HostCall& c, Errno e) {
  c.slots[0] = e;
  return Trap::None;
}

// Little-endian stores and loads in guest memory: false (nothing written) when the bytes are
// not all inside it.
inline bool put(const HostCall& c, uint64_t address, const void* value, uint32_t size) {
  uint8_t* p = c.bytes(address, size);
  if (p != nullptr) __builtin_memcpy(p, value, size);
  return p != nullptr;
}
inline bool put_u8(const HostCall& c, uint64_t address, uint8_t v) {
  return put(c, address, &v, 1);
}
inline bool put_u16(const HostCall& c, uint64_t address, uint16_t v) {
  return put(c, address, &v, 2);
}
inline bool put_u32(const HostCall& c, uint64_t address, uint32_t v) {
  return put(c, address, &v, 4);
}
inline bool put_u64(const HostCall& c, uint64_t address, uint64_t v) {
  return put(c, address, &v, 8);
}
inline bool get_u32(const HostCall& c, uint64_t address, uint32_t* v) {
  const uint8_t* p = c.bytes(address, 4);
  if (p != nullptr) __builtin_memcpy(v, p, 4);
  return p != nullptr;
}

// One buffer of an iovec array (fd_read, fd_write): the i-th of the array at `iovs`, as a
// pointer into guest memory and its length. False when the descriptor or the buffer is not
// inside the memory.
inline bool iovec(const HostCall& c, uint32_t iovs, uint32_t i, uint8_t** data, uint32_t* size) {
  uint32_t buf = 0;
  if (!get_u32(c, uint64_t{iovs} + uint64_t{i} * kIovecSize, &buf) ||
      !get_u32(c, uint64_t{iovs} + uint64_t{i} * kIovecSize + 4, size)) {
    return false;
  }
  *data = c.bytes(buf, *size);
  return *data != nullptr;
}

// args_sizes_get and environ_sizes_get(count*, bytes*): the count and the bytes of the
// strings with a NUL after each. `list` is indexable, its items have data() and size()
// (std::vector<std::string>, an array of string views).
template <typename List>
Trap list_sizes(HostCall& c, const List& list, size_t count) {
  uint64_t bytes = 0;
  for (size_t i = 0; i < count; ++i) bytes += list[i].size() + 1;
  if (bytes > UINT32_MAX) return answer(c, kOverflow);
  if (!put_u32(c, arg32(c, 0), static_cast<uint32_t>(count)) ||
      !put_u32(c, arg32(c, 1), static_cast<uint32_t>(bytes))) {
    return answer(c, kFault);
  }
  return answer(c, kSuccess);
}

// args_get and environ_get(pointers*, text*): the strings one after the other at text, NUL
// after each, and a pointer to each in the array at pointers.
template <typename List>
Trap list_get(HostCall& c, const List& list, size_t count) {
  uint64_t pointers = arg32(c, 0);
  uint64_t text = arg32(c, 1);
  for (size_t i = 0; i < count; ++i) {
    const size_t size = list[i].size();
    uint8_t* p = c.bytes(text, size + 1);
    if (p == nullptr || !put_u32(c, pointers, static_cast<uint32_t>(text))) {
      return answer(c, kFault);
    }
    __builtin_memcpy(p, list[i].data(), size);
    p[size] = 0;
    pointers += 4;
    text += size + 1;
  }
  return answer(c, kSuccess);
}

}  // namespace wasm::wasi
