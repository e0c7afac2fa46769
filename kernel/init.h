#pragma once
// Starting the startup server, the first user process: it gets the log (to write and to
// read), a control channel (whose other end the console keeps), the authority to spawn, the
// component manifest, the platform (the authority over devices), the boot archive (to
// read) and the serial control channel (the console's other end: serial:).
// servers/startup/README.md lists them.

#include "kernel/channel.h"

namespace kernel::init {

// The kernel's ends of the startup server's channels.
struct StartupChannels {
  Ref<Channel> control;
  Ref<Channel> serial;  // null without a serial console: its handle is then kInvalidHandle
};

// Starts "startup" from the boot archive; with serial_console, it gets a serial control
// channel. Errors: NotFound (no archive, or no startup program or manifest in it), and
// spawn's.
lib::Result<StartupChannels> start_startup_server(bool serial_console);

// Sends a control command and waits up to timeout_ns for the answer, written NUL-terminated
// into out. Errors: PeerClosed, TimedOut, NoMemory, TooLarge.
lib::Result<void> control(Channel* ch, const char* command, char* out, size_t capacity,
                          uint64_t timeout_ns);

}  // namespace kernel::init
