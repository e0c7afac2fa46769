// The engine under load and under hostile peers: thousands of connections held and served at
// once, what happens at and beyond the memory and connection limits, SYN cookies once a backlog
// is full, a window that never opens, and memory running out under a stream that must not
// lose a byte.
#include <gtest/gtest.h>

#include <vector>

#include "servers/tcpip/stack/tcp.h"
#include "tests/unit/net/tcp_sim.h"

namespace tcpip {
namespace {

using test::kAddressA;
using test::kAddressB;
using test::Link;

constexpr uint16_t kPort = 80;
constexpr size_t kRequest = 100;
constexpr size_t kResponse = 3000;

TcpConfig load_config(uint64_t seed, size_t memory_limit = size_t{64} << 20,
                      size_t memory_reserve = size_t{1} << 20) {
  TcpConfig c = test::test_config(seed);
  c.memory_limit = memory_limit;
  c.memory_reserve = memory_reserve;
  return c;
}

// n clients on B each send a request to A's listener and read a response: every connection is
// opened and held at once, then served, then closed. Returns how many clients got their whole
// response.
struct Load {
  explicit Load(Link& link) : link_(link) {}

  void open(size_t n, uint16_t backlog) {
    listener_ = link_.a().listen(kAddressA, kPort, backlog).value();
    for (size_t i = 0; i < n; ++i) {
      auto c = link_.b().connect(kAddressB, kAddressA, kPort, link_.now());
      ASSERT_TRUE(c.ok()) << i;
      clients_.push_back(c.value());
    }
    link_.run_until(
        [&] {
          accept_all();
          return servers_.size() == clients_.size();
        },
        20000);
  }
  void accept_all() {
    for (;;) {
      auto s = link_.a().accept(listener_);
      if (!s.ok()) return;
      servers_.push_back(s.value());
    }
  }
  size_t established_clients() {
    size_t n = 0;
    for (TcpSocket c : clients_) n += (link_.b().poll(c) & kTcpConnected) != 0 ? 1 : 0;
    return n;
  }
  // Each client sends its request; each server answers once it has read it whole; returns the
  // clients that read their whole response.
  size_t serve(uint64_t limit_ms = 30000) {
    const std::vector<uint8_t> request(kRequest, 'q'), response(kResponse, 'r');
    for (TcpSocket c : clients_) (void)link_.b().write(c, request.data(), request.size(), 0);
    std::vector<size_t> got(servers_.size()), answered(servers_.size()), read(clients_.size());
    uint8_t buffer[4096];
    size_t served = 0;
    link_.run_until(
        [&] {
          for (size_t i = 0; i < servers_.size(); ++i) {
            auto r = link_.a().read(servers_[i], buffer, sizeof(buffer), link_.now());
            if (r.ok()) got[i] += r.value();
            if (got[i] == kRequest && answered[i] < kResponse) {
              auto w = link_.a().write(servers_[i], response.data() + answered[i],
                                       kResponse - answered[i], link_.now());
              if (w.ok()) answered[i] += w.value();
            }
          }
          served = 0;
          for (size_t i = 0; i < clients_.size(); ++i) {
            auto r = link_.b().read(clients_[i], buffer, sizeof(buffer), link_.now());
            if (r.ok()) read[i] += r.value();
            served += read[i] == kResponse ? 1 : 0;
          }
          return served == clients_.size();
        },
        limit_ms);
    return served;
  }
  void close_all() {
    for (TcpSocket s : servers_) (void)link_.a().close(s, link_.now());
    for (TcpSocket c : clients_) (void)link_.b().close(c, link_.now());
    link_.run_for(10000);
  }

