#pragma once
// bootfs: the boot archive (lib/archive.h) as a read-only file system. The archive's names
// are paths ("site/index.css"): each '/'-separated component but the last is a directory,
// made once for all the files below it; the last is a regular file whose bytes are the
// archive's, read in place (the archive must outlive the file system). Everything that
// would write fails with kErrReadOnly.
//
// Inode numbers: the root is 1, then every directory and file in turn. A directory lists its
// entries sorted by name; its size is their number. Files are mode 0444, directories 0555,
// all timestamps the time the file system was made.

#include <stddef.h>

#include <stellina/result.h>

#include "servers/fs/core/filesystem.h"

namespace stellina::fs {

// A file system over the archive at [archive, archive + size). Every file's CRC is checked
// here, once. Errors: kErrCorrupt (the archive is malformed, a CRC does not match, a name is
// not a path: an empty component as in "a//b" or "/a", "." or "..", or the same path is
// both a file and a directory), kErrNotSupported (a newer archive version), kErrNoMemory.
Result<FileSystem*> make_bootfs(const void* archive, size_t size);

}  // namespace stellina::fs
