// LoopCheck: see component.toml. Every step runs from the timer, one at a time: open()
// waits for its answer with the loop paused, and the accepting end of each connection is
// this same loop, so a step opens at most one connection and returns to the loop.
#include <stellina/component.h>
#include <stellina/socket.h>

#include "loopcheck_env.h"

namespace {

using namespace stellina;

constexpr uint64_t kStepNs = 1'000'000;
constexpr uint64_t kSettleNs = 200'000'000;  // for both ends of a closed connection to go
constexpr size_t kEchoBytes = size_t{64} * 1024;
constexpr size_t kMaxHeld = 600;  // more than the stack's bound (256), so that it shows
constexpr size_t kRetries = 20;   // the connection after a close, kSettleNs apart
constexpr const char* kEchoTargets[] = {"tcp:127.0.0.1:9", "tcp:localhost:9", "tcp:10.0.2.15:9"};

uint8_t pattern(size_t i) { return static_cast<uint8_t>(i * 7 + i / 251); }

// Each watched channel's context.
enum class Role : uint8_t { Listening, Datagrams, Served, Client, Held };
struct Peer {
  Role role;
};

class LoopCheck final : public ComponentWith<components::loopcheck::Env> {
  void on_start() override { step(kStepNs); }

  void step(uint64_t after_ns) {
    if (!set_timer(sys::clock_now() + after_ns).ok()) log("cannot set the timer");
  }

  void on_timer() override {
    switch (phase_) {
      case Phase::Listen: return listen_on_port_9();
      case Phase::Echo: return start_echo();
      case Phase::EchoWait: return;  // on_data moves on
      case Phase::Datagram: return send_datagram();
      case Phase::Fill: return hold_one_more();
      case Phase::Again: return connect_after_a_close();
      case Phase::Report: return report();
      case Phase::Done: return;
    }
  }

  void listen_on_port_9() {
    auto tcp = open("tcp-listen:0.0.0.0:9/64");
    auto udp = open("udp:127.0.0.1:9");
    if (!tcp.ok() || !udp.ok()) return step(100 * kStepNs);  // the stack is not up yet
    if (!listen(tcp.release_value(), &listening_).ok() ||
        !listen(udp.release_value(), &datagrams_).ok())
      return log("FAILED: cannot watch the listen and datagram channels");
    log("listening on port 9");
    phase_ = Phase::Echo;
    step(kStepNs);
  }

  // ---- Echo: kEchoBytes to each target and back, then the end of stream both ways.

  void start_echo() {
    const char* uri = kEchoTargets[echo_target_];
    auto ch = open(uri);
    if (!ch.ok()) {
      // The stack's own address comes with DHCP: wait for it.
      if (echo_target_ == 2 && ch.error() == abi::kErrNotFound && ++tries_ < 3000)
        return step(10 * kStepNs);
      log("FAILED: echo: {}: error {}", uri, status_name(ch.error()));
      return next_echo();
    }
    auto watched = listen(ch.release_value(), &client_);
    if (!watched.ok()) return log("FAILED: cannot watch the echo client");
    echoed_ = 0;
    echo_ok_ = true;
    uint8_t block[abi::kMaxMessageData];
    for (size_t sent = 0; sent < kEchoBytes; sent += sizeof(block)) {
      for (size_t i = 0; i < sizeof(block); ++i) block[i] = pattern(sent + i);
      if (!watched.value()->send(Bytes{block, sizeof(block)}).ok()) echo_ok_ = false;
    }
    ignore(watched.value()->send(Bytes{}), "a missing end of stream shows: no echo end");
    phase_ = Phase::EchoWait;
  }

  void on_client_data(Channel& ch, Bytes data) {
    const auto* bytes = static_cast<const uint8_t*>(data.data);
    for (size_t i = 0; i < data.size; ++i) echo_ok_ = echo_ok_ && bytes[i] == pattern(echoed_ + i);
    echoed_ += data.size;
    if (data.size) return;
    const bool good = echo_ok_ && echoed_ == kEchoBytes;
    log("{}echo through {}: {} bytes back{}", good ? "" : "FAILED: ", kEchoTargets[echo_target_],
        echoed_, good ? " intact, then the end of stream" : "");
    unwatch(ch);
    next_echo();
  }

  void next_echo() {
    tries_ = 0;
    phase_ = ++echo_target_ < sizeof(kEchoTargets) / sizeof(kEchoTargets[0]) ? Phase::Echo
                                                                             : Phase::Datagram;
    step(kStepNs);
  }

  // ---- A datagram to ourselves.