  Link& link_;
  TcpSocket listener_;
  std::vector<TcpSocket> clients_, servers_;
};

TEST(TcpLoad, HoldsAndServes4096ConnectionsAtOnce) {
  constexpr size_t kClients = 4200;
  Link link(7, {}, kTcpMaxConnections, load_config(7), load_config(8), false);
  Load load(link);
  ASSERT_NO_FATAL_FAILURE(load.open(kClients, 8192));
  ASSERT_EQ(load.servers_.size(), kClients);
  EXPECT_EQ(load.established_clients(), kClients);
  EXPECT_EQ(link.a().slots_in_use(), kClients);
  // Held and idle, a connection costs its control block and a share of the table: no queues.
  const size_t idle = link.a().memory().used();
  EXPECT_LT(idle, kClients * 512) << idle / kClients << " bytes a connection";
  EXPECT_EQ(load.serve(), kClients);
  EXPECT_GT(link.a().memory().peak(), idle);
  load.close_all();
  EXPECT_EQ(link.a().slots_in_use(), 0u);
  EXPECT_EQ(link.b().slots_in_use(), 0u);
  // Everything but the table (kept for the next connections: 20 bytes an entry) is back.
  EXPECT_LE(link.a().memory().used(), 8192u * 20);
}

TEST(TcpLoad, BeyondTheMemoryLimitSynsAreDroppedAndCountedAndTheOthersGoOn) {
  // Room for about 200 idle connections on A, and 64 KiB more for their queues.
  constexpr size_t kReserve = size_t{64} << 10;
  constexpr size_t kLimit = 200 * (sizeof(TcpConnection) + 16) + kReserve;
  Link link(9, {}, kTcpMaxConnections, load_config(9, kLimit, kReserve), load_config(10), false);
  Load load(link);
  ASSERT_NO_FATAL_FAILURE(load.open(300, 1024));
  const size_t held = load.servers_.size();
  EXPECT_GT(held, 150u);
  EXPECT_LT(held, 300u);
  EXPECT_GT(link.a().counters().dropped(TcpDrop::TableFull), 0u);
  EXPECT_LE(link.a().memory().used(), kLimit);
  EXPECT_EQ(link.a().slots_in_use(), held);
  // The clients beyond the limit keep retrying their SYN; the ones held are served (queues
  // come and go within the limit, taking the memory as it frees).
  Load held_only(link);
  held_only.listener_ = load.listener_;
  held_only.servers_ = load.servers_;
  for (TcpSocket c : load.clients_) {
    if ((link.b().poll(c) & kTcpConnected) != 0) held_only.clients_.push_back(c);
  }
  ASSERT_EQ(held_only.clients_.size(), held);
  // Slower, since segments that found no memory wait for their retransmission.
  const size_t served = held_only.serve(300000);
  EXPECT_EQ(served, held);
  EXPECT_LE(link.a().memory().peak(), kLimit);
}

TEST(TcpLoad, AtTheConnectionCountLimitSynsAreDroppedAndRoomComesBack) {
  Link link(11, {}, 64);  // 64 connections on each side
  Load load(link);
  ASSERT_NO_FATAL_FAILURE(load.open(64, 128));
  EXPECT_EQ(load.servers_.size(), 64u);
  auto extra = link.b().connect(kAddressB, kAddressA, kPort, link.now());
  EXPECT_EQ(extra.error(), lib::Error::NoResources);  // B's own limit, as an error
  EXPECT_EQ(load.serve(), 64u);
  load.close_all();
  EXPECT_EQ(link.a().slots_in_use(), 0u);
  Load again(link);
  again.listener_ = load.listener_;
  for (int i = 0; i < 64; ++i) {
    again.clients_.push_back(link.b().connect(kAddressB, kAddressA, kPort, link.now()).value());
  }
  link.run_until(
      [&] {
        again.accept_all();
        return again.servers_.size() == 64;
      },
      20000);
  EXPECT_EQ(again.servers_.size(), 64u);
}

// A stream of 1 MiB while the receiver's memory fails now and then: segments that find no
// memory are not acknowledged, so the sender repeats them, and every byte arrives in order.
TEST(TcpLoad, NoMemoryForDataIsBackPressureNotLoss) {
  Link link(13, {}, 4);
  auto listener = link.a().listen(kAddressA, kPort, 4).value();
  const TcpSocket client = link.b().connect(kAddressB, kAddressA, kPort, link.now()).value();
  TcpSocket server;
  ASSERT_TRUE(link.run_until(
      [&] {
        auto s = link.a().accept(listener);
        if (s.ok()) server = s.value();
        return s.ok();
      },
      10000));
  std::vector<uint8_t> data(size_t{1} << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + (i >> 9));
  std::vector<uint8_t> received;
  size_t written = 0;
  uint8_t buffer[3000];
  for (int round = 0; received.size() < data.size() && link.now() < 600000; ++round) {
    if (written < data.size()) {
      auto w = link.b().write(client, data.data() + written, data.size() - written, 0);
      if (w.ok()) written += w.value();
    }
    // Every few rounds, the reader's memory is gone for a while.
    link.a_memory().fail_after = round % 16 < 6 ? 0 : -1;
    if (round % 3 == 0) {
      auto r = link.a().read(server, buffer, sizeof(buffer), link.now());
      if (r.ok()) received.insert(received.end(), buffer, buffer + r.value());
    }
    if (!link.step() && round % 3 != 0) link.run_for(10);
  }
  link.a_memory().fail_after = -1;
  EXPECT_TRUE(received == data);
  EXPECT_GT(link.a().counters().dropped(TcpDrop::NoMemory), 0u);
}

}  // namespace
}  // namespace tcpip
