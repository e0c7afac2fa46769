#pragma once
// The startup server's state: one record per component of the manifest, the Open calls it
// is routing, and the control channels it answers. Everything happens on one event loop.

#include <stellina/device.h>
#include <stellina/process.h>
#include <stellina/silo.h>
#include <stellina/startup.h>
#include <stellina/status.h>
#include <stellina/sys.h>

#include <lib/archive.h>
#include <lib/format.h>
#include <lib/manifest.h>
#include <lib/string_view.h>

#include "servers/startup/boot_id.h"
#include "servers/startup/config.h"

namespace startup {

namespace abi = stellina::abi;

// Logs a formatted line through the log handle.
template <typename... Args>
void say(abi::Handle log, const char* fmt, const Args&... args) {
  char line[200];
  const size_t n = lib::format_to(line, sizeof(line), fmt, args...);
  stellina::sys::log_write(log, line, n < sizeof(line) ? n : sizeof(line) - 1);
}

enum class State : uint8_t {
  Waiting,   // not started yet
  Running,   // its process runs
  Backoff,   // ended; restarts at restart_at
  Stopped,   // stopped by a control command; starts again only when told
  Exited,    // ended, and its policy does not restart it
  NoDevice,  // a driver whose device the device manager has not bound (yet)
};
const char* state_name(State s);
// Sends a message moving `moved` (if valid); closes it if the send fails.
int64_t send(abi::Handle ch, abi::MessageKind kind, uint64_t call_id, const void* data, size_t size,
             abi::Handle moved = abi::kInvalidHandle);
// Refuses a call: Abort{status}.
void abort_call(abi::Handle ch, uint64_t call_id, int64_t status);
const char* reason_name(abi::ExitReason r);

struct Component {
  lib::Manifest::Component spec;
  State state = State::Waiting;
  bool start_deferred = false;  // start_all left it to the loop (start_deferred)
  abi::Handle process = abi::kInvalidHandle;
  abi::Handle startup = abi::kInvalidHandle;  // our end of its startup channel
  abi::Handle names = abi::kInvalidHandle;    // our end of its namespace channel (Open)
  abi::Handle silo = abi::kInvalidHandle;     // its own silo, inside its group's if any
  bool platform = false;  // its spec's devices = ["platform"]: it gets the platform handle
  // A driver's device resources, bound by the device manager; each start gets copies.
  abi::Handle resources[abi::kMaxMessageHandles] = {};
  uint32_t resource_count = 0;
  // Where its device is (abi/stellina/device.h), the handle fields indices into resources.
  abi::DeviceResources device = {};
  // Its DMA memory ("dma" messages): kept until its device is quiesced after it ends.
  abi::Handle dma[4] = {};
  uint32_t dma_count = 0;
  uint64_t process_id = 0;
  uint64_t started_ns = 0;
  uint64_t restart_at_ns = 0;
  uint32_t backoff_ms = 0;  // the next restart's delay (doubles while it keeps failing)
  uint32_t restarts = 0;
  bool stop_requested = false;     // the exit in progress was asked for by stop
  bool restart_requested = false;  // ... or by restart: start again at once
  bool has_exit = false;
  abi::ProcessExit last_exit = {};
};

class Supervisor {
 public:
  static constexpr size_t kMaxComponents = 32;  // 3 poll entries each: with the controls
                                                // and the timer, 113 of kMaxPollEntries
  static constexpr size_t kMaxControls = 16;
  static constexpr size_t kMaxPending = 32;
  static constexpr size_t kMaxSilos = 8;    // silos declared in the specs
  static constexpr size_t kMaxStatus = 16;  // status: channels open at once
  // Files of the boot archive copied once for boot: (by their index in the archive), and
  // listings made once (by directory); each copy is kept and lent again to every later Open
  // of the same path. Beyond these, a copy is made for every Open.
  static constexpr size_t kMaxBootCache = 256;
  static constexpr size_t kMaxBootListings = 16;
  // How long a component has to end after Stop (shutdown, reboot) before it is killed.
  static constexpr uint64_t kStopBoundMs = 2000;

