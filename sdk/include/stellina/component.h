#pragma once
// The component API. A component is a class with handlers; the event loop in run() waits on
// every channel it watches and calls the handler for what happened. Flow is plain from
// main: no threads, no coroutines.
//
//   class Echo final : public stellina::Component {
//     void on_connect(stellina::Channel ch) override { listen(static_cast<Channel&&>(ch)); }
//     void on_data(stellina::Channel& ch, stellina::Bytes data) override {
//       stellina::ignore(ch.send(data), "a client that does not read loses its echo");
//     }
//   };
//   STELLINA_COMPONENT(Echo)
//
// A component starts with three handles: the log, its startup channel, on which its parent
// (the startup server) connects clients and hands over the services it requires (Connect
// messages), and its namespace channel, where open() reaches other components by URI. The
// loop ends when the startup server sends Stop (on_stop) or the startup channel closes. Every call
// that can fail returns a
// [[nodiscard]] Result (result.h): TRY it, handle it, or ignore() it saying why (the build
// refuses a dropped one: -Werror=unused-result).
// The same source runs in user mode or inside the kernel (built with STELLINA_IN_KERNEL).

#include <stddef.h>
#include <stdint.h>

#include <stellina/device_env.h>
#include <stellina/memory.h>
#include <stellina/result.h>
#include <stellina/sys.h>

#include <lib/format.h>
#include <lib/string_view.h>

namespace stellina {

// A message's payload: bytes the sender owns.
struct Bytes {
  constexpr Bytes() = default;
  constexpr Bytes(const void* d, size_t n) : data(d), size(n) {}
  // Text, without its terminator: ch.send("list").
  constexpr Bytes(lib::StringView text)  // NOLINT(google-explicit-constructor): text is bytes
      : data(text.data()), size(text.size()) {}
  constexpr Bytes(const char* text)  // NOLINT(google-explicit-constructor): text is bytes
      : Bytes(lib::StringView(text)) {}

  // The bytes as text.
  constexpr lib::StringView text() const { return {static_cast<const char*>(data), size}; }

  const void* data = nullptr;
  size_t size = 0;
};

// An owned handle: closed when it goes out of scope.
class OwnedHandle {
 public:
  OwnedHandle() = default;
  explicit OwnedHandle(abi::Handle h) : h_(h) {}
  OwnedHandle(OwnedHandle&& o) noexcept : h_(o.release()) {}
  OwnedHandle& operator=(OwnedHandle&& o) noexcept {
    reset(o.release());
    return *this;
  }
  OwnedHandle(const OwnedHandle&) = delete;
  OwnedHandle& operator=(const OwnedHandle&) = delete;
  ~OwnedHandle() { reset(); }

  abi::Handle get() const { return h_; }
  bool valid() const { return h_ != abi::kInvalidHandle; }
  abi::Handle release() {
    const abi::Handle h = h_;
    h_ = abi::kInvalidHandle;
    return h;
  }
  void reset(abi::Handle h = abi::kInvalidHandle) {
    if (h_) sys::handle_close(h_);
    h_ = h;
  }

 private:
  abi::Handle h_ = abi::kInvalidHandle;
};

class Channel : public OwnedHandle {
 public:
  using OwnedHandle::OwnedHandle;
  // Sends a Data message. Fails with kErrWouldBlock when the peer's queue is full,
  // kErrPeerClosed when the peer is gone.
  Result<void> send(Bytes data, uint64_t call_id = 0) const;
  // Sends a message of any kind, moving the given handles with it (on failure they stay
  // with the caller).
  Result<void> send(abi::MessageKind kind, Bytes data, uint64_t call_id, abi::Handle* moved,
                    uint32_t moved_count) const;
};

// Sends Open{uri} on a namespace channel (a component's, or one a program was given) and
// waits up to timeout_ns for the resource's channel. Errors: the Abort's status,
// kErrNotSupported (names is kInvalidHandle), kErrTooLarge (a URI past 256 bytes),
// kErrTimedOut, kErrPeerClosed.
Result<Channel> open_through(abi::Handle names, lib::StringView uri, uint64_t timeout_ns);

// open_through numbers its Opens from kOpenCallFirst up. A component that sends Opens of its
// own on its namespace channel (servers/term forwards its programs') numbers them below, so
// that the answer to one is never taken for the other's.
constexpr uint64_t kOpenCallFirst = uint64_t{1} << 63;

class Component {
 public:
  // The channels a component may watch at once: its wait set's entries, less room for the
  // timer and the interrupt, in whole chunks of 64. The table behind them grows with use (a
  // chunk at a time, from the component's heap), so a component that watches a few channels
  // pays for a few.
  static constexpr size_t kMaxChannels = abi::kMaxPollEntries - 64;

