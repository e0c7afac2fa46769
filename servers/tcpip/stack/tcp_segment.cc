#include "servers/tcpip/stack/tcp_segment.h"

namespace tcpip {

const char* tcp_drop_name(TcpDrop drop) {
  switch (drop) {
    case TcpDrop::None: return "none";
    case TcpDrop::TooShort: return "too-short";
    case TcpDrop::TooLong: return "too-long";
    case TcpDrop::BadHeaderLength: return "bad-header-length";
    case TcpDrop::BadOptions: return "bad-options";
    case TcpDrop::BadChecksum: return "bad-checksum";
    case TcpDrop::BadPort: return "bad-port";
    case TcpDrop::BadAddress: return "bad-address";
    case TcpDrop::BadFlags: return "bad-flags";
    case TcpDrop::NoConnection: return "no-connection";
    case TcpDrop::BacklogFull: return "backlog-full";
    case TcpDrop::TableFull: return "table-full";
    case TcpDrop::NoMemory: return "no-memory";
    case TcpDrop::OutOfWindow: return "out-of-window";
    case TcpDrop::BadAck: return "bad-ack";
    case TcpDrop::BadRst: return "bad-rst";
    case TcpDrop::BadSyn: return "bad-syn";
    case TcpDrop::AfterClose: return "after-close";
    case TcpDrop::Count: break;
  }
  return "?";
}

namespace {

constexpr uint8_t kOptionEnd = 0;
constexpr uint8_t kOptionNop = 1;
constexpr uint8_t kOptionMss = 2;
constexpr uint8_t kOptionWindowScale = 3;
constexpr uint8_t kOptionSackPermitted = 4;
constexpr uint8_t kOptionTimestamps = 8;

// Options we read are checked for their exact length; others are skipped by their length byte.
bool parse_options(const uint8_t* p, size_t size, TcpSegment& out) {
  size_t i = 0;
  while (i < size) {
    const uint8_t kind = p[i];
    if (kind == kOptionEnd) return true;
    if (kind == kOptionNop) {
      ++i;
      continue;
    }
    if (i + 1 >= size) return false;
    const uint8_t length = p[i + 1];
    if (length < 2 || length > size - i) return false;
    switch (kind) {
      case kOptionMss:
        if (length != 4) return false;
        out.has_mss = true;
        out.mss = load16(p + i + 2);
        break;
      case kOptionWindowScale:
        if (length != 3) return false;
        out.has_window_shift = true;
        out.window_shift = p[i + 2] > kTcpMaxWindowShift ? kTcpMaxWindowShift : p[i + 2];
        break;
      case kOptionSackPermitted:
        if (length != 2) return false;
        break;
      case kOptionTimestamps:
        if (length != 10) return false;
        break;
      default: break;
    }
    i += length;
  }
  return true;
}

bool unicast(Ipv4 a) { return !a.any() && !a.broadcast() && (a.value >> 28) != 0xe; }

}  // namespace

TcpDrop tcp_parse(Ipv4 source, Ipv4 destination, const uint8_t* data, size_t size,
                  TcpSegment& out) {
  if (size < kTcpHeaderSize) return TcpDrop::TooShort;
  if (size > 0xffff) return TcpDrop::TooLong;
  const size_t header_size = static_cast<size_t>(data[12] >> 4) * 4;
  if (header_size < kTcpHeaderSize || header_size > size) return TcpDrop::BadHeaderLength;
  const uint32_t sum =
      pseudo_header_sum(source, destination, kTcpProtocol, static_cast<uint16_t>(size));
  if (checksum_fold(checksum_add(sum, data, size)) != 0) return TcpDrop::BadChecksum;
  if (!unicast(source) || !unicast(destination)) return TcpDrop::BadAddress;

  out = TcpSegment{};
  out.source_port = load16(data);
  out.destination_port = load16(data + 2);
  if (out.source_port == 0 || out.destination_port == 0) return TcpDrop::BadPort;
  out.seq = load32(data + 4);
  out.ack = load32(data + 8);
  out.flags = data[13] & 0x3f;
  out.window = load16(data + 14);
  if (!parse_options(data + kTcpHeaderSize, header_size - kTcpHeaderSize, out)) {
    return TcpDrop::BadOptions;
  }
  if (out.has(kTcpSyn) && (out.has(kTcpFin) || out.has(kTcpRst))) return TcpDrop::BadFlags;
  out.payload = data + header_size;
  out.payload_size = size - header_size;
  return TcpDrop::None;
}

size_t tcp_write_header(uint8_t* out, const TcpHeader& header) {
  size_t size = kTcpHeaderSize;
  if (header.mss != 0) {
    out[size] = kOptionMss;
    out[size + 1] = 4;
    store16(out + size + 2, header.mss);
    size += 4;
  }
  if (header.window_shift >= 0) {
    out[size] = kOptionNop;
    out[size + 1] = kOptionWindowScale;
    out[size + 2] = 3;
    out[size + 3] = static_cast<uint8_t>(header.window_shift);
    size += 4;
  }
  store16(out, header.source_port);
  store16(out + 2, header.destination_port);
  store32(out + 4, header.seq);
  store32(out + 8, header.ack);
  out[12] = static_cast<uint8_t>((size / 4) << 4);
  out[13] = header.flags;
  store16(out + 14, header.window);
  store16(out + 16, 0);  // checksum, filled by tcp_finish
  store16(out + 18, 0);  // urgent pointer
  return size;
}

void tcp_finish(uint8_t* segment, size_t size, Ipv4 source, Ipv4 destination) {
  store16(segment + 16, 0);
  const uint32_t sum =
      pseudo_header_sum(source, destination, kTcpProtocol, static_cast<uint16_t>(size));
  store16(segment + 16, checksum_fold(checksum_add(sum, segment, size)));
}

}  // namespace tcpip
