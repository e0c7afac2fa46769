#include "kernel/linux/linux_family.h"

#include "kernel/linux/linux_process.h"
#include "kernel/log.h"
#include "kernel/process.h"

namespace kernel {

LinuxFamily::LinuxFamily() = default;
// A child that outlives this family must not keep a pointer to it (its end would wake a
// freed queue).
LinuxFamily::~LinuxFamily() NO_THREAD_SAFETY_ANALYSIS { orphan_children(); }

lib::Result<void> LinuxFamily::reserve_child() {
  if (child_count_ + reserved_children_ == kMaxChildren) return lib::Error::NoResources;
  ++reserved_children_;
  return {};
}

void LinuxFamily::cancel_child() {
  KASSERT(reserved_children_ > 0);
  --reserved_children_;
}

void LinuxFamily::add_child(Process* child) {
  cancel_child();  // the reserved slot becomes the child's
  children_[child_count_++] = Ref<Process>::adopt(child);
}

Process* LinuxFamily::child_to_report(int64_t pid, uint32_t events, Event* found, bool* any) const {
  *any = false;
  for (size_t i = 0; i < child_count_; ++i) {
    Process* child = children_[i].get();
    const LinuxProcess* lp = child->linux_process();
    if (pid < -1 && (!lp || lp->pgid() != uint64_t(-pid))) continue;
    if (pid > 0 && child->id() != uint64_t(pid)) continue;
    *any = true;
    const LinuxProcessSignals& ps = child->linux_process()->signals();
    if (child->terminated()) {
      *found = kEnded;
    } else if (ps.stop_report) {
      *found = kStopped;
    } else if (ps.continue_report) {
      *found = kContinued;
    } else {
      continue;
    }
    if (events & *found) return child;
  }
  return nullptr;
}

Process* LinuxFamily::ended_child(int64_t pid, bool* any) const {
  Event found;
  return child_to_report(pid, kEnded, &found, any);
}

Process* LinuxFamily::child(uint64_t pid) const {
  for (size_t i = 0; i < child_count_; ++i)
    if (children_[i]->id() == pid) return children_[i].get();
  return nullptr;
}

namespace {

// A child is no longer this family's: it forgets its parent, which may end before it (a
// thread of an ended child can still be on its way out, in exec's last steps).
void forget_parent(Process& child) REQUIRES(sched_lock) {
  if (LinuxProcess* lp = child.linux_process()) lp->family().set_parent(nullptr);
}

}  // namespace

void LinuxFamily::reap(Process* child) {
  for (size_t i = 0; i < child_count_; ++i) {
    if (children_[i].get() != child) continue;
    forget_parent(*child);
    children_[i] = static_cast<Ref<Process>&&>(children_[--child_count_]);
    return;
  }
}

void LinuxFamily::reap_ended() {
  for (size_t i = child_count_; i-- > 0;) {
    if (!children_[i]->terminated()) continue;
    forget_parent(*children_[i]);
    children_[i] = static_cast<Ref<Process>&&>(children_[--child_count_]);
  }
}

void LinuxFamily::orphan_children() {
  while (child_count_) {
    Ref<Process> child = static_cast<Ref<Process>&&>(children_[--child_count_]);
    forget_parent(*child);
  }
}

LinuxFamily::ThreadEntry* LinuxFamily::find_thread(uint64_t thread_id) {
  for (size_t i = 0; i < thread_count_; ++i)
    if (threads_[i].thread_id == thread_id) return &threads_[i];
  return nullptr;
}

lib::Result<void> LinuxFamily::add_thread(uint64_t thread_id, uint64_t clear_child_tid) {
  if (thread_count_ == kMaxThreads) return lib::Error::NoResources;
  threads_[thread_count_++] = {thread_id, clear_child_tid};
  return {};
}

void LinuxFamily::remove_thread(uint64_t thread_id) {
  if (ThreadEntry* t = find_thread(thread_id)) *t = threads_[--thread_count_];
}

void LinuxFamily::rename_thread(uint64_t key, uint64_t thread_id) {
  if (ThreadEntry* t = find_thread(key)) t->thread_id = thread_id;
}

bool LinuxFamily::has_thread(uint64_t thread_id) const {
  for (size_t i = 0; i < thread_count_; ++i)
    if (threads_[i].thread_id == thread_id) return true;
  return false;
}

uint64_t LinuxFamily::clear_child_tid(uint64_t thread_id) const {
  for (size_t i = 0; i < thread_count_; ++i)
    if (threads_[i].thread_id == thread_id) return threads_[i].clear_child_tid;
  return 0;
}

void LinuxFamily::set_clear_child_tid(uint64_t thread_id, uint64_t address) {
  if (ThreadEntry* t = find_thread(thread_id)) t->clear_child_tid = address;
}

void linux_process_terminated(Process& p) {
  linux_signals_process_ended(p);  // before its parent may reap it
  LinuxFamily& family = p.linux_process()->family();
  if (Process* parent = family.parent()) {
    if (LinuxProcess* lp = parent->linux_process()) lp->family().child_events().wake_all();
  }
  family.orphan_children();
}

}  // namespace kernel
