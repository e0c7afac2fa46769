#pragma once
// The kernel console: a line-oriented monitor on the serial port, enough to look at a running
// kernel and turn it off until the shell component exists.

#include "kernel/channel.h"

namespace kernel::console {

// Reads and runs commands until the machine is shut down or rebooted. control (may be null)
// is the startup server's control channel, for the ctl command.
[[noreturn]] void run(Channel* control);

}  // namespace kernel::console
