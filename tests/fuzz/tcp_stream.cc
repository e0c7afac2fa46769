// The TCP engine (servers/tcpip/stack) against a hostile peer on an established connection:
// the input is a script of segments (any sequence and acknowledgement numbers near or far
// from the window, any flags, raw option bytes, payloads cut anywhere, overlapping,
// duplicated and out of order), reads, writes and the passing of time. The peer's stream
// byte at offset o is always pattern(o), whichever segment carries it, so reassembly is
// checked exactly: every byte read must be the stream's next byte, none lost, none invented.
#include <cstring>
#include <vector>

#include "servers/tcpip/stack/tcp.h"
#include "tests/fuzz/heap_memory.h"
#include "tests/fuzz/script.h"

namespace {

using fuzz::check;
using fuzz::Script;
using tcpip::Ipv4;

const Ipv4 kLocal = Ipv4::of(10, 0, 0, 1);
const Ipv4 kPeer = Ipv4::of(10, 0, 0, 2);
constexpr uint16_t kPort = 80;
constexpr uint16_t kPeerPort = 40000;
constexpr uint32_t kPeerIsn = 0xfffff000;  // the stream wraps around 2^32 early
constexpr size_t kSlots = 2;

uint8_t pattern(uint32_t offset) { return static_cast<uint8_t>(offset * 7 + (offset >> 8)); }

class Wire final : public tcpip::TcpOutput {
 public:
  lib::Result<void> send(Ipv4 source, Ipv4 destination, const uint8_t* segment,
                         size_t size) override {
    tcpip::TcpSegment seg;
    // What the engine sends must itself be well-formed.
    check(tcpip::tcp_parse(source, destination, segment, size, seg) == tcpip::TcpDrop::None);
    check(seg.payload_size <= tcpip::kTcpMaxMss);
    last = seg;
    ++count;
    return {};
  }
  tcpip::TcpSegment last;
  size_t count = 0;
};

// A segment from the peer: header fields, raw options (padded to 4 bytes) and payload.
std::vector<uint8_t> segment(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
                             const uint8_t* options, size_t option_bytes, const uint8_t* payload,
                             size_t payload_size) {
  const size_t header = 20 + (option_bytes + 3) / 4 * 4;
  std::vector<uint8_t> out(header + payload_size);
  const auto put16 = [&](size_t at, uint16_t v) {
    out[at] = static_cast<uint8_t>(v >> 8);
    out[at + 1] = static_cast<uint8_t>(v);
  };
  put16(0, kPeerPort);
  put16(2, kPort);
  put16(4, static_cast<uint16_t>(seq >> 16));
  put16(6, static_cast<uint16_t>(seq));
  put16(8, static_cast<uint16_t>(ack >> 16));
  put16(10, static_cast<uint16_t>(ack));
  out[12] = static_cast<uint8_t>(header / 4 << 4);
  out[13] = flags;
  put16(14, window);
  if (option_bytes > 0) std::memcpy(out.data() + 20, options, option_bytes);
  if (payload_size > 0) std::memcpy(out.data() + header, payload, payload_size);
  tcpip::tcp_finish(out.data(), out.size(), kPeer, kLocal);
  return out;
}

class Session {
 public:
  Session() : tcp_(wire_, memory_, config()) {}

  // Listens, and completes a handshake as the peer; false if the engine would not.
  bool open() {
    const uint8_t mss[] = {2, 4, 0x05, 0xb4, 3, 3, 7, 1};  // MSS 1460, window scale 7
    auto listener = tcp_.listen(kLocal, kPort, 4);
    if (!listener.ok()) return false;
    deliver(segment(kPeerIsn, 0, tcpip::kTcpSyn, 65535, mss, sizeof(mss), nullptr, 0));
    if (wire_.count == 0 || !wire_.last.has(tcpip::kTcpSyn)) return false;
    iss_ = wire_.last.seq;
    deliver(segment(kPeerIsn + 1, iss_ + 1, tcpip::kTcpAck, 512, nullptr, 0, nullptr, 0));
    auto accepted = tcp_.accept(listener.value());
    if (!accepted.ok()) return false;
    socket_ = accepted.value();
    return true;
  }

