#pragma once
// The TCP engine (RFC 9293): connections allocated as they come from the owner's memory, held to
// a budget in bytes, driven by three inputs (segments from the IP layer, calls from the owner,
// the passing of time) and one output (segments to the IP layer). It never blocks; time is a
// parameter.
//
// The IP layer calls receive() with every TCP segment addressed to us and implements TcpOutput
// to send the segments the engine makes. The owner calls tick() when next_deadline() passes.
// Every entry point takes the current time in milliseconds; it must not go backwards.

#include <stddef.h>
#include <stdint.h>

#include "lib/result.h"
#include "servers/tcpip/stack/net.h"
#include "servers/tcpip/stack/tcp_connection.h"
#include "servers/tcpip/stack/tcp_isn.h"
#include "servers/tcpip/stack/tcp_memory.h"
#include "servers/tcpip/stack/tcp_segment.h"

namespace tcpip {

// Where the engine's segments go: the IP layer wraps each in an IPv4 header (protocol 6) from
// source to destination. The segment's checksum is already filled in, for these two addresses.
// An error counts as a lost segment; retransmission recovers it.
class TcpOutput {
 public:
  virtual lib::Result<void> send(Ipv4 source, Ipv4 destination, const uint8_t* segment,
                                 size_t size) = 0;

 protected:
  ~TcpOutput() = default;
};

// Connections in TIME_WAIT leave their slot for an entry of 32 bytes in a table the engine
// holds; when it is full, the entry closest to its end makes room early.
inline constexpr size_t kTcpTimeWaitEntries = 1024;
// Socket ids carry a connection's index in 16 bits.
inline constexpr size_t kTcpMaxConnections = 65535;

struct TcpConfig {
  uint16_t mtu = 1500;      // of the interface: the MSS we announce is mtu - 40
  TcpSecret secret;         // keys initial sequence numbers and ephemeral ports: make it random
  uint32_t msl_ms = 30000;  // maximum segment lifetime; TIME_WAIT lasts twice this
  uint32_t rto_initial_ms = 1000;
  uint32_t rto_min_ms = 200;
  uint32_t rto_max_ms = 60000;
  uint8_t max_retries = 8;               // data retransmissions before the connection fails
  uint8_t max_syn_retries = 5;           // SYN and SYN-ACK retransmissions
  uint32_t delayed_ack_ms = 200;         // at most 200 (RFC 1122 section 4.2.3.2)
  uint32_t orphan_fin_wait2_ms = 60000;  // a closed connection waits this long for the peer's FIN
  // How many of the engine's kTcpTimeWaitEntries TIME_WAIT entries it uses (fewer only to see
  // a full table in a test).
  size_t time_wait_entries = kTcpTimeWaitEntries;
  // The memory the engine may hold: connections, their queues and its tables. A SYN that would
  // need more is dropped (TcpDrop::NoMemory), a segment whose data finds no room is not
  // acknowledged (the peer sends it again), and a write takes less.
  size_t memory_limit = size_t{64} << 20;
  // At most this many connections (up to kTcpMaxConnections), whatever the memory allows.
  size_t max_connections = kTcpMaxConnections;
  // A connection whose data waits while the peer's window stays below one segment (a zero
  // window, or one opened a few bytes at a time) fails after this long (TcpFailure::TimedOut):
  // a peer that never reads cannot hold a connection and its send queue forever.
  uint32_t persist_timeout_ms = 120000;
  // Once a listener's backlog is full, SYNs are answered with a SYN cookie (the connection's
  // state in the initial sequence number, nothing held) instead of being dropped.
  bool syn_cookies = true;
  // New connections leave this much of memory_limit free for the queues of those held; with
  // half of it or less free, connections stop announcing windows larger than the queue memory
  // they already hold.
  size_t memory_reserve = size_t{1} << 20;
};

inline constexpr size_t kTcpMaxListeners = 8;
inline constexpr uint64_t kTcpNoDeadline = ~uint64_t{0};
// The largest segment the engine sends; a larger MTU is clamped to it.
inline constexpr uint16_t kTcpMaxMss = 8960;

// A connection or a listener. 0 is no socket.
struct TcpSocket {
  uint32_t value = 0;
  bool operator==(const TcpSocket&) const = default;
};

// Readiness, as poll() reports it.
inline constexpr uint32_t kTcpReadable = 1 << 0;    // read() returns data, end of stream or error
inline constexpr uint32_t kTcpWritable = 1 << 1;    // write() takes bytes or reports an error
inline constexpr uint32_t kTcpConnected = 1 << 2;   // the handshake completed
inline constexpr uint32_t kTcpAcceptable = 1 << 3;  // a listener has a connection for accept()
inline constexpr uint32_t kTcpPeerClosed = 1 << 4;  // the peer sent FIN: no more data comes
inline constexpr uint32_t kTcpClosed = 1 << 5;      // the connection is over (CLOSED)
inline constexpr uint32_t kTcpFailed = 1 << 6;      // it ended by reset, refusal or timeout

struct TcpInfo {
  TcpState state = TcpState::Closed;
  TcpFailure failure = TcpFailure::None;
  Ipv4 local_ip;
  uint16_t local_port = 0;
  Ipv4 remote_ip;
  uint16_t remote_port = 0;
  uint16_t snd_mss = 0;
  uint8_t snd_shift = 0;
  uint8_t rcv_shift = 0;
  uint32_t snd_wnd = 0;
  uint32_t rcv_wnd = 0;
  uint32_t cwnd = 0;
  uint32_t ssthresh = 0;
  uint32_t srtt_ms = 0;
  uint32_t rto_ms = 0;
  size_t send_queued = 0;  // written, not yet acknowledged
  size_t recv_queued = 0;  // received, not yet read
};

struct TcpCounters {
  uint64_t segments_in = 0;
  uint64_t segments_out = 0;
  uint64_t retransmits = 0;       // segments sent again, for any reason
  uint64_t fast_retransmits = 0;  // after three duplicate ACKs
  uint64_t timeouts = 0;          // retransmission timer expiries
  uint64_t probes = 0;            // zero-window probes
  uint64_t resets_in = 0;         // RSTs that ended a connection
  uint64_t resets_out = 0;
  uint64_t challenge_acks = 0;
  uint64_t active_opens = 0;
  uint64_t passive_opens = 0;
  uint64_t failures = 0;  // connections that ended by reset, refusal or timeout
  uint64_t output_errors = 0;
  uint64_t time_wait_evicted = 0;     // TIME_WAIT entries ended early for room in a full table
  uint64_t time_wait_reused = 0;      // TIME_WAIT entries a new SYN for their four-tuple replaced
  uint64_t syn_cookies_sent = 0;      // SYN-ACKs with a cookie, for a listener with a full backlog
  uint64_t syn_cookies_accepted = 0;  // connections made from a returning cookie
  uint64_t persist_timeouts = 0;      // connections failed by a window that stayed closed
  uint64_t drops[kTcpDropCount] = {};