  // root_silo: the silo everything is started in (kRightManage); platform: the authority
  // over devices, for the component whose spec asks for it (the device manager).
  int64_t init(const lib::Manifest& manifest, abi::Handle log, abi::Handle root_silo,
               abi::Handle platform);
  // A channel on which control commands arrive (Data, text; see README.md).
  bool add_control(abi::Handle ch);
  // The boot archive (a read-only folio from the kernel), served as boot:. Without it,
  // boot: Opens are refused with kErrNotSupported. Returns the status of mapping it.
  int64_t set_boot_archive(abi::Handle folio);
  // The serial control channel to the kernel console, served as serial:. Without it
  // (kInvalidHandle), serial: Opens are refused with kErrNotSupported.
  void set_serial(abi::Handle ch) { serial_ = ch; }
  // The kernel command line, whose NAME.KEY=VALUE words set components' config (config.h);
  // checked against the manifest and logged here, so after init.
  void set_command_line(const char* text, size_t size) {
    command_line_.init(text, size, manifest_, log_);
  }
  void start_all();
  // Starts the next component start_all left to the loop, if one is left.
  void start_deferred();
  int64_t run();

 private:
  // Poll keys: component i uses kKeysPerComponent * i + (0 process, 1 startup, 2 names).
  static constexpr uint64_t kKeysPerComponent = 3;
  static constexpr uint64_t kTimerKey = 1000;
  static constexpr uint64_t kControlKey = 2000;  // + the control's slot
  static constexpr uint64_t kStatusKey = 3000;   // + the status channel's slot

  struct Pending {  // an Open being routed
    bool used;
    uint64_t id;  // the call id towards the provider
    size_t client, provider;
    uint64_t client_call;
  };

  // Lifecycle.
  // Starts component i; on failure it is in Backoff (lack of memory) or Exited.
  int64_t start(size_t i);
  int64_t spawn(size_t i);  // start's process and channels: the status
  uint32_t back_off(Component& c);
  int64_t config_message(size_t i, char* out, size_t capacity) const;
  void on_exit(size_t i);
  void close_channels(size_t i);
  void schedule_timer();
  void on_timer();
  // Gives a component just started its spec's scheduling priority.
  void set_priority(const Component& c);
  // Wiring: a fresh channel between a provider's service and a client's field.
  void wire(size_t provider, const char* service, size_t client, const char* field);
  void connect_requirements(size_t client);
  bool exports(size_t i, const char* service) const;
  void quiesce(Component& c);
  // Stops the DMA of a driver's device (quiesce without letting its memory go).
  void stop_dma(Component& c);
  int64_t running_exporter(const char* service, size_t except) const;
  void connect_clients(size_t provider);
  void connect_control(size_t client, const char* field);
  // Takes the next message off ch (watched under key) into buffer_ and handles; stops
  // watching ch once its peer has closed and its queue is empty. Returns the status.
  int64_t receive(abi::Handle ch, uint64_t key, abi::MessageBuffer& m,
                  abi::Handle (&handles)[abi::kMaxMessageHandles]);
  // The router.
  void on_names(size_t i);
  void on_provider_message(size_t i);
  void route_open(size_t client, uint64_t call_id, const char* uri, size_t size);
  void fail_pending_of(size_t provider);
  // Binding: the device manager asks for the driver of a device ("bind MATCH").
  void bind(size_t devmgr, const abi::MessageBuffer& m, const abi::Handle* handles);
  // Stopping the system (shutdown.cc): every component is sent Stop in turn, clients before
  // their providers, and killed if it has not ended within kStopBoundMs; then the machine is
  // turned off or reset (system_power), and the control channel that asked is answered.
  void begin_shutdown(size_t control, uint64_t call_id, uint32_t action);
  void stop_next();
  bool needed_by_running(size_t provider) const;
  void on_stop_deadline();
  void on_stopped(size_t i);  // from on_exit: component i has ended
  // Control.
  void on_control(size_t slot);
  size_t execute(const char* command, char* out, size_t capacity);
  size_t describe(char* out, size_t capacity) const;
  int64_t find(const char* name) const;
  size_t describe_silos(char* out, size_t capacity) const;
  size_t set_limits(size_t i, const char* pages, const char* threads, char* out, size_t capacity);