  void step(Script& s) {
    switch (s.byte() % 6) {
      case 0:
      case 1: peer_data(s); break;
      case 2: raw(s); break;
      case 3: read(s.u16()); break;
      case 4: {
        uint8_t bytes[512] = {};
        (void)tcp_.write(socket_, bytes, s.u16() % sizeof(bytes), now_);
        break;
      }
      default:
        now_ += s.byte() % 2 ? s.byte() : uint64_t{s.u16()} * 16;
        tcp_.tick(now_);
        break;
    }
  }

  // Reads up to `want` bytes; each must be the stream's next.
  void read(size_t want) {
    uint8_t bytes[1024];
    while (want > 0) {
      auto r = tcp_.read(socket_, bytes, want < sizeof(bytes) ? want : sizeof(bytes), now_);
      if (!r.ok() || r.value() == 0) return;
      for (size_t i = 0; i < r.value(); ++i) check(bytes[i] == pattern(read_ + i));
      read_ += static_cast<uint32_t>(r.value());
      want -= r.value();
    }
  }

  void finish() {
    read(~size_t{0});
    (void)tcp_.close(socket_, now_);
    for (int i = 0; i < 64 && tcp_.next_deadline() != tcpip::kTcpNoDeadline; ++i) {
      now_ = tcp_.next_deadline() > now_ ? tcp_.next_deadline() : now_ + 1;
      tcp_.tick(now_);
    }
  }

 private:
  static tcpip::TcpConfig config() {
    tcpip::TcpConfig c;
    c.secret = {0x1234, 0x5678};
    c.max_connections = kSlots;
    return c;
  }

  void deliver(const std::vector<uint8_t>& seg) {
    tcp_.receive(kPeer, kLocal, seg.data(), seg.size(), now_);
  }

  // Stream bytes [offset, offset + size) (offset near what was read), with flags mostly ACK.
  void peer_data(Script& s) {
    const uint32_t offset = read_ + s.u16() - 2048;
    const size_t size = s.byte() % 2 ? s.byte() : s.u16() % 3000;
    const uint8_t flag_byte = s.byte();
    uint8_t flags = tcpip::kTcpAck | (flag_byte & tcpip::kTcpPsh);
    if (flag_byte % 16 == 1) flags |= tcpip::kTcpFin;
    if (flag_byte % 64 == 2) flags = flag_byte;  // anything at all
    const uint32_t ack = iss_ + 1 + (s.byte() % 4 == 0 ? s.u32() : s.byte() % 32);
    const uint16_t window = s.u16();
    uint8_t options[40];
    const size_t option_bytes = s.byte() % 4 == 0 ? s.byte() % 41 : 0;
    for (size_t i = 0; i < option_bytes; ++i) options[i] = s.byte();
    std::vector<uint8_t> payload(size);
    for (size_t i = 0; i < size; ++i) payload[i] = pattern(offset + static_cast<uint32_t>(i));
    deliver(segment(kPeerIsn + 1 + offset, ack, flags, window, options, option_bytes,
                    payload.data(), size));
  }

  // Any bytes as a segment, with a correct checksum when they are long enough to hold one.
  void raw(Script& s) {
    std::vector<uint8_t> bytes(s.byte() % 64);
    for (auto& b : bytes) b = s.byte();
    if (bytes.size() >= 20) tcpip::tcp_finish(bytes.data(), bytes.size(), kPeer, kLocal);
    deliver(bytes);
  }

  Wire wire_;
  fuzz::HeapMemory memory_;
  tcpip::Tcp tcp_;
  tcpip::TcpSocket socket_;
  uint32_t iss_ = 0;
  uint32_t read_ = 0;  // stream bytes read so far
  uint64_t now_ = 1000;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Session session;
  check(session.open());
  Script s(data, size);
  while (!s.done()) session.step(s);
  session.finish();
  return 0;
}
