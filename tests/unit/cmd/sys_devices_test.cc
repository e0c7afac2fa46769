#include "programs/lib/sys_devices.h"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string str(lib::StringView s) { return std::string(s.data(), s.size()); }

TEST(SysDevices, PciLines) {
  cmd::sys::DeviceLine d;
  ASSERT_TRUE(cmd::sys::parse_device_line(
      "pci 00:02.0 1af4:1041 virtio network 0xc0000000+0x4000 io 0x6000+0x20 (bound)", &d));
  EXPECT_TRUE(d.pci);
  EXPECT_EQ(str(d.address), "00:02.0");
  EXPECT_EQ(d.vendor, 0x1af4);
  EXPECT_EQ(d.device, 0x1041);
  EXPECT_EQ(str(d.name), "virtio network");
  EXPECT_EQ(str(d.resources), "0xc0000000+0x4000 io 0x6000+0x20");
  EXPECT_TRUE(d.bound);
  ASSERT_TRUE(cmd::sys::parse_device_line("pci 00:1f.2 8086:2922 SATA controller (unbound)", &d));
  EXPECT_EQ(str(d.name), "SATA controller");
  EXPECT_EQ(str(d.resources), "");
  EXPECT_FALSE(d.bound);
  EXPECT_FALSE(cmd::sys::is_block_device(d));
}

TEST(SysDevices, VirtioMmioLines) {
  cmd::sys::DeviceLine d;
  ASSERT_TRUE(cmd::sys::parse_device_line("virtio-mmio 0xfeb00e00 virtio block (bound)", &d));
  EXPECT_FALSE(d.pci);
  EXPECT_EQ(str(d.address), "0xfeb00e00");
  EXPECT_EQ(str(d.name), "virtio block");
  EXPECT_TRUE(cmd::sys::is_block_device(d));
  ASSERT_TRUE(cmd::sys::parse_device_line(
      "virtio-mmio 0xfeb00000 virtio entropy, legacy transport (unbound)", &d));
  EXPECT_EQ(str(d.name), "virtio entropy");
  EXPECT_EQ(str(d.resources), ", legacy transport");
}

TEST(SysDevices, OtherLinesAreRefused) {
  cmd::sys::DeviceLine d;
  for (const char* bad : {"", "pci", "pci 00:02.0 1af4:1041 net", "pci 0:2.0 1af4:1041 x (bound)",
                          "pci 00:02.9 1af4:1041 x (bound)", "pci 00:02.0 1af4-1041 x (bound)",
                          "pci 00:02.0 1ag4:1041 x (bound)", "pci 00:02.0 1af4:1041  (bound)",
                          "virtio-mmio feb00000 x (bound)", "isa 0x60 keyboard (bound)",
                          "pci 00:02.0 1af4:1041 (bound)"}) {
    EXPECT_FALSE(cmd::sys::parse_device_line(bad, &d)) << bad;
  }
}

TEST(SysDevices, MountLines) {
  cmd::sys::MountLine m;
  ASSERT_TRUE(cmd::sys::parse_mount_line("rootfs:/srv /srv/www rw", &m));
  EXPECT_EQ(str(m.source), "rootfs:/srv");
  EXPECT_EQ(str(m.path), "/srv/www");
  EXPECT_FALSE(m.read_only);
  ASSERT_TRUE(cmd::sys::parse_mount_line("bootfs /boot ro", &m));
  EXPECT_TRUE(m.read_only);
  for (const char* bad : {"", "bootfs /boot", "bootfs boot ro", "bootfs /boot rx", "a /b ro x"})
    EXPECT_FALSE(cmd::sys::parse_mount_line(bad, &m)) << bad;
}

TEST(SysDevices, AbsolutePaths) {
  auto abs = [](const char* cwd, const char* path, size_t capacity = 64) {
    char out[64];
    const size_t n = cmd::sys::absolute_path(cwd, path, out, capacity);
    return std::string(out, n);
  };
  EXPECT_EQ(abs("/home", "/tmp/"), "/tmp");
  EXPECT_EQ(abs("/home", "x/y"), "/home/x/y");
  EXPECT_EQ(abs("/home/a", "../b/./c//"), "/home/b/c");
  EXPECT_EQ(abs("/", "../../.."), "/");
  EXPECT_EQ(abs("/home", "."), "/home");
  EXPECT_EQ(abs("", "proc"), "/proc");
  EXPECT_EQ(abs("/", "abcdefgh", 8), "");  // does not fit
  EXPECT_EQ(abs("/", "abcdef", 8), "/abcdef");
}

}  // namespace
