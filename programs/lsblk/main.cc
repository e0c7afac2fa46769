// lsblk: the block devices the device manager found (/proc/devices: no size is known there),
// then the file systems mounted from disks with their sizes (statfs: blocks times block
// size), and with -a every mount.
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: lsblk [-a] [-b]\n"
    "  -a  every mounted file system, not only those on disks\n"
    "  -b  sizes in bytes\n";

constexpr size_t kTableBytes = 8192;  // procfs's largest view
char devices[kTableBytes];
char table[stellina::abi::kMaxMessageData];

constexpr lib::StringView kDiskTypes[] = {"ext2",  "ext3",  "ext4", "fat12",
                                          "fat16", "fat32", "vfat"};

constexpr const char* kRow = "{:<16} {:<5} {:>8} {:>2} {:<7} {}\n";

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "ab");
  bool all = false, bytes = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
    all = all || opt == 'a';
    bytes = bytes || opt == 'b';
  }
  if (o.index() < p.argc()) {
    c.error("extra operand '{}'", p.arg(o.index()));
    return c.usage_error();
  }
  c.out().print(kRow, "NAME", "TYPE", "SIZE", "RO", "FSTYPE", "MOUNTPOINT");
  int64_t code = 0;
  size_t size = 0;
  if (cmd::sys::read_whole(c, "/proc/devices", devices, sizeof(devices), &size)) {
    cmd::sys::Lines lines(lib::StringView(devices, size));
    for (lib::StringView line; lines.next(&line);) {
      cmd::sys::DeviceLine d;
      if (!cmd::sys::parse_device_line(line, &d) || !cmd::sys::is_block_device(d)) continue;
      char name[48];
      lib::format_to(name, sizeof(name), "{}{}", d.pci ? "pci-" : "mmio-", d.address);
      c.out().print(kRow, static_cast<const char*>(name), "disk", "-", "-", "",
                    d.bound ? "(driver bound)" : "(no driver)");
    }
  } else {
    code = 1;
  }
  lib::StringView mounts;
  if (!cmd::sys::read_mounts(c, table, &mounts)) return c.finish(1);
  cmd::sys::Lines lines(mounts);
  for (lib::StringView line; lines.next(&line);) {
    cmd::sys::MountLine m;
    if (!cmd::sys::parse_mount_line(line, &m)) continue;
    const stellina::Result<stellina::abi::FileSystemStat> st = p.files().statfs(m.path);
    if (!st.ok()) {
      if (all) c.out().print(kRow, m.source, "fs", "?", m.read_only ? "1" : "0", "?", m.path);
      continue;
    }
    char type[sizeof(st.value().type) + 1] = {};
    __builtin_memcpy(type, st.value().type, sizeof(st.value().type));
    bool disk = false;
    for (const lib::StringView t : kDiskTypes) disk = disk || t == lib::StringView(type);
    if (!disk && !all) continue;
    const uint64_t total = st.value().block_size * st.value().blocks;
    char text[32];
    if (bytes) {
      lib::format_to(text, sizeof(text), "{}", total);
    } else {
      cmd::sys::format_human(total, text, sizeof(text));
    }
    c.out().print(kRow, m.source, disk ? "part" : "fs", static_cast<const char*>(text),
                  m.read_only || st.value().read_only ? "1" : "0", static_cast<const char*>(type),
                  m.path);
  }
  return c.finish(code);
}