  // Handlers; the defaults do nothing.
  virtual void on_start() {}
  // A client of a service this component exports.
  virtual void on_connect(Channel ch) {}
  // A channel to a service this component requires (field: its name in the spec's
  // requires): at start, and again after the provider restarted (the old channel has closed
  // and on_peer_closed has run). The default watches it.
  virtual void on_service(const char* field, Channel ch);
  virtual void on_data(Channel& ch, Bytes data) {}
  virtual void on_peer_closed(Channel& ch) {}
  // Connect{info} on a watched channel other than the startup channel (a listen socket's
  // next connection): conn is the channel it brought. The default closes it.
  virtual void on_accept(Channel& ch, Channel conn, Bytes info) {}
  // ch's peer queue has room again, after notify_writable(ch).
  virtual void on_writable(Channel& ch) {}
  // The events of one wait have been handled, and the loop is about to wait again: the place
  // for work that follows from any of them (flushing what they queued, rearming a timer).
  virtual void after_events() {}
  // Open{call_id, uri}: answer with reply_open or refuse with abort. The default refuses
  // with kErrNotFound.
  virtual void on_open(Channel& ch, uint64_t call_id, const char* uri, size_t uri_size);
  // Error{status}: the peer hit an error not tied to a call (on a socket: the connection
  // failed, and the stack closes its end next). The default logs it.
  virtual void on_error(Channel& ch, Status status);
  // Abort{call_id, status}: the peer refused or failed the call call_id that this component
  // sent on ch. The default logs it.
  virtual void on_abort(Channel& ch, uint64_t call_id, Status status);
  // OpenReply{call_id, resource}: the answer to an Open this component sent on ch itself
  // (open() waits for its own answers). The default closes the resource.
  virtual void on_open_reply(Channel& ch, uint64_t call_id, Channel resource) {}
  // The startup server asks the component to end (Stop on the startup channel: the system
  // is shutting down or rebooting). It has kStopBoundMs (2 s, servers/startup/README.md) to
  // finish what must not be lost and end the loop with stop(0); past that it is killed. The
  // default ends the loop at once. Also called when the startup channel closes (the startup
  // server is gone), after which the loop ends whatever the handler does.
  virtual void on_stop() { stop(0); }
  // The deadline given to set_timer has passed.
  virtual void on_timer() {}
  // The interrupt given to watch_interrupt fired. The line stays masked (and no further
  // on_interrupt comes) until the component has dealt with its device and calls
  // ack_interrupt().
  virtual void on_interrupt() {}