  void send_datagram() {
    abi::UdpDatagram head{};
    head.remote.address[0] = 127;
    head.remote.address[3] = 1;
    head.remote.port = 9;
    uint8_t message[sizeof(head) + 5];
    __builtin_memcpy(message, &head, sizeof(head));
    __builtin_memcpy(message + sizeof(head), "hello", 5);
    // The answer comes to on_data (Datagrams), which moves on.
    Channel* ch = datagram_channel_;
    if (!ch || !ch->send(Bytes{message, sizeof(message)}).ok()) {
      log("FAILED: datagram: cannot send");
      phase_ = Phase::Fill;
      step(kStepNs);
    }
  }

  void on_datagram(Bytes data) {
    abi::UdpDatagram head{};
    if (data.size >= sizeof(head)) __builtin_memcpy(&head, data.data, sizeof(head));
    const uint8_t* a = head.remote.address;
    char text[16] = {};
    const size_t n = data.size - sizeof(head);
    if (data.size >= sizeof(head)) __builtin_memcpy(text, head_end(data), n < 15 ? n : 15);
    log("datagram to 127.0.0.1:9: \"{}\" from {}.{}.{}.{}:{}", static_cast<const char*>(text), a[0],
        a[1], a[2], a[3], head.remote.port);
    phase_ = Phase::Fill;
    step(kStepNs);
  }

  static const char* head_end(Bytes data) {
    return static_cast<const char*>(data.data) + sizeof(abi::UdpDatagram);
  }

  // ---- Capacity: connections held until the stack refuses one.

  void hold_one_more() {
    if (held_count_ == kMaxHeld) return log("FAILED: {} connections held, none refused", kMaxHeld);
    auto ch = open("tcp:127.0.0.1:9");
    if (!ch.ok()) {
      refused_ = ch.error();
      log("held {} connections through 127.0.0.1; the next refused: {}", held_count_,
          status_name(refused_));
      // One goes: its two ends close (the accepting one on the end of stream).
      held_[--held_count_].reset();
      phase_ = Phase::Again;
      return step(kSettleNs);
    }
    held_[held_count_++] = ch.release_value();
    step(kStepNs);
  }

  void connect_after_a_close() {
    auto ch = open("tcp:127.0.0.1:9");
    if (!ch.ok() && ++tries_ < kRetries) return step(kSettleNs);
    log("one closed, then a connection: {}", ch.ok() ? "ok" : status_name(ch.error()));
    if (ch.ok()) held_[held_count_++] = ch.release_value();
    phase_ = Phase::Report;
    step(kSettleNs);  // for its accepting end to come
  }

  void report() {
    log("served {} connections, {} ended", served_, ended_);
    for (size_t i = 0; i < held_count_; ++i) held_[i].reset();
    phase_ = Phase::Done;
  }

  // ---- The serving end: echo (the echo clients), or just hold (the held ones).

  void on_accept(Channel&, Channel conn, Bytes) override {
    ++served_;
    if (!listen(static_cast<Channel&&>(conn), &served_role_).ok())
      log("FAILED: cannot watch connection {}", served_);
  }

  void on_data(Channel& ch, Bytes data) override {
    const Peer* peer = context_of<Peer>(ch);
    if (!peer) return;
    if (peer->role == Role::Client) return on_client_data(ch, data);
    if (peer->role == Role::Datagrams) return on_datagram(data);
    if (peer->role != Role::Served) return;
    // Back as it came (the echo client sends less than a channel's queue holds); its end of
    // stream is passed on, and ends the connection.
    ignore(ch.send(data), "a short echo shows in the client's count");
    if (data.size == 0) {
      ++ended_;
      unwatch(ch);
    }
  }

  void on_peer_closed(Channel& ch) override {
    const Peer* peer = context_of<Peer>(ch);
    if (peer && peer->role == Role::Datagrams) datagram_channel_ = nullptr;
  }

  Result<Channel*> listen(Channel ch, Peer* peer) {
    auto watched = Component::listen(static_cast<Channel&&>(ch), peer);
    if (watched.ok() && peer == &datagrams_) datagram_channel_ = watched.value();
    return watched;
  }

  enum class Phase : uint8_t { Listen, Echo, EchoWait, Datagram, Fill, Again, Report, Done };
  Phase phase_ = Phase::Listen;
  Peer listening_{Role::Listening}, datagrams_{Role::Datagrams}, served_role_{Role::Served};
  Peer client_{Role::Client};
  Channel* datagram_channel_ = nullptr;
  size_t echo_target_ = 0, echoed_ = 0, tries_ = 0;
  bool echo_ok_ = false;
  Status refused_ = abi::kOk;
  size_t served_ = 0, ended_ = 0;
  Channel held_[kMaxHeld];
  size_t held_count_ = 0;
};

}  // namespace

STELLINA_COMPONENT(LoopCheck)
