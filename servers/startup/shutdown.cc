// Stopping the system: the control commands `shutdown` and `reboot`. Each running component
// is sent Stop on its startup channel, one at a time, clients before their providers (a file
// server still has its disk while it writes its cache back); one that has not ended within
// kStopBoundMs is killed. When none runs, the control channel that asked is answered and the
// machine is turned off or reset (system_power). See README.md.
#include "servers/startup/supervisor.h"

namespace startup {

namespace sys = stellina::sys;

namespace {

constexpr uint64_t kMillisecond = 1'000'000;

}  // namespace

void Supervisor::begin_shutdown(size_t control, uint64_t call_id, uint32_t action) {
  if (shutdown_.active) {
    const char answer[] = "error: the system is already stopping\n";
    send(controls_[control], abi::MessageKind::Data, call_id, answer, sizeof(answer) - 1);
    return;
  }
  shutdown_ = Shutdown{};
  shutdown_.active = true;
  shutdown_.action = action;
  shutdown_.control = control;
  shutdown_.call_id = call_id;
  say(log_, "{}: stopping the components", action == abi::kPowerReset ? "reboot" : "shutdown");
  // Nothing that waits starts again: a component in backoff stays down.
  for (size_t i = 0; i < count_; ++i)
    if (components_[i].state == State::Backoff) components_[i].state = State::Stopped;
  stop_next();
}

// Whether a running component other than provider requires one of its services (by name,
// or a service several drivers export that it exports).
bool Supervisor::needed_by_running(size_t provider) const {
  for (size_t client = 0; client < count_; ++client) {
    if (client == provider || components_[client].state != State::Running) continue;
    const lib::Manifest::Component& spec = components_[client].spec;
    for (size_t r = 0; r < spec.require_count; ++r) {
      const lib::Manifest::Require req = manifest_.require(client, r);
      if (req.provider == provider) return true;
      if (req.provider == lib::Manifest::kAnyDriver && exports(provider, req.service)) return true;
    }
  }
  return false;
}

// Sends Stop to the next component: the last in the manifest's (dependency) order that runs
// and that no running component requires. When none runs, turns the machine off.
void Supervisor::stop_next() {
  int64_t next = -1;
  for (size_t i = count_; i-- > 0 && next < 0;) {
    if (components_[i].state == State::Running && !needed_by_running(i))
      next = static_cast<int64_t>(i);
  }
  for (size_t i = count_; i-- > 0 && next < 0;)  // a cycle: the order is the manifest's
    if (components_[i].state == State::Running) next = static_cast<int64_t>(i);
  if (next >= 0) {
    Component& c = components_[next];
    c.stop_requested = true;
    shutdown_.waiting = true;
    shutdown_.current = static_cast<size_t>(next);
    shutdown_.deadline_ns = sys::clock_now() + kStopBoundMs * kMillisecond;
    // A driver's device stops its DMA first: when the driver ends, the last handles to the
    // memory it lent the device (a client's folio, its clients gone before it) go with it,
    // and the device must not write into pages given back.
    if (c.resource_count) stop_dma(c);
    // If Stop cannot be sent (its queue is full), it is killed at once.
    if (send(c.startup, abi::MessageKind::Stop, 0, nullptr, 0) != abi::kOk)
      shutdown_.deadline_ns = sys::clock_now();
    return;
  }
  shutdown_.waiting = false;
  const bool reset = shutdown_.action == abi::kPowerReset;
  char answer[128];
  size_t n =
      lib::format_to(answer, sizeof(answer) - 1, "ok: {} stopped, {} killed; {}", shutdown_.stopped,
                     shutdown_.killed, reset ? "resetting" : "turning off");
  say(log_, "{}", static_cast<const char*>(answer));
  answer[n++] = '\n';
  if (controls_[shutdown_.control] != abi::kInvalidHandle)
    send(controls_[shutdown_.control], abi::MessageKind::Data, shutdown_.call_id, answer, n);
  const int64_t r = sys::system_power(root_silo_, shutdown_.action);
  say(log_, "the machine did not go down: status {}", r);
  shutdown_.active = false;
}

// The component sent Stop has not ended in time.
void Supervisor::on_stop_deadline() {
  const size_t i = shutdown_.current;
  Component& c = components_[i];
  say(log_, "{} did not stop within {} ms: killed", c.spec.name, kStopBoundMs);
  shutdown_.killing = true;
  sys::process_kill(c.process);
  on_exit(i);  // if it has not ended yet, its termination arrives through the wait set
}

void Supervisor::on_stopped(size_t i) {
  if (!shutdown_.waiting || shutdown_.current != i) return;
  shutdown_.waiting = false;
  ++(shutdown_.killing ? shutdown_.killed : shutdown_.stopped);
  shutdown_.killing = false;
  stop_next();
}

}  // namespace startup
