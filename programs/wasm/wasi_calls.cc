// WASI's process calls: arguments, environment, clocks, randomness, exit.
#include "wasi_functions.h"

namespace wasi_host::calls {

namespace wasi = wasm::wasi;
using wasi::answer;
using wasi::arg32;

Trap args_sizes_get(HostCall& c) {
  const WasiHost& w = WasiHost::of(c);
  return wasi::list_sizes(c, w.args(), w.arg_count());
}

Trap args_get(HostCall& c) {
  const WasiHost& w = WasiHost::of(c);
  return wasi::list_get(c, w.args(), w.arg_count());
}

Trap environ_sizes_get(HostCall& c) {
  const WasiHost& w = WasiHost::of(c);
  return wasi::list_sizes(c, w.env(), w.env_count());
}

Trap environ_get(HostCall& c) {
  const WasiHost& w = WasiHost::of(c);
  return wasi::list_get(c, w.env(), w.env_count());
}

// The wall clock (clock_wall) and the monotonic clock (clock_now) both count nanoseconds;
// there is no per-process or per-thread CPU clock to give (EINVAL for those ids).
Trap clock_res_get(HostCall& c) {
  const uint32_t id = arg32(c, 0);
  if (id != wasi::kClockRealtime && id != wasi::kClockMonotonic) return answer(c, wasi::kInval);
  return answer(c, wasi::put_u64(c, arg32(c, 1), 1) ? wasi::kSuccess : wasi::kFault);
}

Trap clock_time_get(HostCall& c) {
  const uint32_t id = arg32(c, 0);
  uint64_t now = 0;
  if (id == wasi::kClockRealtime) {
    now = stellina::sys::clock_wall();
  } else if (id == wasi::kClockMonotonic) {
    now = stellina::sys::clock_now();
  } else {
    return answer(c, wasi::kInval);
  }
  return answer(c, wasi::put_u64(c, arg32(c, 2), now) ? wasi::kSuccess : wasi::kFault);
}

// random_get(buf, len): from /dev/urandom in the program's tree (devfs's ChaCha20 stream,
// seeded by virtio-rng); EIO when the tree has none, rather than bytes that are not random.
Trap random_get(HostCall& c) {
  const uint32_t size = arg32(c, 1);
  uint8_t* out = c.bytes(arg32(c, 0), size);
  if (out == nullptr) return answer(c, wasi::kFault);
  if (size == 0) return answer(c, wasi::kSuccess);
  stellina::Result<stellina::File> source = WasiHost::of(c).program().files().open("/dev/urandom");
  if (!source.ok()) return answer(c, wasi::kIo);
  for (uint32_t done = 0; done < size;) {
    const stellina::Result<size_t> got = source.value().read(0, out + done, size - done);
    if (!got.ok() || got.value() == 0) return answer(c, wasi::kIo);
    done += static_cast<uint32_t>(got.value());
  }
  return answer(c, wasi::kSuccess);
}

// One thread, nothing to yield to but other processes, which the scheduler preempts for.
Trap sched_yield(HostCall& c) { return answer(c, wasi::kSuccess); }

// proc_exit(code): ends the module with code as the program's exit status. It unwinds the
// interpreter as a trap does; main tells the two apart by exited().
Trap proc_exit(HostCall& c) {
  WasiHost::of(c).set_exit(arg32(c, 0));
  c.message = "proc_exit";
  return Trap::Host;
}

}  // namespace wasi_host::calls
