#pragma once
// devfs: the devices every program expects under /dev, as files: null (reads end at once,
// writes vanish), zero (reads zeroes, writes vanish), full (reads zeroes, writes fail with
// kErrNoSpace) and random and urandom (reads a ChaCha20 stream, writes are mixed into it as
// entropy: both are the same generator, which never blocks). Character devices in stat; no
// entries can be made or removed.

#include "servers/fs/core/filesystem.h"
#include "servers/fs/devfs/chacha20.h"

namespace stellina::fs {

// A devfs whose random devices read from rng (kept by the caller, seeded by it).
// Errors: kErrNoMemory.
Result<FileSystem*> make_devfs(ChaCha20Rng& rng);

}  // namespace stellina::fs
