#pragma once
// speccc, the component spec compiler: reads component.toml files, silo files
// (NAME.silo.toml) and the system file (system.toml), checks each one and then all of them
// together, and writes each component's typed environment header and the manifest the
// startup server reads. The format is described in README.md.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace speccc {

// A place in a spec file, for error messages.
struct Position {
  std::string file;
  uint32_t line = 1;
  uint32_t column = 1;
};

std::string to_string(const Position& at);

// Collects errors, each "FILE:LINE:COLUMN: error: WHAT (expected ...)".
class Diagnostics {
 public:
  void error(const Position& at, const std::string& what, const std::string& expected);
  // Puts the errors from index first on in line order (a TOML table iterates by key).
  void sort_from(size_t first);
  size_t count() const { return errors_.size(); }
  std::vector<std::string> lines() const;

 private:
  struct Error {
    Position at;
    std::string text;
  };
  std::vector<Error> errors_;
};

// The numbering is the manifest's.
enum class Isolation : uint8_t { kKernel = 0, kUser = 1, kWasm = 2 };
enum class RestartPolicy : uint8_t { kNever = 0, kOnFailure = 1, kAlways = 2 };

constexpr uint32_t kDefaultMemoryPages = 256;
constexpr uint32_t kDefaultThreads = 1;

// A string from a spec and where it was written.
struct Located {
  std::string text;
  Position at;
};

// requires.<key> = "<service>": env().<key> is a channel to the component exporting service.
struct Requirement {
  std::string key;
  std::string service;
  Position at;
  size_t provider = 0;  // index of the providing spec, set by resolve(); kStartupServer for
                        // the services the startup server itself provides, kAnyDriver for
                        // one several drivers export
};

// The services the startup server provides itself (no spec exports them), and the provider
// index that stands for it in Requirement and in the manifest: its control channel, and the
// schemes of abi/stellina/status.h (live system information, files of the boot archive, the
// serial port).
inline constexpr const char* kStartupServices[] = {"control",
                                                   "control:", "status:", "boot:", "serial:"};
inline constexpr size_t kStartupServer = 0xffffffff;
// The provider of a service that several drivers export (e.g. "ethernet" from virtio-net and
// e1000): whichever of them is bound to a device first.
inline constexpr size_t kAnyDriver = 0xfffffffe;

using ConfigValue = std::variant<int64_t, bool, std::string>;

struct ConfigEntry {
  std::string key;
  ConfigValue value;
};

// [spawn]: the component may start programs from files, in a silo of its own inside its
// silo, with these limits (docs/programs.md).
struct SpawnLimits {
  uint32_t memory_pages = 0;
  uint32_t threads = 0;
  Position at;  // where the table is written
};

// The scheduling priorities a spec may ask for (abi/stellina/process.h: kPriorityMin,
// kPriorityNormal, kPriorityMax).
constexpr uint32_t kNormalPriority = 16;
constexpr uint32_t kMaxPriority = 23;

struct Spec {
  std::string file;
  Located name;
  Isolation isolation = Isolation::kUser;
  Position isolation_at;  // where the isolation is written
  std::vector<Located> exports;
  std::vector<Requirement> requirements;
  std::vector<std::string> devices;
  std::vector<ConfigEntry> config;
  uint32_t memory_pages = kDefaultMemoryPages;
  uint32_t threads = kDefaultThreads;
  RestartPolicy restart = RestartPolicy::kNever;
  uint32_t backoff_ms = 0;  // 0: none
  uint32_t priority = kNormalPriority;
  std::optional<size_t> silo;  // its silo's index in the manifest, set by resolve_silos()
  std::optional<SpawnLimits> spawn;
};

constexpr uint32_t kFullCpu = 100;  // cpu_percent without a cap

// The limits of the file protocol (abi/stellina/file.h), which mount paths must respect.
constexpr size_t kMaxPath = 1024;  // bytes of a path
constexpr size_t kMaxName = 255;   // bytes of one path component

