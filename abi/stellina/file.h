#pragma once
// Files: the file: scheme the VFS serves, and the protocol between the VFS and the file
// servers (ramfs, ext2, fat) behind it. Three kinds of channel carry the same messages:
//
// 1. A namespace session (client <-> VFS). Open{"file:"} on a namespace channel gives one.
//    Requests name paths: absolute ('/'-separated) in the caller's namespace, the tree its
//    spec's mount table grants (docs/files.md). '..' never climbs above that tree's root,
//    and no symbolic link leads outside it. Ops: OpenPath, StatPath, Mkdir, Unlink, Rename,
//    Symlink, Readlink, StatFs, Sync, Mounts.
//    Open{"file:PATH"} is a shortcut: the open file (or directory) PATH, read-only.
// 2. An open file (client <-> the file server that holds it, directly: its data never
//    passes through the VFS). OpenPath's reply carries its channel; closing it closes the
//    file. Ops: Read, Write, Stat, Truncate, Sync, SetTimes, ReadDir (a directory), and the
//    bulk path Attach, ReadFolio, WriteFolio.
// 3. A file server's service channel (VFS <-> file server), which names inodes by number:
//    Lookup, Create, Unlink, Rename, Symlink, Readlink, StatNode, OpenNode (gives an open
//    file's channel, for the VFS to pass on), Truncate, SetTimes, StatFs, Sync. A server's
//    root directory is the node StatFs reports.
//
// Every request is a Data message that starts with a FileRequest, followed by its names
// (name_size bytes, then name2_size bytes, no NUL) and, for Write, the bytes to write. The
// answer is a Data message with the same call id that starts with a FileReply, followed by
// what the op returns; OpenPath and OpenNode carry the open file's channel as handles[0].
// Requests on one channel are answered in order.
//
// Bulk transfers, as the block service's (abi/stellina/block.h): Attach (handles[0]: a folio
// with kRightMap | kRightWrite, at most kFileMaxFolioBytes) once per open file; then
// ReadFolio / WriteFolio name a file range {offset, size} and a folio range starting at
// folio_offset. The data moves between the file and the folio once, without passing
// through a message.
//
// Errors (FileReply.status): kErrNotFound, kErrExists, kErrNotDirectory, kErrIsDirectory,
// kErrNotEmpty, kErrNameTooLong, kErrNoSpace, kErrReadOnly (a read-only mount, or a write on
// a file not opened for writing), kErrAccessDenied (outside the caller's grant), kErrLoop,
// kErrCrossDevice, kErrBusy (a mount point), kErrInvalidArgument (a malformed request),
// kErrCorrupt (the file system refuses inconsistent data), kErrFault (the device failed),
// kErrTooLarge (a size past a limit below), kErrNotSupported (an op the channel does not
// serve).

#include <stdint.h>

#include <stellina/messages.h>

