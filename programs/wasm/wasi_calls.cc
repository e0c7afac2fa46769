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

namespace {

constexpr size_t kSubscriptionSize = 48;  // userdata @0, tag @8, the clock or fd from @16
constexpr size_t kEventSize = 32;         // userdata @0, error u16 @8, type u8 @10
constexpr uint8_t kEventClock = 0;
constexpr uint16_t kSubclockAbstime = 1;

uint64_t load64(const uint8_t* p) {
  uint64_t v = 0;
  __builtin_memcpy(&v, p, 8);
  return v;
}

// A clock subscription's deadline on the monotonic clock; false for an unknown clock.
bool deadline_of(const uint8_t* sub, uint64_t now, uint64_t* deadline) {
  uint32_t id = 0;
  __builtin_memcpy(&id, sub + 16, 4);
  const uint64_t timeout = load64(sub + 24);
  uint16_t flags = 0;
  __builtin_memcpy(&flags, sub + 40, 2);
  if (id != wasi::kClockRealtime && id != wasi::kClockMonotonic) return false;
  if ((flags & kSubclockAbstime) == 0) {
    *deadline = now + timeout < now ? UINT64_MAX : now + timeout;
  } else if (id == wasi::kClockMonotonic) {
    *deadline = timeout;
  } else {  // a wall-clock time: as far from now on the monotonic clock
    const uint64_t wall = stellina::sys::clock_wall();
    *deadline = timeout <= wall ? now : now + (timeout - wall);
  }
  return true;
}

void put_event(uint8_t* event, const uint8_t* sub, wasi::Errno error) {
  __builtin_memset(event, 0, kEventSize);
  __builtin_memcpy(event, sub, 8);  // userdata
  const uint16_t e = error;
  __builtin_memcpy(event + 8, &e, 2);
  event[10] = sub[8];  // the subscription's type
}

// Waits on a timer until deadline (monotonic); false if no timer could be had.
bool sleep_until(uint64_t deadline) {
  const int64_t timer = stellina::sys::timer_create();
  if (timer < 0) return false;
  const stellina::OwnedHandle owned(static_cast<stellina::abi::Handle>(timer));
  if (stellina::sys::timer_set(owned.get(), deadline) < 0) return false;
  return stellina::sys::object_wait(owned.get(), stellina::abi::kSignalReadable) >= 0;
}

}  // namespace

// poll_oneoff(in, out, nsubscriptions, nevents*): clock subscriptions (relative or absolute,
// either clock) wait; a read or write subscription on a descriptor is ready at once, as a
// regular file always is (stdin then waits in fd_read, as it would without the poll). What
// sleep(), nanosleep() and poll() with a timeout need.
Trap poll_oneoff(HostCall& c) {
  const uint32_t count = arg32(c, 2);
  if (count == 0) return answer(c, wasi::kInval);
  const uint8_t* subs = c.bytes(arg32(c, 0), uint64_t{count} * kSubscriptionSize);
  uint8_t* events = c.bytes(arg32(c, 1), uint64_t{count} * kEventSize);
  if (subs == nullptr || events == nullptr) return answer(c, wasi::kFault);
  const uint64_t start = stellina::sys::clock_now();
  uint64_t earliest = UINT64_MAX;
  size_t ready = 0;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* sub = subs + i * kSubscriptionSize;
    uint64_t deadline = 0;
    if (sub[8] == kEventClock) {
      if (!deadline_of(sub, start, &deadline)) {
        put_event(events + ready++ * kEventSize, sub, wasi::kInval);
      } else if (deadline < earliest) {
        earliest = deadline;
      }
      continue;
    }
    uint32_t fd = 0;
    __builtin_memcpy(&fd, sub + 16, 4);
    const bool open = WasiHost::of(c).descriptor(fd) != nullptr;
    put_event(events + ready++ * kEventSize, sub, open ? wasi::kSuccess : wasi::kBadFd);
  }
  if (ready == 0 && earliest != UINT64_MAX) {
    if (earliest > start && !sleep_until(earliest)) return answer(c, wasi::kNoMem);
    const uint64_t now = stellina::sys::clock_now();
    for (size_t i = 0; i < count; ++i) {
      const uint8_t* sub = subs + i * kSubscriptionSize;
      uint64_t deadline = 0;
      if (sub[8] == kEventClock && deadline_of(sub, start, &deadline) && deadline <= now) {
        put_event(events + ready++ * kEventSize, sub, wasi::kSuccess);
      }
    }
  }
  return answer(c, wasi::put_u32(c, arg32(c, 3), static_cast<uint32_t>(ready)) ? wasi::kSuccess
                                                                               : wasi::kFault);
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