  // Answers an Open with the channel to the resource (moved to the caller; closed if the
  // answer cannot be sent).
  Result<void> reply_open(Channel& ch, uint64_t call_id, Channel resource);
  // Refuses a call with a status.
  Result<void> abort(Channel& ch, uint64_t call_id, Status status);
  // Calls on_timer once at deadline_ns (monotonic clock; sys::clock_now()); replaces any
  // earlier deadline.
  Result<void> set_timer(uint64_t deadline_ns);
  // Drivers: calls on_interrupt when the Interrupt irq fires (the loop owns the handle).
  Result<void> watch_interrupt(abi::Handle irq);
  Result<void> ack_interrupt();
  // The startup channel: the startup server (the parent) connects clients and services, and
  // answers what the component asks it, on it.
  Channel& parent() const { return *slot(startup_slot_).watched; }
  // The log handle (for code that logs without the component, as sys::log_write does).
  abi::Handle log_handle() const { return log_; }
  // The namespace channel, where open() sends its Opens.
  abi::Handle namespace_handle() const { return names_; }
  // Opens a resource by URI ("echo:", "file:/etc/motd") through the namespace channel,
  // waiting up to timeout_ns for the answer (the loop is paused meanwhile), and returns the
  // resource's channel. Errors: kErrNotFound (no component serves the scheme, or it has no
  // such resource), kErrAccessDenied (the scheme is not in the spec's requires),
  // kErrPeerClosed (its provider is restarting), kErrTimedOut.
  Result<Channel> open(const char* uri, uint64_t timeout_ns = 5'000'000'000);

  // Watches ch from now on (the loop owns it) and returns where it is kept (which never
  // moves while it is watched). context is the component's own state for the channel (a
  // connection, a client), which context_of(ch) gives back in the handlers. Fails (and
  // closes ch) with kErrNoResources when kMaxChannels are watched, or with the heap's
  // kErrQuotaExceeded or kErrNoMemory when the table must grow and cannot.
  Result<Channel*> listen(Channel ch, void* context = nullptr);
  // Watches a channel the component keeps itself (it must stay where it is and keep its
  // handle while watched); when its peer closes, the loop closes it. Fails as listen() does
  // (ch stays with the caller).
  Result<void> watch(Channel& ch, void* context = nullptr);
  // The context given when ch was listened to or watched (null if none, or ch is not
  // watched).
  template <typename T>
  T* context_of(const Channel& ch) const {
    return static_cast<T*>(context_at(slot_of(ch)));
  }
  // Stops watching ch (listened or watched); a listened channel is then gone.
  void unwatch(Channel& ch);
  // Back-pressure: after pause(ch) no message of ch is handled (they stay queued, and the
  // peer's sends fail with kErrWouldBlock once its queue is full; nor does on_peer_closed
  // run) until resume(ch). Pausing in a handler stops at the message being handled.
  void pause(Channel& ch);
  void resume(Channel& ch);
  // Calls on_writable(ch) once, when ch's peer queue has room (after a send that failed
  // with kErrWouldBlock).
  void notify_writable(Channel& ch);
  // The call id of the message being handled (0 if it came without one).
  uint64_t call_id() const { return call_id_; }
  // In on_open: the name of the component that asked, as the startup server routed the Open
  // (empty if it came another way).
  lib::StringView open_caller() const { return caller_; }
  // Takes handle i (in the order sent) of the Data or Open message being handled: the
  // component owns it from now on. The loop closes the handles that were not taken once the
  // handler returns. Returns kInvalidHandle if the message has no such handle or it was
  // taken already.
  abi::Handle take_handle(size_t i);
  // Logs a line tagged with the component's name.
  void log(const char* text) const;
  // The same, formatted as lib::format_to does ("{} answers", n).
  template <typename Arg, typename... Args>
  void log(const char* fmt, const Arg& arg, const Args&... args) const {
    char line[200];
    lib::format_to(line, sizeof(line), fmt, arg, args...);
    log(static_cast<const char*>(line));
  }
  // Ends the loop after the current handler; run() returns code.
  void stop(int64_t code);

  // The event loop. Returns the exit code.
  int64_t run(const abi::StartupBlock& startup);

 protected:
  ~Component() = default;
  // Fills the typed environment (ComponentWith: the devices it was given) before on_start.
  // A failure ends the component with that status before any handler runs.
  virtual Result<void> load_environment(const abi::StartupBlock& startup) { return {}; }

 private:
  // A watched channel's place in the loop; its index is its key in the wait set.
  struct Slot {
    Channel owned;               // a channel given to listen()
    Channel* watched = nullptr;  // owned, or the component's own; null: the slot is free
    bool paused = false;
    bool starved = false;  // unwatched: a message's handles found no room (see dispatch)
    bool want_writable = false;
    void* context = nullptr;
  };
  // Slots come in chunks that never move (listen() hands out pointers into them): the first
  // is part of the component, the rest come from its heap as more channels are watched at
  // once, through a directory that doubles when full.
  static constexpr size_t kSlotChunk = 64;
  static_assert(kMaxChannels % kSlotChunk == 0);
  static constexpr size_t kNoSlot = kMaxChannels;

  Slot& slot(size_t i) const { return slot_chunks_[i / kSlotChunk][i % kSlotChunk]; }
  // A free slot, in a new chunk if every one is taken.
  Result<size_t> free_slot();
  Result<void> add_chunk();
  void release_slot(size_t i);
  void dispatch(size_t slot, uint32_t signals);
  void retry_starved();
  void forget(size_t slot);
  size_t slot_of(const Channel& ch) const;
  void* context_at(size_t slot) const;
  Result<size_t> add_slot(Channel& ch, void* context);
  void rewatch(size_t slot);

  static constexpr uint64_t kTimerKey = kMaxChannels;  // the timer's key in the wait set
  static constexpr uint64_t kInterruptKey = kMaxChannels + 1;
  OwnedHandle interrupt_;
  abi::Handle log_ = abi::kInvalidHandle;
  abi::Handle names_ = abi::kInvalidHandle;
  OwnedHandle poll_;
  OwnedHandle timer_;
  alignas(8) uint8_t buffer_[abi::kMaxMessageData];
  Slot first_slots_[kSlotChunk];
  Slot* first_directory_[1] = {first_slots_};
  Slot** slot_chunks_ = first_directory_;  // first_directory_ or from the heap
  size_t directory_size_ = 1;              // chunk pointers slot_chunks_ has room for
  size_t slot_count_ = kSlotChunk;         // slots in the chunks made
  size_t free_hint_ = 0;                   // no slot below it is free
  size_t current_slot_ = kNoSlot;          // the one being dispatched: slot_of's first guess
  size_t startup_slot_ = 0;
  uint64_t call_id_ = 0;
  lib::StringView caller_;
  abi::Handle* handles_ = nullptr;  // those of the message being handled, while it is
  uint32_t handle_count_ = 0;
  bool stopping_ = false;
  int64_t exit_code_ = 0;
  // Messages handled so far (starved slots are tried again after a pass of the loop that
  // handled one), and the slots starved now.
  uint64_t handled_ = 0;
  size_t starved_count_ = 0;
};

// The silo a component whose spec has a [spawn] table may start programs in
// (sdk/include/stellina/spawn.h): its fourth startup handle, after the log, the startup
// channel and the namespace channel (kRightRead | kRightManage). Errors: kErrNotFound (it was
// started without one).
Result<void> load_spawn_silo(const abi::StartupBlock& startup, abi::Handle* silo);

// The config the startup server queued on the startup channel (abi/stellina/startup.h),
// read into text[0..capacity) (the string values point into it): each field is handed to
// set(env, field, value), which stores it in env's Config or refuses a value that is not of
// the field's type. No message queued (a component started otherwise) leaves the spec's
// defaults. Errors: kErrInvalidArgument (the first message is not a config, or is
// malformed, or set refused a value: a log line says which).
Result<void> load_config(const abi::StartupBlock& startup, char* text, size_t capacity,
                         bool (*set)(void* env, lib::StringView field, const char* value),
                         void* env);
// A config value as the field's type (for the generated set).
bool parse_config_value(const char* text, int64_t* value);
bool parse_config_value(const char* text, bool* value);
inline bool parse_config_value(const char* text, const char** value) {
  *value = text;
  return true;
}

// A component with the typed environment speccc generates from its spec (<name>_env.h):
// env().echo is the channel to the component that provides "echo", connected by the
// startup server at start and again after that provider restarts (when the old one closes,
// on_peer_closed runs and env().echo is invalid until then). Data on it arrives in on_data.
//
//   class Caller final : public stellina::ComponentWith<stellina::components::caller::Env> {
//     void on_service_connected(const char*) override {
//       stellina::ignore(env().echo.send("hi"), "the next ping tries again");
//     }
//   };
template <typename Env>
class ComponentWith : public Component {
 public:
  Env& env() { return env_; }
  // The channel of a requires field has been (re)connected.
  virtual void on_service_connected(const char* field) {}