  uint64_t dropped(TcpDrop reason) const { return drops[static_cast<size_t>(reason)]; }
  uint64_t dropped_total() const {
    uint64_t total = 0;
    for (uint64_t d : drops) total += d;
    return total;
  }
};

class Tcp {
 public:
  // Connections and their queues come from memory, within config.memory_limit; memory must
  // outlive the engine.
  Tcp(TcpOutput& output, TcpMemory& memory, const TcpConfig& config);
  ~Tcp();
  Tcp(const Tcp&) = delete;
  Tcp& operator=(const Tcp&) = delete;

  // ---- From the IP layer and the clock.

  // A TCP segment from source to destination (our address). Malformed, hostile or unexpected
  // segments are dropped and counted; a segment for no connection is answered with RST.
  void receive(Ipv4 source, Ipv4 destination, const uint8_t* segment, size_t size, uint64_t now_ms);
  // Runs the timers that are due.
  void tick(uint64_t now_ms);
  // When tick() next has work, or kTcpNoDeadline.
  uint64_t next_deadline() const;

  // ---- The owner's API. Sockets stay valid until close() or abort(), also after the
  // connection itself has ended (poll() then says why).

  // Active open from local to remote:remote_port; local_port 0 picks an ephemeral port.
  // Errors: AlreadyExists (the four-tuple is in use), NoResources (table or ports exhausted),
  // InvalidArgument.
  lib::Result<TcpSocket> connect(Ipv4 local, Ipv4 remote, uint16_t remote_port, uint64_t now_ms,
                                 uint16_t local_port = 0);
  // Passive open on local:port (local may be 0.0.0.0 for every address). Up to backlog
  // connections (handshaking or waiting for accept) are held; further SYNs get SYN cookies
  // (TcpConfig::syn_cookies; else they are dropped), and a cookie that comes back makes a
  // connection while fewer than backlog wait for accept().
  // Errors: AlreadyExists (port taken), NoResources (listener table full), InvalidArgument.
  lib::Result<TcpSocket> listen(Ipv4 local, uint16_t port, uint16_t backlog);
  // The oldest established connection waiting on the listener. WouldBlock when there is none.
  lib::Result<TcpSocket> accept(TcpSocket listener);
  // Queues up to size bytes for sending and returns how many it took (the rest waits for
  // room: back-pressure). WouldBlock when the send queue is full, NotSupported after
  // shutdown(), PeerClosed once the connection failed or ended.
  lib::Result<size_t> write(TcpSocket socket, const uint8_t* data, size_t size, uint64_t now_ms);
  // Takes up to size received bytes. 0 is the end of the stream (the peer's FIN, every byte
  // read). WouldBlock when nothing is there yet; PeerClosed (reset, refused) or TimedOut when
  // the connection failed.
  lib::Result<size_t> read(TcpSocket socket, uint8_t* out, size_t size, uint64_t now_ms);
  // read() in two steps, for an owner that may fail to pass the bytes on: peek copies what
  // read would take and leaves it queued (the window stays closed by it); consume drops the
  // first size bytes once they are delivered.
  lib::Result<size_t> peek(TcpSocket socket, uint8_t* out, size_t size) const;
  void consume(TcpSocket socket, size_t size, uint64_t now_ms);
  // Half-close: a FIN follows the queued data; reading goes on.
  lib::Result<void> shutdown(TcpSocket socket, uint64_t now_ms);
  // Graceful close: like shutdown(), and the socket is released; the engine finishes the
  // close on its own and frees the slot. Unread received data turns it into an abort (RST).
  // Closing a listener aborts the connections waiting on it.
  //
  // A connection that reaches TIME_WAIT moves into the engine's TIME_WAIT table and its slot is
  // done at once: freed if the socket was released, else CLOSED (kTcpClosed, no failure; unread
  // data can still be read) until close(). The table answers for the four-tuple for 2 x MSL.
  lib::Result<void> close(TcpSocket socket, uint64_t now_ms);
  // Immediate close: RST to the peer and the slot is free at once.
  lib::Result<void> abort(TcpSocket socket, uint64_t now_ms);
  // Turns Nagle's algorithm off (true) or on.
  lib::Result<void> set_nodelay(TcpSocket socket, bool nodelay);

