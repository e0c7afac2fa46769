#pragma once
// What a new process finds at start: the address of a StartupBlock in the first argument
// register (rdi), describing the handles its creator gave it, in the creator's order.

#include <stddef.h>
#include <stdint.h>

#include <stellina/types.h>

namespace stellina::abi {

constexpr uint32_t kMaxStartupHandles = 16;

struct StartupBlock {
  uint32_t handle_count;
  uint32_t reserved;
  Handle handles[kMaxStartupHandles];
};

// Config values given on the kernel command line as NAME.KEY=VALUE words (`tcpip.address=
// 10.0.2.15/24`), which replace the spec's values for component NAME. The startup server
// queues one of these, first, on the startup channel of every component whose spec has a
// [config] table, at each start: a Data message of kConfigOverridesMagic followed by `count`
// pairs of NUL-terminated strings, KEY then VALUE, no more than kConfigOverridesMax bytes in
// all (the kernel keeps at most 512 bytes of command line). Only keys of the spec, with
// values of its type (integers in decimal, booleans `true` or `false`), are passed on; the
// startup server logs and leaves out the others. The SDK reads it before on_start (the
// generated Env::load), so env().config already holds the values.
constexpr uint64_t kConfigOverridesMagic = 0x31464e4f43544c53;  // "STLCONF1"
constexpr size_t kConfigOverridesMax = 1024;

struct ConfigOverridesHeader {
  uint64_t magic;
  uint32_t count;
  uint32_t reserved;
};

}  // namespace stellina::abi