  bool requires_service(size_t client, const char* service) const;

  // The startup server's own schemes (abi/stellina/status.h), status.cc, boot.cc and
  // serial.cc.
  // rest_size: the bytes after "status:" (none are allowed).
  void open_status(size_t client, uint64_t call_id, size_t rest_size);
  void on_status(size_t slot);
  size_t status_command(const char* command, char* out, size_t capacity);
  size_t status_components(char* out, size_t capacity) const;
  size_t status_processes(char* out, size_t capacity) const;
  size_t status_memory(char* out, size_t capacity) const;
  size_t status_log(const char* count, char* out, size_t capacity);
  void open_boot(size_t client, uint64_t call_id, const char* path, size_t size);
  // A folio (all rights) holding the file or listing, and its size in *size; or the status.
  int64_t boot_file(const char* path, uint64_t* size);
  int64_t boot_listing(const char* dir, uint64_t* size);
  // Answers an Open with a fresh channel on which one Data{BootFile} with the folio (moved)
  // is queued, the other end closed.
  void lend_boot_file(size_t client, uint64_t call_id, abi::Handle folio, uint64_t size);
  // serial.cc: a fresh channel, one end to the kernel console (which gives it the port), the
  // other in the OpenReply. rest_size: the bytes after "serial:" (none are allowed).
  void open_serial(size_t client, uint64_t call_id, size_t rest_size);
  void open_control(size_t client, uint64_t call_id, size_t rest_size);

  struct Shutdown {
    bool active = false;
    uint32_t action = 0;  // abi::kPowerOff or abi::kPowerReset
    size_t control = 0;   // the control slot that asked, answered at the end
    uint64_t call_id = 0;
    bool waiting = false;  // components_[current] was sent Stop and has not ended yet
    size_t current = 0;
    uint64_t deadline_ns = 0;  // when it is killed
    bool killing = false;      // it was killed, and its end has not been seen yet
    uint32_t stopped = 0;      // ended after Stop
    uint32_t killed = 0;       // killed at the deadline
  };
  Shutdown shutdown_;

  lib::Manifest manifest_;
  CommandLineConfig command_line_;
  abi::Handle log_ = abi::kInvalidHandle;
  abi::Handle root_silo_ = abi::kInvalidHandle;
  abi::Handle platform_ = abi::kInvalidHandle;
  abi::Handle silos_[kMaxSilos] = {};  // the declared silos, as the manifest lists them
  abi::Handle poll_ = abi::kInvalidHandle;
  abi::Handle timer_ = abi::kInvalidHandle;
  Component components_[kMaxComponents];
  size_t count_ = 0;
  size_t deferred_ = 0;  // components start_all left to the loop
  abi::Handle controls_[kMaxControls] = {};
  Pending pending_[kMaxPending] = {};
  uint64_t next_call_ = 1;
  alignas(8) uint8_t buffer_[abi::kMaxMessageData];
  abi::Handle statuses_[kMaxStatus] = {};
  abi::LogEntry log_entries_[abi::kMaxStatusLogLines];  // status: log N, read here
  lib::BootArchive archive_;
  bool have_archive_ = false;
  abi::Handle archive_folio_ = abi::kInvalidHandle;  // the kernel's, mapped
  abi::Handle boot_cache_[kMaxBootCache] = {};
  struct BootListing {
    char dir[lib::BootArchive::kNameSize];
    abi::Handle folio;  // kInvalidHandle: a free slot
    uint64_t size;
  };
  BootListing boot_listings_[kMaxBootListings] = {};
  abi::Handle serial_ = abi::kInvalidHandle;  // the serial control channel (kernel console)
  char boot_id_[kBootIdSize] = {};            // status: boot_id (boot_id.h), made by init
};

}  // namespace startup
