// Syscalls on silos: create a child, change limits, read usage.

#include "kernel/arch.h"
#include "kernel/silo.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

namespace {

// A child of the silo behind the handle parent, charged to the caller's silo.
lib::Result<Silo*> create_child(Handle parent, const abi::SiloLimits& limits) {
  Ref<Silo> above;
  {
    SpinlockGuard guard(sched_lock);
    // Held here: the handle may be closed meanwhile.
    above = Ref<Silo>(TRY(current_process().handles().get<Silo>(parent, abi::kRightManage)));
  }
  auto created = Silo::create(*above, limits);
  SpinlockGuard guard(sched_lock);
  above = Ref<Silo>();  // dropped under the lock
  Silo* silo = TRY(std::move(created));
  auto charged = silo->charge_to(current_process().silo(), sizeof(Silo));
  if (!charged.ok()) {
    silo->release();
    return charged.error();
  }
  return silo;
}

}  // namespace

lib::Result<Handle> sys_silo_create(Handle parent, UserIn<abi::SiloLimits> limits) {
  abi::SiloLimits wanted;
  TRY(limits.read(&wanted));
  return install_new([&] { return create_child(parent, wanted); });
}

lib::Result<void> sys_silo_set_limits(Handle silo, UserIn<abi::SiloLimits> limits) {
  abi::SiloLimits wanted;
  TRY(limits.read(&wanted));
  SpinlockGuard guard(sched_lock);
  Silo* s = TRY(current_process().handles().get<Silo>(silo, abi::kRightManage));
  return s->set_limits(wanted);
}

lib::Result<void> sys_silo_stats(Handle silo, UserOut<abi::SiloStats> out) {
  abi::SiloStats stats;
  {
    SpinlockGuard guard(sched_lock);
    Silo* s = TRY(current_process().handles().get<Silo>(silo, abi::kRightRead));
    stats = s->stats();
  }
  return out.write(&stats);
}

}  // namespace kernel
