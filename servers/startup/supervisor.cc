#include "servers/startup/supervisor.h"

namespace startup {

namespace sys = stellina::sys;

namespace {

constexpr uint64_t kMillisecond = 1'000'000;
constexpr uint32_t kMaxBackoffMs = 10'000;
// The first wait before a start that failed for lack of memory is tried again, for a spec
// without a backoff of its own (backoff_ms 0 would retry at once, again and again).
constexpr uint32_t kStartRetryMs = 100;
// A component that ran this long before failing starts over from its base backoff.
constexpr uint64_t kStableNs = 10'000 * kMillisecond;
constexpr uint32_t kWatch = abi::kSignalReadable | abi::kSignalPeerClosed;

const char* isolation_name(lib::Manifest::Isolation i) { return lib::Manifest::isolation_name(i); }

abi::Isolation spawn_isolation(lib::Manifest::Isolation i) {
  switch (i) {
    case lib::Manifest::Isolation::Kernel: return abi::Isolation::Kernel;
    case lib::Manifest::Isolation::User: return abi::Isolation::User;
    case lib::Manifest::Isolation::Wasm: return abi::Isolation::Wasm;
  }
  return abi::Isolation::User;
}

void close(abi::Handle& h) {
  if (h != abi::kInvalidHandle) sys::handle_close(h);
  h = abi::kInvalidHandle;
}

}  // namespace

int64_t send(abi::Handle ch, abi::MessageKind kind, uint64_t call_id, const void* data, size_t size,
             abi::Handle moved) {
  abi::MessageBuffer m{};
  m.kind = kind;
  m.call_id = call_id;
  m.data = const_cast<void*>(data);
  m.data_size = static_cast<uint32_t>(size);
  m.handles = &moved;
  m.handle_count = moved != abi::kInvalidHandle ? 1 : 0;
  const int64_t r = sys::channel_send(ch, &m);
  if (r != abi::kOk && moved != abi::kInvalidHandle) sys::handle_close(moved);
  return r;
}

void abort_call(abi::Handle ch, uint64_t call_id, int64_t status) {
  send(ch, abi::MessageKind::Abort, call_id, &status, sizeof(status));
}

const char* reason_name(abi::ExitReason r) {
  switch (r) {
    case abi::ExitReason::Exited: return "exited";
    case abi::ExitReason::Fault: return "fault";
    case abi::ExitReason::Killed: return "killed";
    case abi::ExitReason::QuotaExceeded: return "quota exceeded";
  }
  return "unknown";
}

const char* state_name(State s) {
  switch (s) {
    case State::Waiting: return "waiting";
    case State::Running: return "running";
    case State::Backoff: return "backoff";
    case State::Stopped: return "stopped";
    case State::Exited: return "exited";
    case State::NoDevice: return "no device";
  }
  return "?";
}

int64_t Supervisor::init(const lib::Manifest& manifest, abi::Handle log, abi::Handle root_silo,
                         abi::Handle platform) {
  make_boot_id(boot_id_);
  manifest_ = manifest;
  log_ = log;
  root_silo_ = root_silo;
  platform_ = platform;
  if (manifest.count() > kMaxComponents || manifest.silo_count() > kMaxSilos) {
    say(log_, "{} components and {} silos; at most {} and {} are supported", manifest.count(),
        manifest.silo_count(), kMaxComponents, kMaxSilos);
    return abi::kErrTooLarge;
  }
  for (size_t s = 0; s < manifest.silo_count(); ++s) {
    const lib::Manifest::Silo silo = manifest.silo(s);
    const abi::SiloLimits limits{silo.memory_pages, silo.threads, silo.cpu_percent};
    const int64_t h = sys::silo_create(root_silo_, &limits);
    if (h < 0) {
      say(log_, "silo {}: cannot create it: status {}", silo.name, h);
      return h;
    }
    silos_[s] = static_cast<abi::Handle>(h);
  }
  count_ = manifest.count();
  const int64_t poll = sys::poll_create();
  const int64_t timer = sys::timer_create();
  if (poll < 0 || timer < 0) return poll < 0 ? poll : timer;
  poll_ = static_cast<abi::Handle>(poll);
  timer_ = static_cast<abi::Handle>(timer);
  const int64_t added = sys::poll_add(poll_, timer_, abi::kSignalReadable, kTimerKey);
  if (added != abi::kOk) return added;
  for (size_t i = 0; i < count_; ++i) {
    Component& c = components_[i];
    c.spec = manifest.component(i);
    c.backoff_ms = c.spec.backoff_ms;
    // Its own silo holds it to its spec's limits, inside its group's silo if it has one.
    const bool grouped = c.spec.silo >= 0;
    const uint32_t cpu = grouped ? manifest.silo(c.spec.silo).cpu_percent : 0;
    const abi::SiloLimits limits{c.spec.memory_pages, c.spec.threads, cpu};
    const int64_t silo = sys::silo_create(grouped ? silos_[c.spec.silo] : root_silo_, &limits);
    if (silo < 0) {
      say(log_, "{}: cannot create its silo: status {}; it will not start", c.spec.name, silo);
      c.state = State::Exited;
      continue;
    }
    c.silo = static_cast<abi::Handle>(silo);
    // The device manager asks for the platform; drivers match devices, and the device
    // manager starts them with their device's resources: the startup server has none.
    for (size_t d = 0; d < c.spec.device_count; ++d) {
      if (lib::StringView(manifest.device(i, d)) == "platform") {
        c.platform = true;
      } else {
        c.state = State::NoDevice;
      }
    }
  }
  return abi::kOk;
}

bool Supervisor::add_control(abi::Handle ch) {
  for (size_t slot = 0; slot < kMaxControls; ++slot) {
    if (controls_[slot] != abi::kInvalidHandle) continue;
    if (sys::poll_add(poll_, ch, kWatch, kControlKey + slot) != abi::kOk) break;
    controls_[slot] = ch;
    return true;
  }
  sys::handle_close(ch);
  return false;
}

// The components whose specs ask for a priority above the usual start now, in the
// manifest's order; the others one at a time from the loop (start_deferred), between the
// messages it handles, so that a driver's bind or an Open of a component that came first
// does not wait for every other component's start (servers/startup/README.md, "Priorities").
void Supervisor::start_all() {
  for (size_t i = 0; i < count_; ++i) {
    Component& c = components_[i];
    if (c.state == State::Exited) continue;    // it has no silo
    if (c.state == State::NoDevice) continue;  // started when bound
    if (c.spec.priority > abi::kPriorityNormal) {
      start(i);
    } else {
      c.start_deferred = true;
      ++deferred_;
    }
  }
}

void Supervisor::start_deferred() {
  for (size_t i = 0; i < count_ && deferred_ > 0; ++i) {
    Component& c = components_[i];
    if (!c.start_deferred) continue;
    c.start_deferred = false;
    --deferred_;
    if (c.state == State::Waiting && !shutdown_.active) {
      start(i);
      return;
    }
  }
}

// Component i's config message (abi/stellina/startup.h) in out: its size, 0 if it has no
// config, or kErrTooLarge when it does not fit.
int64_t Supervisor::config_message(size_t i, char* out, size_t capacity) const {
  const size_t count = components_[i].spec.config_count;
  if (count == 0) return 0;
  size_t n = 0;
  const auto put = [&](lib::StringView text) {
    if (n + text.size() + 1 > capacity) return false;
    __builtin_memcpy(out + n, text.data(), text.size());
    out[n + text.size()] = '\0';
    n += text.size() + 1;
    return true;
  };
  bool fits = put(abi::kConfigMagic);
  for (size_t k = 0; k < count && fits; ++k) {
    const lib::Manifest::Config c = manifest_.config(i, k);
    char number[24];
    lib::StringView value;
    switch (c.type) {
      case lib::Manifest::ConfigType::Integer:
        value = {number, lib::format_to(number, sizeof(number), "{}", c.integer)};
        break;
      case lib::Manifest::ConfigType::Boolean: value = c.integer ? "true" : "false"; break;
      case lib::Manifest::ConfigType::String: value = c.string; break;
    }
    command_line_.value(manifest_, i, c.field, &value);  // NAME.KEY=VALUE replaces it
    fits = put(c.field) && put(value);
  }
  return fits ? static_cast<int64_t>(n) : abi::kErrTooLarge;
}

// Every component starts with its log, startup channel and namespace channel, in this order
// (the SDK's run() reads them so); what its spec grants (device resources, the platform)
// follows.
constexpr uint32_t kUsualHandles = 3;

// A start that failed for lack of memory (the machine's, or its silo's) is tried again after
// a backoff, as a crash is, whatever its restart policy: memory other components give back,
// or a limit raised by control, lets it start later. Any other failure leaves it exited.
int64_t Supervisor::start(size_t i) {
  Component& c = components_[i];
  if (c.start_deferred) {  // started by a command before its turn
    c.start_deferred = false;
    --deferred_;
  }
  const int64_t r = spawn(i);
  if (r == abi::kOk) return r;
  if ((r == abi::kErrNoMemory || r == abi::kErrQuotaExceeded) && !shutdown_.active) {
    if (!c.backoff_ms) c.backoff_ms = kStartRetryMs;
    say(log_, "{}: could not start: status {}; trying again in {} ms", c.spec.name, r, back_off(c));
  } else {
    say(log_, "{}: could not start: status {}", c.spec.name, r);
    c.state = State::Exited;
  }
  return r;
}

// Waits its backoff before the next start, and doubles the one after (up to kMaxBackoffMs).
// Returns the wait in ms.
uint32_t Supervisor::back_off(Component& c) {
  const uint32_t wait = c.backoff_ms;
  c.state = State::Backoff;
  c.restart_at_ns = sys::clock_now() + uint64_t{wait} * kMillisecond;
  const uint32_t doubled = wait * 2;
  c.backoff_ms = doubled > kMaxBackoffMs ? kMaxBackoffMs : doubled;
  return wait;
}

int64_t Supervisor::spawn(size_t i) {
  Component& c = components_[i];
  abi::Handle startup[2], names[2];
  if (sys::channel_create(startup) != abi::kOk) return abi::kErrNoMemory;
  if (sys::channel_create(names) != abi::kOk) {
    sys::handle_close(startup[0]);
    sys::handle_close(startup[1]);
    return abi::kErrNoMemory;
  }
  const int64_t log = sys::handle_duplicate(log_, abi::kRightWrite | abi::kRightTransfer);
  abi::SpawnRequest request{};
  request.name = c.spec.name;
  request.name_size = lib::StringView(c.spec.name).size();
  request.isolation = spawn_isolation(c.spec.isolation);
  request.handle_count = kUsualHandles;
  request.handles[0] = log < 0 ? abi::kInvalidHandle : static_cast<abi::Handle>(log);
  request.handles[1] = startup[1];
  request.handles[2] = names[1];
  // A [spawn] table: a fresh silo inside its own, with the spec's limits, that it may start
  // programs in (its fourth handle: speccc refuses [spawn] for a driver, so nothing else
  // takes that place).
  int64_t spawn = abi::kOk;
  if (c.spec.spawn_memory_pages) {
    const abi::SiloLimits limits{c.spec.spawn_memory_pages, c.spec.spawn_threads, 0};
    const int64_t made = sys::silo_create(c.silo, &limits);
    spawn = made < 0
                ? made
                : sys::handle_duplicate(static_cast<abi::Handle>(made),
                                        abi::kRightRead | abi::kRightManage | abi::kRightTransfer);
    if (made >= 0) sys::handle_close(static_cast<abi::Handle>(made));
    if (spawn >= 0) request.handles[request.handle_count++] = static_cast<abi::Handle>(spawn);
  }
  // Copies, with the rights it was bound with. All or none: the DeviceResources below names
  // them by position, so a missing one would shift the rest.
  int64_t copied = abi::kOk;
  for (uint32_t k = 0; k < c.resource_count && copied >= 0; ++k) {
    abi::HandleInfo held{};
    sys::handle_query(c.resources[k], &held);
    copied = sys::handle_duplicate(c.resources[k], held.rights);
    if (copied >= 0) request.handles[request.handle_count++] = static_cast<abi::Handle>(copied);
  }
  int64_t platform = 0;
  if (c.platform) {
    platform =
        sys::handle_duplicate(platform_, abi::kRightRead | abi::kRightManage | abi::kRightTransfer);
    if (platform >= 0) request.handles[request.handle_count++] = static_cast<abi::Handle>(platform);
  }
  // Its config, then what its devices are, queued before it runs: the SDK reads them before
  // on_start.
  char config[abi::kMaxConfigMessage];
  const int64_t config_size = config_message(i, config, sizeof(config));
  if (config_size > 0) send(startup[0], abi::MessageKind::Data, 0, config, config_size);
  if (c.platform || c.resource_count) {
    abi::DeviceResources r = c.device;
    const auto in_startup = [](uint32_t k) {
      return k == abi::kNoResource ? k : kUsualHandles + k;
    };
    r.registers = in_startup(r.registers);
    r.interrupt = in_startup(r.interrupt);
    for (uint32_t& bar : r.bars) bar = in_startup(bar);
    r.platform = c.platform ? request.handle_count - 1 : abi::kNoResource;
    send(startup[0], abi::MessageKind::Data, 0, &r, sizeof(r));
  }
  const int64_t process = log < 0           ? log
                          : config_size < 0 ? config_size
                          : spawn < 0       ? spawn
                          : copied < 0      ? copied
                          : platform < 0    ? platform
                                            : sys::process_spawn(c.silo, &request);
  if (process < 0) {
    for (abi::Handle h : {startup[0], names[0]}) sys::handle_close(h);
    for (uint32_t k = 0; k < request.handle_count; ++k)
      if (request.handles[k] != abi::kInvalidHandle) sys::handle_close(request.handles[k]);
    return process;
  }
  c.process = static_cast<abi::Handle>(process);
  set_priority(c);
  c.startup = startup[0];
  c.names = names[0];
  abi::ProcessInfo info{};
  sys::process_info(c.process, &info);
  c.process_id = info.process_id;
  const uint64_t key = kKeysPerComponent * i;
  sys::poll_add(poll_, c.process, abi::kSignalTerminated, key);
  sys::poll_add(poll_, c.startup, kWatch, key + 1);
  sys::poll_add(poll_, c.names, kWatch, key + 2);
  c.state = State::Running;
  c.started_ns = sys::clock_now();
  c.stop_requested = false;
  say(log_, "started {} ({}, process {})", c.spec.name, isolation_name(c.spec.isolation),
      c.process_id);
  connect_requirements(i);
  connect_clients(i);
  return abi::kOk;
}

// The spec's priority, given before the component has done much: it runs from its spawn at the
// usual one, so a component that asks for more gets it from about its first quantum.
void Supervisor::set_priority(const Component& c) {
  if (c.spec.priority == abi::kPriorityNormal) return;
  const int64_t r = sys::process_set_priority(c.process, c.spec.priority);
  if (r != abi::kOk)
    say(log_, "{}: priority {} refused: status {}", c.spec.name, c.spec.priority, r);
}

void Supervisor::wire(size_t provider, const char* service, size_t client, const char* field) {
  abi::Handle ends[2];
  if (sys::channel_create(ends) != abi::kOk) {
    say(log_, "no channel for {} -> {}", components_[client].spec.name, service);
    return;
  }
  abi::ConnectInfo to_provider{abi::ConnectRole::Client, {}};
  abi::ConnectInfo to_client{abi::ConnectRole::Service, {}};
  lib::format_to(to_provider.name, sizeof(to_provider.name), "{}", service);
  lib::format_to(to_client.name, sizeof(to_client.name), "{}", field);
  if (send(components_[provider].startup, abi::MessageKind::Connect, 0, &to_provider,
           sizeof(to_provider), ends[1]) != abi::kOk) {
    sys::handle_close(ends[0]);
    return;
  }
  send(components_[client].startup, abi::MessageKind::Connect, 0, &to_client, sizeof(to_client),
       ends[0]);
}

// Services are channels handed over at start; schemes ("file:") are reached through Open on
// the namespace channel instead.
void Supervisor::connect_requirements(size_t client) {
  const lib::Manifest::Component& spec = components_[client].spec;
  for (size_t r = 0; r < spec.require_count; ++r) {
    const lib::Manifest::Require req = manifest_.require(client, r);
    if (lib::StringView(req.service).ends_with(":")) continue;
    if (req.provider == lib::Manifest::kStartupServer) {
      connect_control(client, req.field);
    } else if (req.provider == lib::Manifest::kAnyDriver) {
      const int64_t driver = running_exporter(req.service, count_);
      if (driver >= 0) wire(static_cast<size_t>(driver), req.service, client, req.field);
    } else if (components_[req.provider].state == State::Running) {
      wire(req.provider, req.service, client, req.field);
    }
  }
}

// A control channel of the client's own ("control" in its requires).
void Supervisor::connect_control(size_t client, const char* field) {
  abi::Handle ends[2];
  if (sys::channel_create(ends) != abi::kOk) return;
  if (!add_control(ends[0])) {  // closed it
    say(log_, "{}: no room for another control channel", components_[client].spec.name);
    sys::handle_close(ends[1]);
    return;
  }
  abi::ConnectInfo info{abi::ConnectRole::Service, {}};
  lib::format_to(info.name, sizeof(info.name), "{}", field);
  send(components_[client].startup, abi::MessageKind::Connect, 0, &info, sizeof(info), ends[1]);
}

// The control: scheme: a fresh control channel for each Open, as "control" in requires gives
// one at start (a terminal server hands one to each program that asks).
void Supervisor::open_control(size_t client, uint64_t call_id, size_t rest_size) {
  const abi::Handle reply = components_[client].names;
  if (rest_size != 0) {  // "control:" names one resource: nothing follows
    abort_call(reply, call_id, abi::kErrNotFound);
    return;
  }
  abi::Handle ends[2];
  const int64_t created = sys::channel_create(ends);
  if (created != abi::kOk) {
    abort_call(reply, call_id, created);
    return;
  }
  if (!add_control(ends[0])) {  // closed it
    say(log_, "{}: no room for another control channel", components_[client].spec.name);
    sys::handle_close(ends[1]);
    abort_call(reply, call_id, abi::kErrNoResources);
    return;
  }
  send(reply, abi::MessageKind::OpenReply, call_id, nullptr, 0, ends[1]);
}

bool Supervisor::exports(size_t i, const char* service) const {
  for (size_t e = 0; e < components_[i].spec.export_count; ++e)
    if (lib::StringView(manifest_.export_name(i, e)) == service) return true;
  return false;
}

// The first running component other than `except` that exports the service, or -1.
int64_t Supervisor::running_exporter(const char* service, size_t except) const {
  for (size_t i = 0; i < count_; ++i) {
    if (i != except && components_[i].state == State::Running && exports(i, service))
      return static_cast<int64_t>(i);
  }
  return -1;
}

void Supervisor::connect_clients(size_t provider) {
  for (size_t client = 0; client < count_; ++client) {
    if (client == provider || components_[client].state != State::Running) continue;
    const lib::Manifest::Component& spec = components_[client].spec;
    for (size_t r = 0; r < spec.require_count; ++r) {
      const lib::Manifest::Require req = manifest_.require(client, r);
      if (lib::StringView(req.service).ends_with(":")) continue;
      // A service several drivers export: this one serves the client unless another driver
      // already does.
      const bool any = req.provider == lib::Manifest::kAnyDriver &&
                       exports(provider, req.service) &&
                       running_exporter(req.service, provider) < 0;
      if (req.provider == provider || any) wire(provider, req.service, client, req.field);
    }
  }
}

void Supervisor::close_channels(size_t i) {
  Component& c = components_[i];
  const uint64_t key = kKeysPerComponent * i;
  for (uint64_t k = 0; k < kKeysPerComponent; ++k) sys::poll_remove(poll_, key + k);
  close(c.process);
  close(c.startup);
  close(c.names);
}

void Supervisor::on_exit(size_t i) {
  Component& c = components_[i];
  abi::ProcessInfo info{};
  if (sys::process_info(c.process, &info) != abi::kOk || info.running) return;
  close_channels(i);
  fail_pending_of(i);
  if (shutdown_.active) c.stop_requested = true;  // nothing starts again while stopping
  c.has_exit = true;
  c.last_exit = info.exit;
  const bool failed = info.exit.reason != abi::ExitReason::Exited || info.exit.code != 0;
  say(log_, "{} ended: {} ({}), code {}", c.spec.name, reason_name(info.exit.reason),
      info.exit.detail, info.exit.code);
  quiesce(c);
  const auto policy = c.spec.restart;
  const bool restart =
      !c.stop_requested && (policy == lib::Manifest::Restart::Always ||
                            (policy == lib::Manifest::Restart::OnFailure && failed));
  if (c.stop_requested) {
    c.state = State::Stopped;
    on_stopped(i);
    return;
  }
  if (c.restart_requested) {
    c.restart_requested = false;
    c.backoff_ms = c.spec.backoff_ms;
    ++c.restarts;
    const int64_t r = start(i);
    if (r == abi::kOk) say(log_, "{} restarted by control (restart {})", c.spec.name, c.restarts);
    if (r != abi::kOk) say(log_, "{} could not be restarted: status {}", c.spec.name, r);
    return;
  }
  if (!restart) {
    c.state = State::Exited;
    say(log_, "{} is not restarted (policy)", c.spec.name);
    return;
  }
  if (sys::clock_now() - c.started_ns > kStableNs) c.backoff_ms = c.spec.backoff_ms;
  say(log_, "restarting {} in {} ms", c.spec.name, back_off(c));
}

// A driver ended: its device may still be doing DMA into the memory the driver gave it, which
// we hold (its "dma" messages). Stop the device first, then let the memory go. virtio-mmio:
// writing 0 to the status register resets the device. PCI: clearing bus mastering in the
// command register stops its DMA; the next driver switches it on again.
void Supervisor::quiesce(Component& c) {
  stop_dma(c);
  if (c.dma_count)
    say(log_, "{}: device stopped, {} DMA folio(s) let go", c.spec.name, c.dma_count);
  for (uint32_t k = 0; k < c.dma_count; ++k) sys::handle_close(c.dma[k]);
  c.dma_count = 0;
}

void Supervisor::stop_dma(Component& c) {
  constexpr uint32_t kVirtioMmioStatus = 0x70, kPciCommand = 0x04, kBusMaster = 1u << 2;
  uintptr_t base = 0;
  const uint32_t registers = c.device.registers;
  if (registers < c.resource_count &&
      sys::folio_map(c.resources[registers], true, &base) == abi::kOk) {
    const uint32_t offset = c.device.registers_offset;
    if (c.device.bus == abi::DeviceBus::Pci) {
      auto* command = reinterpret_cast<volatile uint32_t*>(base + kPciCommand);
      *command = (*command & 0xffff) & ~kBusMaster;  // the status half written 0: unchanged
    } else if (c.device.bus == abi::DeviceBus::VirtioMmio && offset <= 4096 - 0x200) {
      *reinterpret_cast<volatile uint32_t*>(base + offset + kVirtioMmioStatus) = 0;
    }
    sys::folio_unmap(base);
  }
}

void Supervisor::schedule_timer() {
  uint64_t earliest = 0;
  for (size_t i = 0; i < count_; ++i) {
    const Component& c = components_[i];
    if (c.state == State::Backoff && (!earliest || c.restart_at_ns < earliest))
      earliest = c.restart_at_ns;
  }
  if (shutdown_.waiting && !shutdown_.killing && (!earliest || shutdown_.deadline_ns < earliest))
    earliest = shutdown_.deadline_ns;
  // A deadline already past still fires: timer_set(0) would disarm instead.
  sys::timer_set(timer_, earliest);
}

void Supervisor::on_timer() {
  sys::timer_set(timer_, 0);
  const uint64_t now = sys::clock_now();
  if (shutdown_.waiting && !shutdown_.killing && shutdown_.deadline_ns <= now) on_stop_deadline();
  for (size_t i = 0; i < count_ && !shutdown_.active; ++i) {
    Component& c = components_[i];
    if (c.state != State::Backoff || c.restart_at_ns > now) continue;
    ++c.restarts;
    if (start(i) == abi::kOk) say(log_, "{} restarted (restart {})", c.spec.name, c.restarts);
  }
}

bool Supervisor::requires_service(size_t client, const char* service) const {
  const lib::Manifest::Component& spec = components_[client].spec;
  for (size_t r = 0; r < spec.require_count; ++r)
    if (lib::StringView(manifest_.require(client, r).service) == service) return true;
  return false;
}

void Supervisor::route_open(size_t client, uint64_t call_id, const char* uri, size_t size) {
  const abi::Handle reply = components_[client].names;
  char scheme[64];
  size_t n = 0;
  while (n < size && n + 1 < sizeof(scheme) && uri[n] != ':') scheme[n] = uri[n], ++n;
  if (n == size || uri[n] != ':' || n == 0 ||
      lib::StringView(uri, size).find('\0') != lib::StringView::kNpos) {
    abort_call(reply, call_id, abi::kErrInvalidArgument);  // no scheme, or a NUL in it
    return;
  }
  scheme[n] = ':';
  scheme[n + 1] = '\0';
  const char* name = components_[client].spec.name;
  // Schemes the startup server serves itself (abi/stellina/status.h).
  const bool status = lib::StringView(scheme) == "status:";
  const bool boot = lib::StringView(scheme) == "boot:";
  const bool serial = lib::StringView(scheme) == "serial:";
  const bool control = lib::StringView(scheme) == "control:";
  if (status || boot || serial || control) {
    if (!requires_service(client, scheme)) {
      say(log_, "{} opened '{}': not in its spec's requires", name, scheme);
      abort_call(reply, call_id, abi::kErrAccessDenied);
    } else if (status) {
      open_status(client, call_id, size - n - 1);
    } else if (serial) {
      open_serial(client, call_id, size - n - 1);
    } else if (control) {
      open_control(client, call_id, size - n - 1);
    } else {
      open_boot(client, call_id, uri + n + 1, size - n - 1);
    }
    return;
  }
  int64_t provider = -1;
  for (size_t p = 0; p < count_ && provider < 0; ++p) {
    if (exports(p, scheme)) provider = static_cast<int64_t>(p);
  }
  if (provider < 0) {
    say(log_, "{} opened '{}': no component serves that scheme", name, scheme);
    abort_call(reply, call_id, abi::kErrNotFound);
    return;
  }
  if (!requires_service(client, scheme)) {
    say(log_, "{} opened '{}': not in its spec's requires", name, scheme);
    abort_call(reply, call_id, abi::kErrAccessDenied);
    return;
  }
  Component& p = components_[provider];
  if (p.state != State::Running) {
    abort_call(reply, call_id, abi::kErrPeerClosed);
    return;
  }
  Pending* slot = nullptr;
  for (Pending& pending : pending_)
    if (!pending.used) slot = &pending;
  if (!slot) {
    abort_call(reply, call_id, abi::kErrNoResources);
    return;
  }
  // The provider learns who asks: the URI, a NUL, the client's name (a URI with a NUL of its
  // own was refused above, so no client can pose as another).
  const lib::StringView caller(name);
  if (size + 1 + caller.size() > sizeof(buffer_)) {
    abort_call(reply, call_id, abi::kErrTooLarge);
    return;
  }
  char* tail = const_cast<char*>(uri) + size;  // uri is in buffer_, with room after it
  tail[0] = '\0';
  __builtin_memcpy(tail + 1, caller.data(), caller.size());
  *slot = Pending{true, next_call_++, client, static_cast<size_t>(provider), call_id};
  const int64_t sent =
      send(p.startup, abi::MessageKind::Open, slot->id, uri, size + 1 + caller.size());
  if (sent != abi::kOk) {
    slot->used = false;
    abort_call(reply, call_id, sent);
  }
}

void Supervisor::fail_pending_of(size_t provider) {
  for (Pending& pending : pending_) {
    if (!pending.used) continue;
    if (pending.provider == provider && components_[pending.client].state == State::Running)
      abort_call(components_[pending.client].names, pending.client_call, abi::kErrPeerClosed);
    if (pending.provider == provider || pending.client == provider) pending.used = false;
  }
}

int64_t Supervisor::receive(abi::Handle ch, uint64_t key, abi::MessageBuffer& m,
                            abi::Handle (&handles)[abi::kMaxMessageHandles]) {
  m.data = buffer_;
  m.data_capacity = sizeof(buffer_);
  m.handles = handles;
  m.handle_capacity = abi::kMaxMessageHandles;
  const int64_t r = sys::channel_recv(ch, &m);
  if (r == abi::kErrPeerClosed) sys::poll_remove(poll_, key);  // nothing more will come
  return r;
}

// Open calls from a component, on its namespace channel.
void Supervisor::on_names(size_t i) {
  for (;;) {
    abi::Handle handles[abi::kMaxMessageHandles];
    abi::MessageBuffer m{};
    if (receive(components_[i].names, kKeysPerComponent * i + 2, m, handles) != abi::kOk) return;
    for (uint32_t k = 0; k < m.handle_count; ++k) sys::handle_close(handles[k]);
    if (m.kind == abi::MessageKind::Open) {
      route_open(i, m.call_id, reinterpret_cast<const char*>(buffer_), m.data_size);
    } else if (m.call_id) {
      abort_call(components_[i].names, m.call_id, abi::kErrNotSupported);
    }
  }
}

// Replies from a provider to the Opens routed to it.
void Supervisor::on_provider_message(size_t i) {
  for (;;) {
    abi::Handle handles[abi::kMaxMessageHandles];
    abi::MessageBuffer m{};
    if (receive(components_[i].startup, kKeysPerComponent * i + 1, m, handles) != abi::kOk) return;
    Pending* match = nullptr;
    for (Pending& pending : pending_)
      if (pending.used && pending.provider == i && pending.id == m.call_id) match = &pending;
    if (m.kind == abi::MessageKind::Data && components_[i].platform) {
      bind(i, m, handles);  // takes the handles
      continue;
    }
    Component& c = components_[i];
    const bool dma =
        m.kind == abi::MessageKind::Data &&
        lib::StringView(reinterpret_cast<const char*>(buffer_), m.data_size) == "dma" &&
        m.handle_count == 1;
    if (dma && c.resource_count && c.dma_count < sizeof(c.dma) / sizeof(c.dma[0])) {
      c.dma[c.dma_count++] = handles[0];  // a driver's DMA memory, kept past its end
      continue;
    }
    const bool reply = m.kind == abi::MessageKind::OpenReply || m.kind == abi::MessageKind::Abort;
    if (match && reply) {
      match->used = false;
      const abi::Handle client = components_[match->client].names;
      if (m.kind == abi::MessageKind::OpenReply && m.handle_count == 1) {
        send(client, abi::MessageKind::OpenReply, match->client_call, nullptr, 0, handles[0]);
        continue;
      }
      int64_t status = abi::kErrInvalidArgument;  // a malformed reply
      if (m.kind == abi::MessageKind::Abort && m.data_size == sizeof(status))
        __builtin_memcpy(&status, buffer_, sizeof(status));
      abort_call(client, match->client_call, status);
    }
    for (uint32_t k = 0; k < m.handle_count; ++k) sys::handle_close(handles[k]);
  }
}

namespace {

// The device for the log, its handles numbered as the driver gets them
// ("pci=00:02.0 msi=0xfee00000,0x70 bar1=5 bar4=6", "offset=0xe00").
size_t describe_device(const abi::DeviceResources& d, char* out, size_t size) {
  if (d.bus == abi::DeviceBus::VirtioMmio)
    return lib::format_to(out, size, "offset={:#x}", d.registers_offset);
  const uint32_t f = d.pci_function;
  size_t n = lib::format_to(out, size, "pci={:02x}:{:02x}.{}", f >> 8, f >> 3 & 0x1f, f & 7);
  if (d.msi_address) {
    n += lib::format_to(out + n, size - n, " msi={:#x},{:#x}", d.msi_address, d.msi_data);
  } else if (d.interrupt != abi::kNoResource) {
    n += lib::format_to(out + n, size - n, " irq={}", d.gsi);
  }
  for (uint32_t i = 0; i < 6; ++i) {
    if (d.bars[i] != abi::kNoResource)
      n += lib::format_to(out + n, size - n, " bar{}={}", i, kUsualHandles + d.bars[i]);
  }
  return n;
}

// Whether a bind's DeviceResources is whole: a known bus, a match, every handle field naming
// one of the handles that came with it, and the registers given.
bool well_formed(const abi::DeviceResources& d, uint32_t handle_count) {
  const auto given = [&](uint32_t k) { return k == abi::kNoResource || k < handle_count; };
  bool ok = d.magic == abi::kDeviceResourcesMagic && d.match[0] &&
            d.match[sizeof(d.match) - 1] == '\0' && d.platform == abi::kNoResource &&
            (d.bus == abi::DeviceBus::VirtioMmio || d.bus == abi::DeviceBus::Pci) &&
            d.registers < handle_count && given(d.interrupt);
  for (uint32_t bar : d.bars) ok = ok && given(bar);
  return ok;
}

}  // namespace

// A bind from the device manager: a DeviceResources with the device's handles. The driver
// whose spec lists its match gets them (copies at every start) and is started.
void Supervisor::bind(size_t devmgr, const abi::MessageBuffer& m, const abi::Handle* handles) {
  abi::DeviceResources d{};
  const bool whole = m.data_size == sizeof(d);
  if (whole) __builtin_memcpy(&d, buffer_, sizeof(d));
  char answer[96];
  size_t n = 0;
  int64_t driver = -1;
  if (whole && well_formed(d, m.handle_count)) {
    for (size_t j = 0; j < count_ && driver < 0; ++j) {
      if (components_[j].state != State::NoDevice) continue;
      for (size_t k = 0; k < components_[j].spec.device_count; ++k)
        if (lib::StringView(manifest_.device(j, k)) == d.match) driver = static_cast<int64_t>(j);
    }
  } else {
    d.match[0] = '\0';
  }
  if (driver < 0) {
    for (uint32_t k = 0; k < m.handle_count; ++k) sys::handle_close(handles[k]);
    n = d.match[0] ? lib::format_to(answer, sizeof(answer), "error: no driver waits for '{}'",
                                    static_cast<const char*>(d.match))
                   : lib::format_to(answer, sizeof(answer), "error: a malformed bind");
  } else {
    Component& c = components_[driver];
    for (uint32_t k = 0; k < m.handle_count; ++k) c.resources[k] = handles[k];
    c.resource_count = m.handle_count;
    c.device = d;
    c.state = State::Waiting;
    char how[128];
    describe_device(d, how, sizeof(how));
    say(log_, "{}: bound to {} by {} ({})", c.spec.name, static_cast<const char*>(d.match),
        components_[devmgr].spec.name, static_cast<const char*>(how));
    const int64_t r = start(static_cast<size_t>(driver));
    n = lib::format_to(answer, sizeof(answer), "{}: {} {}", r == abi::kOk ? "ok" : "error",
                       static_cast<const char*>(d.match), c.spec.name);
  }
  send(components_[devmgr].startup, abi::MessageKind::Data, m.call_id, answer, n);
}

int64_t Supervisor::run() {
  for (;;) {
    schedule_timer();
    abi::PollEvent events[16];
    // With starts left, only look (a deadline already past), and start one after each pass.
    const int64_t n = sys::poll_wait(poll_, events, 16, deferred_ > 0 ? 1 : 0);
    if (n < 0 && n != abi::kErrTimedOut) return n;
    for (int64_t e = 0; e < n; ++e) {
      const uint64_t key = events[e].key;
      if (key == kTimerKey) {
        on_timer();
      } else if (key >= kControlKey && key < kControlKey + kMaxControls) {
        on_control(key - kControlKey);
      } else if (key >= kStatusKey && key < kStatusKey + kMaxStatus) {
        on_status(key - kStatusKey);
      } else if (key < kKeysPerComponent * count_) {
        const size_t i = key / kKeysPerComponent;
        if (components_[i].state != State::Running) continue;  // ended earlier in this batch
        switch (key % kKeysPerComponent) {
          case 0: on_exit(i); break;
          case 1: on_provider_message(i); break;
          default: on_names(i); break;
        }
      }
    }
    if (deferred_ > 0) start_deferred();
  }
}

}  // namespace startup
