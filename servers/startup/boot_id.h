#pragma once
// The boot id: 128 bits that name this boot of the machine, made once when the startup server
// begins and served as `status: boot_id` (abi/stellina/status.h). Two boots, even of the same
// image at the same second on one host, get different ids; it is not a secret.

#include <stddef.h>
#include <stdint.h>

namespace startup {

// 32 lowercase hex digits and a NUL.
constexpr size_t kBootIdSize = 33;

// Writes a new boot id into out. Its entropy: the wall clock (nanoseconds, the RTC's second
// plus the monotonic clock), and the nanoseconds that system calls take, read back to back,
// whose jitter differs from boot to boot. Under QEMU's TCG the monotonic clock follows the
// host's, so two VMs started together still differ in those readings.
void make_boot_id(char (&out)[kBootIdSize]);

}  // namespace startup
