#pragma once
// Turning the machine off and restarting it: ACPI first (PM1 control on PC chipsets, the
// sleep-control register on hardware-reduced machines such as microvm), then the platform's
// legacy ways.

namespace kernel::power {

[[noreturn]] void shutdown();
[[noreturn]] void reboot();

}  // namespace kernel::power
