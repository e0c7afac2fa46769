#pragma once
// The kernel console: a line-oriented monitor on the serial port, enough to look at a running
// kernel and turn it off until the shell component exists.

namespace kernel::console {

// Reads and runs commands until the machine is shut down or rebooted.
[[noreturn]] void run();

}  // namespace kernel::console