// One entry of a mount table: the file server's tree (or a subtree of it) that a
// component's file: namespace shows at path.
struct Mount {
  std::string path;     // absolute and normalized: "/", "/tmp"
  std::string service;  // the file server's service, a name some spec exports
  std::string subtree;  // absolute and normalized; "" for the whole tree
  bool read_only = false;
  Position at;  // where the source is written
};

// A mount table, by path (byte order, so "/" comes first).
using MountTable = std::vector<Mount>;

// A silo (NAME.silo.toml): components grouped under quotas that the kernel enforces.
struct Silo {
  std::string file;
  Located name;
  std::vector<Located> components;  // each listed once (a repeat is an error)
  uint32_t memory_pages = 0;
  uint32_t threads = 0;
  uint32_t cpu_percent = kFullCpu;
  // Where the limits are written; unset when one is missing or invalid, so that it is not
  // also checked against the components' needs.
  std::optional<Position> memory_pages_at;
  std::optional<Position> threads_at;
  // Its own mount table, which its components see instead of the system's; unset: none
  // (they see the system's). An empty table is a silo without files.
  std::optional<MountTable> mounts;
};

// The system file (system.toml): what holds for every component, unless its silo says
// otherwise. Without one, the system's mount table is empty.
struct System {
  std::string file;
  MountTable mounts;
};

// Reads and checks one spec. Returns nothing when it has no usable name (or is not TOML);
// other errors go to diag and still return the spec, so that the checks across specs run.
std::optional<Spec> parse_spec(const std::string& file, Diagnostics& diag);

// Whether the file is a silo spec: its name ends in ".silo.toml".
bool is_silo_file(const std::string& file);
// Reads and checks one silo spec; like parse_spec(), returns nothing without a usable name.
std::optional<Silo> parse_silo(const std::string& file, Diagnostics& diag);

// Whether the file is the system file: its name is "system.toml".
bool is_system_file(const std::string& file);
// Reads and checks the system file; nothing when it is not TOML.
std::optional<System> parse_system(const std::string& file, Diagnostics& diag);

// Checks the specs together (unique names and exports, known services, no cycles), sets
// each requirement's provider and returns the start order: spec indices, providers first,
// ties broken by name.
std::vector<size_t> resolve(std::vector<Spec>& specs, Diagnostics& diag);

// Refuses isolation = "kernel" for a component that is not built into the kernel (not in
// built_in, the names of those that are).
void check_kernel_isolation(const std::vector<Spec>& specs,
                            const std::vector<std::string>& built_in, Diagnostics& diag);
// Refuses isolation = "wasm" for a component that is not built for wasm32 (not in built).
void check_wasm_isolation(const std::vector<Spec>& specs, const std::vector<std::string>& built,
                          Diagnostics& diag);

// Checks the silos against each other and the specs: unique names, known components, each
// in one silo at most, and limits at least the sum of the components' own. Sets each
// member's Spec::silo and returns the silos' order in the manifest (by name).
std::vector<size_t> resolve_silos(std::vector<Spec>& specs, const std::vector<Silo>& silos,
                                  Diagnostics& diag);

// Checks that every mount source names a service some spec exports (as requires does).
void check_mounts(const std::vector<Spec>& specs, const System& system,
                  const std::vector<Silo>& silos, Diagnostics& diag);

// The C++ namespace of a component's generated code: stellina::components::<name, - as _>.
std::string identifier(const std::string& name);
// DIR/<name>_env.h: struct Env, a Channel per requirement and the config with its defaults.
std::string env_header(const Spec& spec);
// DIR/manifest.bin: the components in start order, the silos in silo_order, and the mount
// tables: the system's, then each silo's that has one.
std::vector<uint8_t> manifest(const std::vector<Spec>& specs, const std::vector<size_t>& order,
                              const std::vector<Silo>& silos, const std::vector<size_t>& silo_order,
                              const System& system);

}  // namespace speccc