namespace stellina::abi {

constexpr uint32_t kFileMaxName = 255;    // bytes of one path component
constexpr uint32_t kFileMaxPath = 1024;   // bytes of a path
constexpr uint32_t kFileMaxSymlinks = 8;  // links followed while resolving one path
constexpr uint64_t kFileMaxFolioBytes = uint64_t{4} << 20;

enum class FileOp : uint32_t {
  // Namespace session (paths in name, and name2 for Rename and Symlink).
  OpenPath = 1,  // flags: kOpen*; mode: permissions of a file it creates. handles[0]: the file
  StatPath = 2,  // flags: kOpenNoFollow to stat a symbolic link itself. Reply: FileStat
  Mkdir = 3,     // mode
  Unlink = 4,    // flags: kUnlinkDirectory removes an empty directory (rmdir)
  Rename = 5,    // name -> name2, replacing name2 if it is a file or an empty directory
  Symlink = 6,   // a link at name2 whose target is name
  Readlink = 7,  // reply: the target
  StatFs = 8,    // reply: FileSystemStat
  Sync = 9,      // everything written so far (the file, or all files) is on the device
  Mounts = 10,   // the session's mount table as text: a line per mount, in the table's order,
                 // `SOURCE MOUNT_POINT ro|rw`, SOURCE the file server's service and, for a
                 // part of its tree, `:SUBTREE` after it. Whole lines, as many as fit in the
                 // reply (a table of kMaxMounts mounts fits unless its paths are very long)
  // Open file.
  Read = 20,        // {offset, size <= kFileMaxInline}: reply value = bytes read, then the bytes
                    // (fewer at the end of the file; 0 past it)
  Write = 21,       // {offset} then the bytes: reply value = bytes written. With kOpenAppend
                    // the offset is ignored: the bytes go at the end
  Stat = 22,        // reply: FileStat
  Truncate = 23,    // {size}: sets the file's size (zeroes past the old end)
  SetTimes = 24,    // {offset: atime_ns, size: mtime_ns}; kTimeOmit leaves one as it is
  ReadDir = 25,     // {offset: a cursor, 0 first}: reply value = the cursor after the last
                    // entry given (0: the end), then FileDirEntry records
  Attach = 26,      // handles[0]: a folio. Reply value: its size
  ReadFolio = 27,   // {offset, size, folio_offset}: reply value = bytes read
  WriteFolio = 28,  // {offset, size, folio_offset}: reply value = bytes written
  // File server (node and node2 are inode numbers; names single components).
  Lookup = 40,        // {node: a directory, name}: reply FileStat of the entry (no link followed)
  Create = 41,        // {node, name, mode with the type: regular or directory}: reply FileStat.
                      // flags kOpenExclusive: kErrExists if it is there; otherwise an existing
                      // entry of the same type is returned as it is
  NodeUnlink = 42,    // {node, name, flags kUnlinkDirectory}
  NodeRename = 43,    // {node, name, node2, name2}
  NodeSymlink = 44,   // {node, name (the link), name2 (the target)}: reply FileStat
  NodeReadlink = 45,  // {node}: reply the target
  StatNode = 46,      // {node}: reply FileStat
  OpenNode = 47,      // {node, flags kOpenRead/kOpenWrite/kOpenAppend}: handles[0] the file
  NodeTruncate = 48,  // {node, size}
  NodeSetTimes = 49,  // {node, offset: atime_ns, size: mtime_ns}
};

// OpenPath flags.
constexpr uint32_t kOpenRead = 1u << 0;
constexpr uint32_t kOpenWrite = 1u << 1;
constexpr uint32_t kOpenCreate = 1u << 2;     // create a regular file if the name is free
constexpr uint32_t kOpenExclusive = 1u << 3;  // with kOpenCreate: kErrExists if it is taken
constexpr uint32_t kOpenTruncate = 1u << 4;   // with kOpenWrite: size 0 first
constexpr uint32_t kOpenAppend = 1u << 5;     // with kOpenWrite: every write at the end
constexpr uint32_t kOpenDirectory = 1u << 6;  // kErrNotDirectory unless it is one
constexpr uint32_t kOpenNoFollow = 1u << 7;   // the last component is not followed if a link
// Unlink flags.
constexpr uint32_t kUnlinkDirectory = 1u << 0;

constexpr int64_t kTimeOmit = INT64_MIN;

struct FileRequest {
  FileOp op;
  uint32_t flags;
  uint64_t node;
  uint64_t node2;
  uint64_t offset;
  uint64_t size;
  uint64_t folio_offset;
  uint32_t mode;
  uint16_t name_size;
  uint16_t name2_size;
};

struct FileReply {
  int64_t status;  // kOk or an error above
  uint64_t value;
};

constexpr uint32_t kFileMaxInline = kMaxMessageData - sizeof(FileReply);  // a Read's most
constexpr uint32_t kFileMaxWriteInline = kMaxMessageData - sizeof(FileRequest);

// File types and permissions in FileStat::mode, with the values POSIX systems use.
constexpr uint32_t kModeTypeMask = 0170000;
constexpr uint32_t kModeRegular = 0100000;
constexpr uint32_t kModeDirectory = 0040000;
constexpr uint32_t kModeSymlink = 0120000;
constexpr uint32_t kModeCharDevice = 0020000;  // devfs's devices
constexpr uint32_t kModePermissions = 07777;

struct FileStat {
  uint64_t node;    // the inode number, unique within its file system
  uint64_t device;  // which file system (the VFS numbers its mounts; servers report 0)
  uint64_t size;    // bytes (a symbolic link: its target's length)
  uint64_t blocks;  // 512-byte units allocated to it (less than size/512 for a sparse file)
  uint32_t mode;    // type | permissions
  uint32_t links;
  uint32_t uid;
  uint32_t gid;
  int64_t atime_ns;  // since 1970-01-01 UTC
  int64_t mtime_ns;
  int64_t ctime_ns;
};

struct FileSystemStat {
  uint64_t root;        // the root directory's node
  uint64_t block_size;  // bytes
  uint64_t blocks;      // total, in block_size units
  uint64_t free_blocks;
  uint64_t files;  // inodes, total (0: no fixed number)
  uint64_t free_files;
  uint32_t max_name;   // kFileMaxName or less
  uint32_t read_only;  // 1: the mount refuses writes
  char type[16];       // "ext2", "ext4", "fat32", "ramfs", ...; NUL-terminated
};

// One ReadDir entry: the header, then name_size bytes of name, padded with zeroes to a
// multiple of 8 bytes. '.' and '..' are not listed.
struct FileDirEntry {
  uint64_t node;
  uint64_t cursor;  // ReadDir from here goes on after this entry
  uint32_t mode;    // the type bits (kModeTypeMask) of the entry; 0 if unknown
  uint16_t name_size;
  uint16_t reserved;
};

}  // namespace stellina::abi
