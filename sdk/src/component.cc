#include <stellina/component.h>
#include <stellina/heap.h>

#include <new>

namespace stellina {

namespace {

constexpr uint32_t kWatch = abi::kSignalReadable | abi::kSignalPeerClosed;

// The Status an Abort or Error carries; a malformed one is itself an invalid argument.
Status status_in(const void* data, uint32_t size) {
  int64_t status = 0;
  if (size == sizeof(status)) __builtin_memcpy(&status, data, sizeof(status));
  return status < 0 ? static_cast<Status>(status) : abi::kErrInvalidArgument;
}

}  // namespace

Result<void> Channel::send(Bytes data, uint64_t call_id) const {
  return send(abi::MessageKind::Data, data, call_id, nullptr, 0);
}

Result<void> Channel::send(abi::MessageKind kind, Bytes data, uint64_t call_id, abi::Handle* moved,
                           uint32_t moved_count) const {
  abi::MessageBuffer m{};
  m.kind = kind;
  m.call_id = call_id;
  m.data = const_cast<void*>(data.data);
  m.data_size = static_cast<uint32_t>(data.size);
  m.handles = moved;
  m.handle_count = moved_count;
  return check_ok(sys::channel_send(get(), &m));
}

Result<void> Component::add_chunk() {
  const size_t chunks = slot_count_ / kSlotChunk;
  if (chunks == directory_size_) {
    const size_t size = directory_size_ * 2;
    void* memory = TRY(heap_allocate(sizeof(void*) * size));  // chunk pointers
    auto* directory = static_cast<Slot**>(memory);
    for (size_t c = 0; c < chunks; ++c) directory[c] = slot_chunks_[c];
    if (slot_chunks_ != first_directory_) heap_free(slot_chunks_);
    slot_chunks_ = directory;
    directory_size_ = size;
  }
  auto* chunk = static_cast<Slot*>(TRY(heap_allocate(sizeof(Slot) * kSlotChunk)));
  for (size_t i = 0; i < kSlotChunk; ++i) new (&chunk[i]) Slot();
  slot_chunks_[chunks] = chunk;
  slot_count_ += kSlotChunk;
  return {};
}

Result<size_t> Component::free_slot() {
  for (size_t i = free_hint_; i < slot_count_; ++i) {
    if (slot(i).watched) continue;
    free_hint_ = i + 1;
    return i;
  }
  if (slot_count_ == kMaxChannels) return abi::kErrNoResources;
  TRY(add_chunk());
  free_hint_ = slot_count_ - kSlotChunk + 1;
  return slot_count_ - kSlotChunk;
}

void Component::release_slot(size_t i) {
  if (slot(i).starved) --starved_count_;
  slot(i).starved = false;
  slot(i).watched = nullptr;
  if (i < free_hint_) free_hint_ = i;
}

Result<size_t> Component::add_slot(Channel& ch, void* context) {
  const size_t i = TRY(free_slot());
  if (auto added = check_ok(sys::poll_add(poll_.get(), ch.get(), kWatch, i)); !added.ok()) {
    if (i < free_hint_) free_hint_ = i;
    return added.error();
  }
  Slot& s = slot(i);
  s.watched = &ch;
  s.paused = s.want_writable = false;
  s.context = context;
  return i;
}

Result<Channel*> Component::listen(Channel ch, void* context) {
  const size_t i = TRY(add_slot(ch, context));
  Slot& s = slot(i);
  s.owned = static_cast<Channel&&>(ch);
  s.watched = &s.owned;
  return s.watched;
}

Result<void> Component::watch(Channel& ch, void* context) {
  TRY(add_slot(ch, context));
  return {};
}

size_t Component::slot_of(const Channel& ch) const {
  if (current_slot_ < slot_count_ && slot(current_slot_).watched == &ch) return current_slot_;
  // A channel given to listen() lives in its slot: its address says which, chunk by chunk.
  const auto at = reinterpret_cast<uintptr_t>(&ch);
  for (size_t c = 0; c < slot_count_ / kSlotChunk; ++c) {
    const auto first = reinterpret_cast<uintptr_t>(slot_chunks_[c]);
    if (at < first || at >= first + sizeof(Slot) * kSlotChunk) continue;
    const size_t i = c * kSlotChunk + (at - first) / sizeof(Slot);
    if (slot(i).watched == &ch) return i;
    break;
  }
  for (size_t i = 0; i < slot_count_; ++i)  // one the component keeps itself
    if (slot(i).watched == &ch) return i;
  return kNoSlot;
}

void* Component::context_at(size_t i) const { return i < slot_count_ ? slot(i).context : nullptr; }

void Component::unwatch(Channel& ch) {
  const size_t i = slot_of(ch);
  if (i == kNoSlot) return;
  sys::poll_remove(poll_.get(), i);
  release_slot(i);
  if (&ch == &slot(i).owned) ch.reset();
}

// Watches the slot's channel for what its state asks: messages and the peer's close unless
// paused, room in the peer's queue if wanted.
void Component::rewatch(size_t i) {
  sys::poll_remove(poll_.get(), i);
  const Slot& s = slot(i);
  const uint32_t signals =
      (s.paused || s.starved ? 0 : kWatch) | (s.want_writable ? abi::kSignalWritable : 0);
  if (signals) sys::poll_add(poll_.get(), s.watched->get(), signals, i);
}

void Component::pause(Channel& ch) {
  const size_t i = slot_of(ch);
  if (i == kNoSlot || slot(i).paused) return;
  slot(i).paused = true;
  rewatch(i);
}

void Component::resume(Channel& ch) {
  const size_t i = slot_of(ch);
  if (i == kNoSlot || !slot(i).paused) return;
  slot(i).paused = false;
  rewatch(i);
}

void Component::notify_writable(Channel& ch) {
  const size_t i = slot_of(ch);
  if (i == kNoSlot || slot(i).want_writable) return;
  slot(i).want_writable = true;
  rewatch(i);
}

void Component::on_service(const char* field, Channel ch) {
  if (!listen(static_cast<Channel&&>(ch)).ok())
    log("cannot watch service {}: too many channels", field);
}

Result<Channel> open_through(abi::Handle names, lib::StringView uri, uint64_t timeout_ns) {
  if (names == abi::kInvalidHandle) return abi::kErrNotSupported;
  static uint64_t next_call = kOpenCallFirst;
  alignas(8) char buffer[256];  // the URI out, the answer back
  if (uri.size() > sizeof(buffer)) return abi::kErrTooLarge;
  __builtin_memcpy(buffer, uri.data(), uri.size());
  abi::Handle handles[abi::kMaxMessageHandles];
  abi::MessageBuffer m{};
  m.kind = abi::MessageKind::Open;
  m.call_id = next_call++;
  m.data = buffer;
  m.data_size = static_cast<uint32_t>(uri.size());
  m.data_capacity = sizeof(buffer);
  m.handles = handles;
  m.handle_capacity = abi::kMaxMessageHandles;
  TRY(check_ok(sys::channel_call(names, &m, sys::clock_now() + timeout_ns)));
  if (m.kind == abi::MessageKind::OpenReply && m.handle_count == 1) return Channel(handles[0]);
  for (uint32_t i = 0; i < m.handle_count; ++i) sys::handle_close(handles[i]);
  if (m.kind == abi::MessageKind::Abort) return status_in(buffer, m.data_size);
  return abi::kErrInvalidArgument;
}

Result<Channel> Component::open(const char* uri, uint64_t timeout_ns) {
  return open_through(names_, lib::StringView(uri), timeout_ns);
}

void Component::log(const char* text) const {
  const lib::StringView line(text);
  sys::log_write(log_, line.data(), line.size());
}

void Component::on_error(Channel&, Status status) {
  log("a peer reported an error: {}", status_name(status));
}

void Component::on_abort(Channel&, uint64_t call_id, Status status) {
  log("call {} aborted: {}", call_id, status_name(status));
}

void Component::on_open(Channel& ch, uint64_t call_id, const char*, size_t) {
  ignore(abort(ch, call_id, abi::kErrNotFound), "a caller that left wants no answer");
}

Result<void> Component::reply_open(Channel& ch, uint64_t call_id, Channel resource) {
  abi::Handle moved = resource.release();
  auto sent = ch.send(abi::MessageKind::OpenReply, Bytes{nullptr, 0}, call_id, &moved, 1);
  if (!sent.ok()) sys::handle_close(moved);
  return sent;
}

Result<void> Component::abort(Channel& ch, uint64_t call_id, Status status) {
  const int64_t value = status;
  return ch.send(abi::MessageKind::Abort, Bytes{&value, sizeof(value)}, call_id, nullptr, 0);
}

Result<void> Component::set_timer(uint64_t deadline_ns) {
  if (!timer_.valid()) {
    timer_.reset(static_cast<abi::Handle>(TRY(check(sys::timer_create()))));
    TRY(check_ok(sys::poll_add(poll_.get(), timer_.get(), abi::kSignalReadable, kTimerKey)));
  }
  return check_ok(sys::timer_set(timer_.get(), deadline_ns));
}

Result<void> Component::watch_interrupt(abi::Handle irq) {
  interrupt_.reset(irq);
  return check_ok(sys::poll_add(poll_.get(), irq, abi::kSignalReadable, kInterruptKey));
}

Result<void> Component::ack_interrupt() {
  TRY(check_ok(sys::interrupt_ack(interrupt_.get())));
  return check_ok(
      sys::poll_add(poll_.get(), interrupt_.get(), abi::kSignalReadable, kInterruptKey));
}

abi::Handle Component::take_handle(size_t i) {
  if (!handles_ || i >= handle_count_) return abi::kInvalidHandle;
  const abi::Handle h = handles_[i];
  handles_[i] = abi::kInvalidHandle;
  return h;
}

void Component::stop(int64_t code) {
  stopping_ = true;
  exit_code_ = code;
}

void Component::forget(size_t i) {
  sys::poll_remove(poll_.get(), i);
  slot(i).watched->reset();
  release_slot(i);
  if (i == startup_slot_) {  // the parent is gone: nothing more will come
    on_stop();
    stop(0);
  }
}

// Tells of room in the peer's queue if that was asked for, then takes every queued message
// off the channel (until it is paused) and calls the handler for each.
void Component::dispatch(size_t i, uint32_t signals) {
  current_slot_ = i;
  if (slot(i).want_writable && (signals & abi::kSignalWritable)) {
    slot(i).want_writable = false;
    rewatch(i);
    Channel& ch = *slot(i).watched;
    on_writable(ch);
    if (slot(i).watched != &ch) return;  // the handler unwatched it
    if (!ch.valid()) return forget(i);
  }
  uint8_t* data = buffer_;
  while (!slot(i).paused) {
    abi::Handle handles[abi::kMaxMessageHandles];
    abi::MessageBuffer m{};
    m.data = data;
    m.data_capacity = sizeof(buffer_);
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    Channel& ch = *slot(i).watched;
    const int64_t r = sys::channel_recv(ch.get(), &m);
    if (r == abi::kErrWouldBlock) return;
    if (r == abi::kErrNoResources) {
      // The process's handle table has no room for the message's handles: the message stays
      // queued, whole, and the channel is not watched until another message was handled.
      if (slot(i).starved) return;
      if (starved_count_++ == 0)
        log("a message waits: no room in the handle table for its handles");
      slot(i).starved = true;
      return rewatch(i);
    }
    if (r != abi::kOk) {  // the peer is gone and the queue empty (or worse): let go
      on_peer_closed(ch);
      if (slot(i).watched == &ch) forget(i);
      return;
    }
    call_id_ = m.call_id;
    ++handled_;
    switch (m.kind) {
      case abi::MessageKind::Connect:
        // Only the parent (the startup channel) brings new clients and services; on any
        // other channel (a listen socket) the handler decides what to do with the channel.
        if (i == startup_slot_ && m.handle_count >= 1) {
          abi::ConnectInfo info{};
          if (m.data_size == sizeof(info)) __builtin_memcpy(&info, data, sizeof(info));
          info.name[sizeof(info.name) - 1] = '\0';
          if (info.role == abi::ConnectRole::Service) {
            on_service(info.name, Channel(handles[0]));
          } else {
            on_connect(Channel(handles[0]));
          }
        } else if (m.handle_count >= 1) {
          on_accept(ch, Channel(handles[0]), Bytes{data, m.data_size});
        }
        for (uint32_t i = 1; i < m.handle_count; ++i) sys::handle_close(handles[i]);
        break;
      case abi::MessageKind::Data:
      case abi::MessageKind::Open:
        handles_ = handles;
        handle_count_ = m.handle_count;
        if (m.kind == abi::MessageKind::Data) {
          on_data(ch, Bytes{data, m.data_size});
        } else {
          // The URI, then (routed by the startup server) a NUL and who asks.
          const lib::StringView all(reinterpret_cast<const char*>(data), m.data_size);
          const size_t end = all.find('\0');
          caller_ = end == lib::StringView::kNpos ? lib::StringView() : all.substr(end + 1);
          on_open(ch, m.call_id, all.data(), end == lib::StringView::kNpos ? all.size() : end);
          caller_ = {};
        }
        handles_ = nullptr;
        handle_count_ = 0;
        for (uint32_t i = 0; i < m.handle_count; ++i)
          if (handles[i] != abi::kInvalidHandle) sys::handle_close(handles[i]);
        break;
      case abi::MessageKind::OpenReply:
        if (m.handle_count >= 1) {
          on_open_reply(ch, m.call_id, Channel(handles[0]));
        } else {
          on_abort(ch, m.call_id, abi::kErrInvalidArgument);  // an answer without the resource
        }
        for (uint32_t i = 1; i < m.handle_count; ++i) sys::handle_close(handles[i]);
        break;
      case abi::MessageKind::Abort:
        on_abort(ch, m.call_id, status_in(data, m.data_size));
        for (uint32_t i = 0; i < m.handle_count; ++i) sys::handle_close(handles[i]);
        break;
      case abi::MessageKind::Error:
        on_error(ch, status_in(data, m.data_size));
        for (uint32_t i = 0; i < m.handle_count; ++i) sys::handle_close(handles[i]);
        break;
      case abi::MessageKind::Stop:  // only the parent may stop the component
        for (uint32_t i = 0; i < m.handle_count; ++i) sys::handle_close(handles[i]);
        if (i == startup_slot_) on_stop();
        break;
      default:  // a kind the ABI does not define: drop, with its handles
        for (uint32_t i = 0; i < m.handle_count; ++i) sys::handle_close(handles[i]);
        break;
    }
    if (slot(i).watched != &ch) return;  // the handler unwatched it
    if (!ch.valid()) {                   // the handler closed or moved it
      forget(i);
      return;
    }
    if (stopping_) return;
  }
}

int64_t Component::run(const abi::StartupBlock& startup) {
  if (startup.handle_count < 2) return -1;
  log_ = startup.handles[0];
  if (startup.handle_count > 2) names_ = startup.handles[2];
  const int64_t poll = sys::poll_create();
  if (poll < 0) return poll;
  poll_.reset(static_cast<abi::Handle>(poll));
  if (!listen(Channel(startup.handles[1])).ok()) return -1;
  startup_slot_ = 0;
  auto loaded = load_environment(startup);
  if (!loaded.ok()) {
    log("cannot read its environment: {}", status_name(loaded.error()));
    return loaded.error();
  }
  on_start();
  after_events();
  abi::PollEvent events[8];
  while (!stopping_) {
    const int64_t n = sys::poll_wait(poll_.get(), events, 8);
    const uint64_t handled_before = handled_;
    if (n < 0) return n;
    for (int64_t i = 0; i < n && !stopping_; ++i) {
      const size_t key = events[i].key;
      if (key == kTimerKey) {
        sys::timer_set(timer_.get(), 0);  // disarm (clears the signal), then tell
        on_timer();
      } else if (key == kInterruptKey) {
        // Level-triggered: stop watching until ack_interrupt, or the loop would spin.
        sys::poll_remove(poll_.get(), kInterruptKey);
        on_interrupt();
      } else if (key < slot_count_ && slot(key).watched) {
        dispatch(key, events[i].signals);
        current_slot_ = kNoSlot;
      } else {
        sys::poll_remove(poll_.get(), key);  // stale: never let it spin the loop
      }
    }
    if (!stopping_) after_events();
    // Starved channels are tried again once a message was handled in this pass (its handler
    // may have closed handles), never by a pass of their own failures: no spinning on them.
    if (starved_count_ && handled_ != handled_before) retry_starved();
  }
  return exit_code_;
}

void Component::retry_starved() {
  for (size_t i = 0; i < slot_count_ && starved_count_; ++i) {
    Slot& s = slot(i);
    if (!s.watched || !s.starved) continue;
    s.starved = false;
    --starved_count_;
    rewatch(i);
  }
}

Result<void> load_spawn_silo(const abi::StartupBlock& startup, abi::Handle* silo) {
  constexpr uint32_t kSpawnSilo = 3;  // after the log, the startup and namespace channels
  if (startup.handle_count <= kSpawnSilo) return abi::kErrNotFound;
  *silo = startup.handles[kSpawnSilo];
  return {};
}

}  // namespace stellina