  // Readiness bits (kTcpReadable, ...); 0 for a socket that names nothing.
  uint32_t poll(TcpSocket socket) const;
  // A socket whose readiness may have changed since the last call, or false when none has.
  bool next_changed(TcpSocket& out);
  lib::Result<TcpInfo> info(TcpSocket socket) const;
  const TcpCounters& counters() const { return counters_; }
  // How many connections are in each state: the slots', and TIME_WAIT's from its table.
  void count_states(uint32_t (&out)[kTcpStateCount]) const;
  size_t slots_in_use() const;
  // The memory held (connections, queues, tables), the most ever held, and the limit.
  const TcpMemoryBudget& memory() const { return budget_; }
  // The connection at a table index, or null (for tests that check invariants).
  const TcpConnection* slot(size_t index) const;
  size_t slot_capacity() const { return table_size_; }
  // Connections in TIME_WAIT (entries of the table that have not expired).
  size_t time_wait_in_use() const;

 private:
  struct Listener {
    bool in_use = false;
    bool changed = false;
    uint16_t generation = 0;
    uint16_t backlog = 0;
    uint16_t port = 0;
    Ipv4 local;
    uint32_t waiting = 0;  // connections on it: handshaking, or ready and not yet accepted
    uint32_t ready = 0;    // of those, the ones on the accept queue
    uint16_t accept_head = 0, accept_tail = 0;  // the accept queue, by index + 1
  };
  // An entry of the connection table: the connection (null: free) and the generation socket
  // ids must carry.
  struct Slot {
    TcpConnection* connection = nullptr;
    uint16_t generation = 0;
  };
  // Frees the connections that ended during a call when the call returns, so that no code
  // path of the call can touch freed memory.
  struct Reaper {
    explicit Reaper(Tcp& tcp) : tcp_(tcp) {}
    ~Reaper() { tcp_.reap(); }
    Reaper(const Reaper&) = delete;
    Reaper& operator=(const Reaper&) = delete;
    Tcp& tcp_;
  };

  // tcp_table.cc: the connection table, its hash index, listeners' accept queues, memory.
  TcpConnection* connection(TcpSocket socket) const;
  Listener* listener(TcpSocket socket);
  TcpSocket socket_of(const TcpConnection& c) const;
  TcpConnection* find(Ipv4 local, uint16_t local_port, Ipv4 remote, uint16_t remote_port);
  int find_listener(Ipv4 local, uint16_t port) const;
  TcpConnection* allocate();
  bool grow_table();
  size_t bucket_of(Ipv4 local, uint16_t local_port, Ipv4 remote, uint16_t remote_port) const;
  void hash_insert(TcpConnection& c);
  void hash_remove(TcpConnection& c);
  void queue_for_accept(TcpConnection& c);
  void unqueue(TcpConnection& c);
  TcpConnection* at(uint16_t index_plus_one) const;
  void reap();
  void release_buffers(TcpConnection& c);
  void trim_receive(TcpConnection& c);
  void trim_send(TcpConnection& c);
  // iss_floor, when given, is the least initial sequence number (a four-tuple reused from
  // TIME_WAIT).
  void init_connection(TcpConnection& c, Ipv4 local, uint16_t local_port, Ipv4 remote,
                       uint16_t remote_port, const uint32_t* iss_floor = nullptr);
  void free_slot(TcpConnection& c);
  void finish(TcpConnection& c);
  void fail(TcpConnection& c, TcpFailure failure, bool send_reset);
  void run_timers(TcpConnection& c);
  void mark(TcpConnection& c);
  uint16_t our_mss() const;
  uint8_t our_shift() const;

