#pragma once
// Programs started from files: what a program receives beyond its StartupBlock. A starter
// (a component whose spec grants it a spawn silo, or a program given a silo, docs/programs.md)
// reads an ELF file into a folio, spawns it (process_spawn with SpawnRequest::image) and gives
// it handles in its StartupBlock:
//
//   handles[kProgramStartHandle]  the start channel, on which the starter queued, before the
//                                 program ran, one Data message that begins with a
//                                 ProgramStart, then as many Data messages as the strings
//                                 need (each at most kMaxMessageData bytes, no handles);
//   handles[1...]                 at most three more, each named by an index of the
//                                 ProgramStart (log_handle, namespace_handle, silo_handle):
//     log        the log (kRightWrite), as a component's;
//     namespace  a channel that answers Open{uri} as a component's namespace channel does
//                (OpenReply with the resource, or Abort with a Status): the URIs the
//                starter lets it open. "namespace:" gives another channel like it (for a
//                program it starts), "file:" a fresh file: session;
//     silo       a silo it may start programs in (kRightManage), inside the starter's.
//
// The strings are the arguments, then the environment, each NUL-terminated: argc + envc
// strings of strings_size bytes in all, the first bytes in the first message after its
// ProgramStart, the rest in the messages that follow. argv[0] is the path it was started
// from (or the name it was started by, when the starter found it in PATH). An environment
// entry is KEY=VALUE with a non-empty KEY (no '=' in it). PWD, when present, is the
// program's current directory: relative paths resolve against it.
//
// The first message's handles are the program's standard streams and its file tree; each
// index names one of them (kProgramNoHandle: not given):
//
//   stdin   a channel the program reads: Data messages of bytes, in order;
//   stdout  a channel the program writes: Data messages of bytes (at most kMaxMessageData
//   stderr  each). Back-pressure is the channel's: a full queue refuses the next send
//           (kErrWouldBlock) until the reader takes one (kSignalWritable).
//           End of stream, either way, is the channel closing: the reader sees
//           kErrPeerClosed once the queue is empty.
//   files   a namespace session of the file: scheme (abi/stellina/file.h): a channel the
//           starter got from its own Open{"file:"}, so the program sees exactly the
//           starter's tree and no more.
//
// A program's exit status is its process's: process_exit(code), or a fault, a kill or a
// quota death, which whoever holds its Process handle reads with process_info after
// kSignalTerminated (abi/stellina/process.h). A program whose start is malformed (wrong
// magic or version, sizes or counts that disagree, a string without its NUL, a limit below
// exceeded, an entry without '=', a handle index that names nothing or names one twice)
// exits at once with the Status as its code.

#include <stdint.h>

#include <stellina/messages.h>

namespace stellina::abi {

constexpr uint32_t kProgramStartMagic = 0x47505453;  // "STPG"
constexpr uint32_t kProgramStartVersion = 2;

constexpr uint32_t kProgramStartHandle = 0;
constexpr uint32_t kProgramMaxStartupHandles = 4;  // the start channel and three more

constexpr uint32_t kProgramMaxArgs = 256;           // argc, argv[0] included
constexpr uint32_t kProgramMaxEnv = 256;            // envc
constexpr uint32_t kProgramMaxStrings = 64 * 1024;  // strings_size: every byte, NULs included
constexpr uint64_t kProgramMaxImage = 16ull << 20;  // bytes of an ELF file a starter loads
constexpr uint32_t kProgramNoHandle = 0xffffffff;

struct ProgramStart {
  uint32_t magic;         // kProgramStartMagic
  uint32_t version;       // kProgramStartVersion
  uint32_t argc;          // 1 to kProgramMaxArgs
  uint32_t envc;          // 0 to kProgramMaxEnv
  uint32_t strings_size;  // 2 to kProgramMaxStrings
  // Indices into the first message's handles, or kProgramNoHandle.
  uint32_t stdin_handle;
  uint32_t stdout_handle;
  uint32_t stderr_handle;
  uint32_t files_handle;
  // Indices into the StartupBlock's handles (1 or more), or kProgramNoHandle.
  uint32_t log_handle;
  uint32_t namespace_handle;
  uint32_t silo_handle;
  uint32_t reserved;  // 0
};

// Bytes of strings the first message carries after its ProgramStart, at most.
constexpr uint32_t kProgramFirstStrings = kMaxMessageData - sizeof(ProgramStart);

}  // namespace stellina::abi
