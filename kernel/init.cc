#include "kernel/init.h"

#include <stellina/types.h>

#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/folio.h"
#include "kernel/log.h"
#include "kernel/log_object.h"
#include "kernel/platform.h"
#include "kernel/silo.h"
#include "kernel/spawn.h"
#include "kernel/thread.h"

namespace kernel::init {

namespace abi = stellina::abi;

namespace {

// A folio holding a copy of bytes.
lib::Result<Ref<Folio>> folio_with(const lib::ByteSpan& bytes) {
  Ref<Folio> folio = Ref<Folio>::adopt(TRY(Folio::create(bytes.size)));
  for (size_t i = 0; i < folio->page_count(); ++i) {
    auto* page = static_cast<uint8_t*>(arch::phys_to_virt(folio->page(i)));
    const size_t offset = i * arch::kPageSize;
    const size_t n = bytes.size - offset < arch::kPageSize ? bytes.size - offset : arch::kPageSize;
    __builtin_memcpy(page, bytes.data + offset, n);
  }
  return folio;
}

// The startup server's scheduling priority: that of the components whose specs ask to come
// first (the path to a first HTTP answer asks for 20), whose starts and device binds it
// handles, so that the rest of the system does not hold them up.
constexpr unsigned kStartupPriority = 20;

// Reports the end of the startup server: nothing restarts components after it.
void watch_startup_server(void* arg) {
  auto* exits = static_cast<Channel*>(arg);
  SpinlockGuard guard(sched_lock);
  while (!exits->peek() && !exits->peer_closed())
    (void)wait_for_signals(exits, abi::kSignalReadable | abi::kSignalPeerClosed, 0);
  Message* m = exits->peek();
  if (!m) {  // it never started
    exits->release();
    return;
  }
  exits->remove(m);
  abi::ProcessExit exit{};
  if (m->data_size == sizeof(exit)) __builtin_memcpy(&exit, m->data, sizeof(exit));
  Message::destroy(m);
  log_error("the startup server ended ({}, code {}); components are no longer supervised",
            exit.detail, exit.code);
  exits->release();
}

}  // namespace

lib::Result<StartupChannels> start_startup_server(bool serial_console) {
  const lib::ByteSpan manifest = TRY(boot_archive_file("manifest"));
  Ref<Folio> folio = TRY(folio_with(manifest));
  // The command line, with its NUL: its NAME.KEY=VALUE words set components' config.
  const char* cmdline = boot_info().cmdline;
  size_t cmdline_size = 0;
  while (cmdline[cmdline_size]) ++cmdline_size;
  Ref<Folio> command_line =
      TRY(folio_with({reinterpret_cast<const uint8_t*>(cmdline), cmdline_size + 1}));
  Ref<Channel> ours, theirs, exits, exits_peer, serial, serial_peer;
  TRY(Channel::create_pair(&ours, &theirs));
  TRY(Channel::create_pair(&exits, &exits_peer));
  if (serial_console) TRY(Channel::create_pair(&serial, &serial_peer));
  // The boot archive to read (the boot: scheme); without it the startup server runs on, and
  // refuses boot: opens.
  auto archive = boot_archive_folio();
  Thread* watcher = TRY(Thread::create("startup-watch", watch_startup_server, exits.get()));
  const SpawnHandle handles[] = {
      // Read: the log's records, for the status: scheme. The copies it gives components
      // only write.
      {LogObject::get(),
       abi::kRightRead | abi::kRightWrite | abi::kRightDuplicate | abi::kRightTransfer},
      {theirs.get(), abi::kRightsAll},
      {&Silo::root(), abi::kRightRead | abi::kRightManage},  // the authority to spawn
      {folio.get(), abi::kRightRead | abi::kRightMap},
      // The authority over devices, for the device manager.
      {Platform::get(),
       abi::kRightRead | abi::kRightManage | abi::kRightDuplicate | abi::kRightTransfer},
      // The boot archive, never writable (a static folio: no right would make it so), so
      // it may be lent on as it is (the boot file system reads it: boot:?archive).
      {archive.ok() ? archive.value().get() : nullptr,
       abi::kRightRead | abi::kRightMap | abi::kRightDuplicate | abi::kRightTransfer},
      // The serial control channel: channels sent on it get the serial port (serial:).
      {serial_peer.get(), abi::kRightsAll},
      {command_line.get(), abi::kRightRead | abi::kRightMap},
  };
  auto process = spawn_from_archive("startup", handles, 8, exits_peer);
  watcher->detach();
  (void)exits.leak();  // the watcher's
  watcher->start();
  SpinlockGuard guard(sched_lock);
  if (process.ok()) {
    process.value()->set_priority(kStartupPriority);
    Thread::set_priority_of_all(process.value().get(), kStartupPriority);
  }
  folio = Ref<Folio>();
  command_line = Ref<Folio>();
  if (archive.ok()) archive.value() = Ref<Folio>();
  theirs = Ref<Channel>();
  exits_peer = Ref<Channel>();
  serial_peer = Ref<Channel>();
  if (!process.ok()) {
    ours = Ref<Channel>();
    serial = Ref<Channel>();
    return process.error();
  }
  process.value() = Ref<Process>();
  return StartupChannels{static_cast<Ref<Channel>&&>(ours), static_cast<Ref<Channel>&&>(serial)};
}

lib::Result<void> control(Channel* ch, const char* command, char* out, size_t capacity,
                          uint64_t timeout_ns) {
  static uint64_t next_call = 1;
  size_t size = 0;
  while (command[size]) ++size;
  Message* m = TRY(Message::create(MessageKind::Data, 0, size));
  __builtin_memcpy(m->data, command, size);
  SpinlockGuard guard(sched_lock);
  const uint64_t call = next_call++;
  m->call_id = call;
  if (auto sent = ch->send(m); !sent.ok()) {
    Message::destroy(m);
    return sent.error();
  }
  const uint64_t deadline = arch::now_ns() + timeout_ns;
  for (;;) {
    if (Message* reply = ch->peek(true, call)) {
      ch->remove(reply);
      const size_t n = reply->data_size < capacity ? reply->data_size : capacity - 1;
      __builtin_memcpy(out, reply->data, n);
      out[n] = '\0';
      Message::destroy(reply);
      return {};
    }
    if (ch->peer_closed()) return lib::Error::PeerClosed;
    (void)TRY(wait_for_signals(ch, abi::kSignalReadable | abi::kSignalPeerClosed, deadline));
  }
}

}  // namespace kernel::init
