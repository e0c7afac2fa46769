#pragma once
// The kernel console: a line-oriented monitor on the serial port, to look at a running kernel
// and turn it off. A channel may hold the port (serial:, servers/startup/README.md): while one
// does, the bytes typed go to it raw and what it sends is written to the port as it is, and
// Ctrl-] shows the monitor until Ctrl-] (or `exit`) gives the port back.

#include "kernel/channel.h"

namespace kernel::console {

// Takes the serial port's input. Returns whether there is a serial console (a port and its
// interrupt): only then may a channel hold it.
bool init();

// Reads and runs commands until the machine is shut down or rebooted. control (may be null)
// is the startup server's control channel, for the ctl command; serial (may be null) its
// serial control channel, on which each Data message brings one channel end (its one handle)
// to give the port to: the newest holds it, the one before is closed.
[[noreturn]] void run(Channel* control, Channel* serial);

}  // namespace kernel::console
