// Syscalls on silos: create a child, change limits, read usage.

#include "kernel/arch.h"
#include "kernel/silo.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_silo_create(SyscallArgs a) {
  abi::SiloLimits limits;
  TRY_STATUS(copy_in(&limits, a[1], sizeof(limits)));
  Process& process = current_process();
  Ref<Silo> parent;
  {
    SpinlockGuard guard(sched_lock);
    auto got = process.handles().get<Silo>(handle_arg(a[0]), abi::kRightManage);
    if (!got.ok()) return to_status(got.error());
    parent = Ref<Silo>(got.value());  // the handle may be closed meanwhile
  }
  auto created = Silo::create(*parent, limits);
  SpinlockGuard guard(sched_lock);
  parent = Ref<Silo>();  // dropped under the lock
  if (!created.ok()) return to_status(created.error());
  Silo* silo = created.value();
  auto charged = silo->charge_to(process.silo(), sizeof(Silo));
  if (!charged.ok()) {
    silo->release();
    return to_status(charged.error());
  }
  auto h = process.handles().install(silo, abi::kRightsAll);
  silo->release();
  return to_return(h);
}

int64_t sys_silo_set_limits(SyscallArgs a) {
  abi::SiloLimits limits;
  TRY_STATUS(copy_in(&limits, a[1], sizeof(limits)));
  SpinlockGuard guard(sched_lock);
  auto silo = current_process().handles().get<Silo>(handle_arg(a[0]), abi::kRightManage);
  if (!silo.ok()) return to_status(silo.error());
  return to_return(silo.value()->set_limits(limits));
}

int64_t sys_silo_stats(SyscallArgs a) {
  abi::SiloStats stats;
  {
    SpinlockGuard guard(sched_lock);
    auto silo = current_process().handles().get<Silo>(handle_arg(a[0]), abi::kRightRead);
    if (!silo.ok()) return to_status(silo.error());
    stats = silo.value()->stats();
  }
  return to_return(copy_out(a[1], &stats, sizeof(stats)));
}

}  // namespace kernel
