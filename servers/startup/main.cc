// The startup server: the first user process. It reads the component manifest, starts every
// component in dependency order in its declared isolation, wires the channels the specs call
// for, routes Open{uri} by scheme, supervises (restarts with backoff, per policy) and answers
// control commands. See servers/startup/README.md.
//
// Its handles, from the kernel: 0 the log (write, and read for status:), 1 the console's
// control channel, 2 the root silo (the authority to spawn), 3 the manifest (a folio), 4 the
// platform (devices), 5 the boot archive (a read-only folio, for boot:), 6 the serial control
// channel (the kernel console's port, for serial:), 7 the kernel command line (a folio of
// text ending in a NUL, for config.h). 5, 6 and 7 may be kInvalidHandle.
#include <stellina/sys.h>

#include <lib/format.h>
#include <lib/manifest.h>

#include "servers/startup/supervisor.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;

namespace {

// Hands the kernel command line (handle 7: a folio, its text ending in a NUL) to supervisor.
void read_command_line(abi::Handle folio, startup::Supervisor& supervisor) {
  uintptr_t mapped = 0;
  if (folio == abi::kInvalidHandle || sys::folio_map(folio, false, &mapped) < 0) return;
  const auto* text = reinterpret_cast<const char*>(mapped);
  size_t size = 0;
  while (size + 1 < startup::CommandLineConfig::kMaxCommandLine && text[size]) ++size;
  supervisor.set_command_line(text, size);
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 4) return -1;
  const abi::Handle log = startup.handles[0];
  const abi::Handle console = startup.handles[1];
  const abi::Handle root_silo = startup.handles[2];
  const abi::Handle manifest_folio = startup.handles[3];
  const abi::Handle platform = startup.handle_count > 4 ? startup.handles[4] : abi::kInvalidHandle;
  const abi::Handle archive = startup.handle_count > 5 ? startup.handles[5] : abi::kInvalidHandle;
  const abi::Handle serial = startup.handle_count > 6 ? startup.handles[6] : abi::kInvalidHandle;
  const abi::Handle command_line =
      startup.handle_count > 7 ? startup.handles[7] : abi::kInvalidHandle;

  uintptr_t mapped = 0;
  const int64_t status = sys::folio_map(manifest_folio, false, &mapped);
  if (status < 0) {
    startup::say(log, "cannot map the manifest ({})", status);
    return -1;
  }
  // The folio is at least as large as the manifest, whose header gives its exact size.
  const auto* bytes = reinterpret_cast<const uint8_t*>(mapped);
  const uint32_t size = static_cast<uint32_t>(bytes[24]) | static_cast<uint32_t>(bytes[25]) << 8 |
                        static_cast<uint32_t>(bytes[26]) << 16 |
                        static_cast<uint32_t>(bytes[27]) << 24;
  auto manifest = lib::Manifest::open(bytes, size);
  if (!manifest.ok()) {
    startup::say(log, "manifest refused: {}", lib::error_name(manifest.error()));
    return -1;
  }

  static startup::Supervisor supervisor;
  const int64_t r = supervisor.init(manifest.value(), log, root_silo, platform);
  if (r != abi::kOk) return r;
  if (archive == abi::kInvalidHandle) {
    startup::say(log, "no boot archive from the kernel: boot: is not served");
  } else if (const int64_t lent = supervisor.set_boot_archive(archive); lent != abi::kOk) {
    startup::say(log, "cannot read the boot archive ({}): boot: is not served", lent);
  }
  if (serial == abi::kInvalidHandle) startup::say(log, "no serial console: serial: is refused");
  supervisor.set_serial(serial);
  read_command_line(command_line, supervisor);
  supervisor.add_control(console);
  supervisor.start_all();
  return supervisor.run();
}
