#include "programs/lib/sys_devices.h"

#include "programs/lib/sys_status.h"

namespace cmd::sys {

namespace {

bool hex16(lib::StringView s, uint16_t* out) {
  if (s.size() != 4) return false;
  uint16_t v = 0;
  for (const char c : s) {
    const int d = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
    if (d < 0) return false;
    v = static_cast<uint16_t>(v * 16 + d);
  }
  *out = v;
  return true;
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

bool parse_device_line(lib::StringView line, DeviceLine* out) {
  DeviceLine d;
  lib::StringView rest;
  if (line.starts_with("pci ")) {
    d.pci = true;
    rest = line.substr(4);
  } else if (line.starts_with("virtio-mmio ")) {
    rest = line.substr(12);
  } else {
    return false;
  }
  // The state at the end.
  if (rest.ends_with(" (bound)")) {
    d.bound = true;
    rest = rest.substr(0, rest.size() - 8);
  } else if (rest.ends_with(" (unbound)")) {
    rest = rest.substr(0, rest.size() - 10);
  } else {
    return false;
  }
  size_t space = rest.find(' ');
  if (space == lib::StringView::kNpos || space == 0) return false;
  d.address = rest.substr(0, space);
  rest = rest.substr(space + 1);
  if (d.pci) {
    const lib::StringView a = d.address;  // BB:DD.F
    if (a.size() != 7 || a[2] != ':' || a[5] != '.' || !is_hex_digit(a[0]) || !is_hex_digit(a[1]) ||
        !is_hex_digit(a[3]) || !is_hex_digit(a[4]) || a[6] < '0' || a[6] > '7') {
      return false;
    }
    if (rest.size() < 10 || rest[4] != ':' || rest[9] != ' ' ||
        !hex16(rest.substr(0, 4), &d.vendor) || !hex16(rest.substr(5, 4), &d.device)) {
      return false;
    }
    rest = rest.substr(10);
  } else if (!d.address.starts_with("0x")) {
    return false;
  }
  // The name ends where the resources begin.
  size_t end = rest.size();
  static constexpr lib::StringView kMarkers[] = {" 0x", " io 0x", ", legacy transport"};
  for (const lib::StringView marker : kMarkers) {
    const size_t at = rest.find(marker);
    if (at != lib::StringView::kNpos && at < end) end = at;
  }
  d.name = rest.substr(0, end);
  d.resources = rest.substr(end);
  if (d.resources.starts_with(" ")) d.resources = d.resources.substr(1);
  if (d.name.empty()) return false;
  *out = d;
  return true;
}

bool is_block_device(const DeviceLine& d) {
  return d.name == "virtio block" || d.name == "virtio SCSI" || d.name == "NVM controller";
}

bool parse_mount_line(lib::StringView line, MountLine* out) {
  lib::StringView w[3];
  if (split_words(line, w, 3) != 3 || !w[1].starts_with("/")) return false;
  if (w[2] != "ro" && w[2] != "rw") return false;
  out->source = w[0];
  out->path = w[1];
  out->read_only = w[2] == "ro";
  return true;
}

size_t absolute_path(lib::StringView cwd, lib::StringView path, char* out, size_t capacity) {
  if (capacity < 2) return 0;
  size_t n = 0;
  out[n++] = '/';
  // Components of cwd (when path is relative), then of path.
  for (int part = path.starts_with("/") ? 1 : 0; part < 2; ++part) {
    const lib::StringView text = part == 0 ? cwd : path;
    for (size_t i = 0; i < text.size();) {
      size_t end = text.find('/', i);
      if (end == lib::StringView::kNpos) end = text.size();
      const lib::StringView c = text.substr(i, end - i);
      i = end + 1;
      if (c.empty() || c == ".") continue;
      if (c == "..") {
        while (n > 1 && out[n - 1] != '/') --n;  // drop the last component
        if (n > 1) --n;                          // and its '/'
        continue;
      }
      if (n > 1) {
        if (n + 1 >= capacity) return 0;
        out[n++] = '/';
      }
      if (n + c.size() >= capacity) return 0;
      __builtin_memcpy(out + n, c.data(), c.size());
      n += c.size();
    }
  }
  return n;
}

}  // namespace cmd::sys
