#pragma once
// Reading the component manifest (manifest.bin, written by tools/speccc; the layout is in
// tools/speccc/README.md) in freestanding code: the startup server's view of the specs.
// Everything is validated when the manifest is opened, so the accessors cannot fail.

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace lib {

class Manifest {
 public:
  enum class Isolation : uint8_t { Kernel = 0, User = 1, Wasm = 2 };
  // "kernel", "user" or "wasm", as a spec says it.
  static const char* isolation_name(Isolation isolation) {
    switch (isolation) {
      case Isolation::Kernel: return "kernel";
      case Isolation::User: return "user";
      case Isolation::Wasm: return "wasm";
    }
    return "?";
  }
  enum class Restart : uint8_t { Never = 0, OnFailure = 1, Always = 2 };
  enum class ConfigType : uint32_t { Integer = 0, Boolean = 1, String = 2 };

  struct Component {
    const char* name;
    Isolation isolation;
    Restart restart;
    int32_t silo;  // index of its silo, -1: none
    uint32_t memory_pages, threads, backoff_ms;
    uint16_t export_count, require_count, device_count, config_count;
    uint32_t first_entry;
    // Its [spawn] table: the limits of the silo it may spawn programs into; both 0: none.
    uint32_t spawn_memory_pages, spawn_threads;
    // The scheduling priority of its threads, kMinPriority to kMaxPriority (16: the usual).
    uint32_t priority;
  };
  // abi/stellina/process.h's kPriorityMin and kPriorityMax.
  static constexpr uint32_t kMinPriority = 1, kMaxPriority = 23;
  // Quotas the kernel enforces on a group of components together.
  struct Silo {
    const char* name;
    uint32_t memory_pages, threads;
    uint32_t cpu_percent;  // 1 to 100; 100: no cap
    bool own_mounts;       // its components see its mount table (silo_mount), not the system's
    uint32_t mount_count;  // entries of its own table (0 without one, or an empty one)
  };
  struct Require {
    const char* field;
    const char* service;
    uint32_t provider;  // index of the providing component (it starts earlier), or
                        // kStartupServer for the startup server's own services ("control"),
                        // or kAnyDriver for a service several drivers export: the first of
                        // them bound to a device provides it
  };
  static constexpr uint32_t kStartupServer = 0xffffffff;
  static constexpr uint32_t kAnyDriver = 0xfffffffe;
  struct Config {
    const char* field;
    ConfigType type;
    int64_t integer;     // Integer, and Boolean as 0 or 1
    const char* string;  // String
  };
  // One entry of a mount table: what a component's file: namespace shows at path. The paths
  // are absolute and normalized (no empty, "." or ".." component, no trailing '/' but for
  // "/"), within abi::kFileMaxPath bytes and abi::kFileMaxName a component.
  struct Mount {
    const char* path;     // where it is mounted; a table's entries come by path (byte
                          // order), unique, and a table that is not empty begins with "/"
    const char* service;  // the file server's service, a name [a-z][a-z0-9-]*
    const char* subtree;  // the part of its tree mounted: "" for the whole tree, else a path
    bool read_only;
  };

  // Validates the manifest in [data, data + size). Errors: InvalidArgument (magic, a bad
  // isolation, policy or config type, a provider that does not start earlier, a silo index
  // out of range, spawn limits of which one is 0, a cpu_percent outside 1 to 100, a priority
  // outside kMinPriority to kMaxPriority, a string offset
  // outside the table or without a NUL, a mount entry unlike Mount says, unknown flags), OutOfRange
  // (sizes or entry ranges that do not fit the buffer), NotSupported (another version than 5).
  static Result<Manifest> open(const uint8_t* data, size_t size);

  // Components in start order: providers before the components that require them.
  size_t count() const { return count_; }
  Component component(size_t i) const;
  const char* export_name(size_t component, size_t i) const;
  Require require(size_t component, size_t i) const;
  const char* device(size_t component, size_t i) const;
  Config config(size_t component, size_t i) const;
  // The component with this name. Errors: NotFound.
  Result<size_t> find(const char* name) const;

  // Silos, by name; component(i).silo indexes them.
  size_t silo_count() const { return silo_count_; }
  Silo silo(size_t i) const;

  // The mount table component i sees: its silo's if that silo declares one, else the
  // system's (either possibly empty: no files).
  size_t mount_count_of(size_t component) const;
  Mount mount_of(size_t component, size_t i) const;
  // The system's table (system.toml), and a silo's own (i below silo(s).mount_count).
  size_t system_mount_count() const { return system_mount_count_; }
  Mount system_mount(size_t i) const { return mount(system_first_mount_ + i); }
  Mount silo_mount(size_t silo, size_t i) const;

 private:
  const uint8_t* entry(size_t index) const { return entries_ + index * kEntrySize; }
  const char* string(uint32_t offset) const {
    return reinterpret_cast<const char*>(strings_ + offset);
  }
  Mount mount(size_t index) const;
  // Whether the count entries from first form a mount table as Mount describes.
  bool valid_mount_table(uint64_t first, uint64_t count, uint64_t strings_size) const;

  static constexpr size_t kHeaderSize = 40, kComponentSize = 44, kSiloSize = 32, kEntrySize = 16;
  const uint8_t* components_ = nullptr;
  const uint8_t* silos_ = nullptr;
  const uint8_t* entries_ = nullptr;
  const uint8_t* strings_ = nullptr;
  size_t count_ = 0;
  size_t silo_count_ = 0;
  size_t entry_count_ = 0;
  size_t system_mount_count_ = 0;
  size_t system_first_mount_ = 0;
};

}  // namespace lib
