#pragma once
// Starting the startup server, the first user process: it gets the log (to write and to
// read), a control channel (whose other end the console keeps), the authority to spawn, the
// component manifest, the platform (the authority over devices) and the boot archive (to
// read). servers/startup/README.md lists them.

#include "kernel/channel.h"

namespace kernel::init {

// Starts "startup" from the boot archive. Returns the kernel's end of its control channel.
// Errors: NotFound (no archive, or no startup program or manifest in it), and spawn's.
lib::Result<Ref<Channel>> start_startup_server();

// Sends a control command and waits up to timeout_ns for the answer, written NUL-terminated
// into out. Errors: PeerClosed, TimedOut, NoMemory, TooLarge.
lib::Result<void> control(Channel* ch, const char* command, char* out, size_t capacity,
                          uint64_t timeout_ns);

}  // namespace kernel::init