 protected:
  Result<void> load_environment(const abi::StartupBlock& startup) override {
    return env_.load(startup);
  }
  void on_service(const char* field, Channel ch) override {
    Channel* slot = env_.service(field);
    if (!slot) return;  // not in the spec: ch closes here
    unwatch(*slot);
    *slot = static_cast<Channel&&>(ch);
    if (!watch(*slot).ok()) {
      log("cannot watch service {}: too many channels", field);
      return;
    }
    on_service_connected(field);
  }

 private:
  Env env_;
};

// Runs component T: in user mode as the program's main, inside the kernel as an entry in
// the kernel's component table under STELLINA_COMPONENT_NAME. The component itself, with
// whatever tables it holds, is made afresh at every start in memory charged to its silo: in
// user mode in the program's bss, whose pages are charged as they are first touched (a table
// used in part costs only that part); inside the kernel, where nothing is demand-paged, in
// pages from allocate_pages, all charged at start. Either way the kernel image never
// carries it, and it is made on zeroed memory without writing it all again (see
// allocate_object).
#if defined(STELLINA_IN_KERNEL)
#define STELLINA_COMPONENT_STORAGE(T)                \
  auto component = ::stellina::allocate_object<T>(); \
  if (!component.ok()) return component.error();
#else
#define STELLINA_COMPONENT_STORAGE(T)                 \
  alignas(T) static unsigned char storage[sizeof(T)]; \
  ::stellina::Result<T*> component = new (storage) T;
#endif
#define STELLINA_COMPONENT_RUN(T)                                                       \
  static int64_t stellina_component_run(const ::stellina::abi::StartupBlock& startup) { \
    STELLINA_COMPONENT_STORAGE(T)                                                       \
    return component.value()->run(startup);                                             \
  }

}  // namespace stellina

#include <new>

#if defined(STELLINA_IN_KERNEL)
#include <stellina/kernel_component.h>
#define STELLINA_COMPONENT(T)                                                          \
  STELLINA_COMPONENT_RUN(T)                                                            \
  [[gnu::used, gnu::section(".kcomponents")]] static const ::stellina::KernelComponent \
      stellina_kernel_component = {STELLINA_COMPONENT_NAME, stellina_component_run};
#else
#define STELLINA_COMPONENT(T)                                           \
  STELLINA_COMPONENT_RUN(T)                                             \
  int64_t stellina_main(const ::stellina::abi::StartupBlock& startup) { \
    return stellina_component_run(startup);                             \
  }
#endif