  // tcp_input.cc: segment arrival (RFC 9293 section 3.10.7).
  void drop(TcpDrop reason);
  void listen_input(int index, Ipv4 source, Ipv4 destination, const TcpSegment& seg,
                    const uint32_t* iss_floor = nullptr);
  TcpConnection* open_passive(int index, Ipv4 source, Ipv4 destination, const TcpSegment& seg,
                              const uint32_t* iss_floor);
  void syn_sent_input(TcpConnection& c, const TcpSegment& seg);
  void input(TcpConnection& c, const TcpSegment& seg);
  bool process_ack(TcpConnection& c, const TcpSegment& seg);
  void acknowledge(TcpConnection& c, uint32_t ack);
  void duplicate_ack(TcpConnection& c);
  void update_window(TcpConnection& c, const TcpSegment& seg);
  void take_data(TcpConnection& c, const TcpSegment& seg);
  void take_fin(TcpConnection& c);
  void enter_established(TcpConnection& c);
  void enter_time_wait(TcpConnection& c);

  // tcp_time_wait.cc: the TIME_WAIT table.
  TcpTimeWait* find_time_wait(Ipv4 local, uint16_t local_port, Ipv4 remote, uint16_t remote_port);
  void add_time_wait(const TcpConnection& c);
  void remove_time_wait(TcpTimeWait& e);
  bool time_wait_input(TcpTimeWait& e, const TcpSegment& seg, uint32_t& iss_floor);
  void send_time_wait_ack(const TcpTimeWait& e);
  void expire_time_wait();

  // tcp_cookie.cc: SYN cookies.
  void send_cookie(Ipv4 source, Ipv4 destination, const TcpSegment& seg);
  bool accept_cookie(int index, Ipv4 source, Ipv4 destination, const TcpSegment& seg);
  uint32_t cookie_hash(Ipv4 local, uint16_t local_port, Ipv4 remote, uint16_t remote_port,
                       uint32_t peer_isn, uint32_t clock, uint32_t data) const;

  // tcp_output.cc: what to send, and sending it.
  void output(TcpConnection& c);
  void send_segment(TcpConnection& c, uint32_t seq, uint8_t flags, size_t payload_size);
  void retransmit_first(TcpConnection& c);
  void send_reset_for(Ipv4 source, Ipv4 destination, const TcpSegment& seg);
  void send_reset(TcpConnection& c);
  void send_probe(TcpConnection& c);
  void on_retransmit_timeout(TcpConnection& c);
  void watch_stall(TcpConnection& c);
  uint16_t receive_window(TcpConnection& c, bool syn) const;
  void emit(Ipv4 source, Ipv4 destination, size_t size);

  TcpOutput& output_;
  TcpConfig config_;
  TcpMemoryBudget budget_;
  Slot* table_ = nullptr;  // table_size_ entries, grown by doubling up to max_connections
  size_t table_size_ = 0;
  size_t in_use_ = 0;
  size_t free_hint_ = 0;
  uint16_t* buckets_ = nullptr;  // table_size_ * 2 chains of the four-tuple hash, by index + 1
  size_t bucket_count_ = 0;
  uint16_t dead_ = 0;  // ended during this call, freed by reap(): by index + 1, via hash_next
  uint64_t now_ = 0;
  uint32_t port_counter_ = 0;
  size_t changed_cursor_ = 0;
  TcpCounters counters_;
  Listener listeners_[kTcpMaxListeners];
  // The TIME_WAIT table: time_wait_used_ of its first time_wait_limit_ entries are taken (some
  // maybe expired, freed when next seen); no entry expires before time_wait_deadline_.
  TcpTimeWait time_wait_[kTcpTimeWaitEntries];
  size_t time_wait_limit_;
  size_t time_wait_used_ = 0;
  uint64_t time_wait_deadline_ = kTcpNoDeadline;
  uint8_t tx_[kTcpMaxHeaderSize + kTcpMaxMss];
};

}  // namespace tcpip
