// The connection table and the engine's memory: a connection and its queues are allocated from
// the budget when it opens and freed when it is done; the table of entries grows by doubling
// (up to TcpConfig::max_connections) with a hash index of four-tuples beside it; each listener
// keeps its connections ready for accept() in a queue linked through them.
#include <new>

#include "servers/tcpip/stack/tcp.h"
#include "servers/tcpip/stack/tcp_socket_id.h"

namespace tcpip {

namespace {

constexpr size_t kFirstTableSize = 16;

}  // namespace

TcpConnection* Tcp::at(uint16_t index_plus_one) const {
  return index_plus_one == 0 ? nullptr : table_[index_plus_one - 1].connection;
}

const TcpConnection* Tcp::slot(size_t index) const {
  if (index >= table_size_) return nullptr;
  const TcpConnection* c = table_[index].connection;
  return c != nullptr && c->in_use ? c : nullptr;
}

TcpConnection* Tcp::connection(TcpSocket socket) const {
  if ((socket.value & kTcpListenerBit) != 0) return nullptr;
  const size_t index = socket.value & 0xffff;
  if (index == 0 || index > table_size_) return nullptr;
  const Slot& s = table_[index - 1];
  TcpConnection* c = s.connection;
  if (c == nullptr || !c->in_use || c->released || c->listener >= 0) return nullptr;
  if (tcp_socket_value(s.generation, index - 1) != socket.value) return nullptr;
  return c;
}

Tcp::Listener* Tcp::listener(TcpSocket socket) {
  if ((socket.value & kTcpListenerBit) == 0) return nullptr;
  const size_t index = socket.value & 0xffff;
  if (index == 0 || index > kTcpMaxListeners) return nullptr;
  Listener& l = listeners_[index - 1];
  if (!l.in_use || (tcp_socket_value(l.generation, index - 1) | kTcpListenerBit) != socket.value) {
    return nullptr;
  }
  return &l;
}

TcpSocket Tcp::socket_of(const TcpConnection& c) const {
  return {tcp_socket_value(table_[c.index].generation, c.index)};
}

// ---- The hash index. Keyed with the secret, so that no peer can choose four-tuples that
// all fall into one chain.

size_t Tcp::bucket_of(Ipv4 local, uint16_t local_port, Ipv4 remote, uint16_t remote_port) const {
  return tcp_tuple_hash(config_.secret, local, local_port, remote, remote_port) &
         (bucket_count_ - 1);
}

void Tcp::hash_insert(TcpConnection& c) {
  uint16_t& head = buckets_[bucket_of(c.local_ip, c.local_port, c.remote_ip, c.remote_port)];
  c.hash_next = head;
  head = static_cast<uint16_t>(c.index + 1);
}

void Tcp::hash_remove(TcpConnection& c) {
  uint16_t* link = &buckets_[bucket_of(c.local_ip, c.local_port, c.remote_ip, c.remote_port)];
  while (*link != 0) {
    TcpConnection* next = at(*link);
    if (next == &c) {
      *link = c.hash_next;
      c.hash_next = 0;
      return;
    }
    link = &next->hash_next;
  }
}

TcpConnection* Tcp::find(Ipv4 local, uint16_t local_port, Ipv4 remote, uint16_t remote_port) {
  if (bucket_count_ == 0) return nullptr;
  for (uint16_t i = buckets_[bucket_of(local, local_port, remote, remote_port)]; i != 0;) {
    TcpConnection* c = at(i);
    if (c->state != TcpState::Closed && c->local_port == local_port &&
        c->remote_port == remote_port && c->local_ip == local && c->remote_ip == remote) {
      return c;
    }
    i = c->hash_next;
  }
  return nullptr;
}

// ---- Entries and connections.

// Doubles the table (and its buckets), within max_connections and the budget.
bool Tcp::grow_table() {
  const size_t limit =
      config_.max_connections < kTcpMaxConnections ? config_.max_connections : kTcpMaxConnections;
  if (table_size_ >= limit) return false;
  size_t size = table_size_ == 0 ? kFirstTableSize : table_size_ * 2;
  if (size > limit) size = limit;
  size_t buckets = 1;
  while (buckets < 2 * size) buckets *= 2;
  auto* table = static_cast<Slot*>(budget_.allocate(size * sizeof(Slot)));
  auto* chains = static_cast<uint16_t*>(budget_.allocate(buckets * sizeof(uint16_t)));
  if (table == nullptr || chains == nullptr) {
    budget_.release(table, table == nullptr ? 0 : size * sizeof(Slot));
    budget_.release(chains, chains == nullptr ? 0 : buckets * sizeof(uint16_t));
    return false;
  }
  for (size_t i = 0; i < size; ++i) new (&table[i]) Slot{};
  for (size_t i = 0; i < table_size_; ++i) table[i] = table_[i];
  for (size_t i = 0; i < buckets; ++i) chains[i] = 0;
  budget_.release(table_, table_size_ * sizeof(Slot));
  budget_.release(buckets_, bucket_count_ * sizeof(uint16_t));
  table_ = table;
  buckets_ = chains;
  bucket_count_ = buckets;
  table_size_ = size;
  // Chain again every connection that has a four-tuple (all but the ones being reaped).
  for (size_t i = 0; i < table_size_; ++i) {
    TcpConnection* c = table_[i].connection;
    if (c != nullptr && c->in_use) hash_insert(*c);
  }
  return true;
}

// A free entry with a new connection, or null when the table cannot grow or memory says no.
// The connection is not yet in the hash index (init_connection puts it there).
// A connection leaves memory_reserve free, so that the connections held can still queue data.
TcpConnection* Tcp::allocate() {
  if (!budget_.has_room(sizeof(TcpConnection), config_.memory_reserve)) return nullptr;
  if (in_use_ == table_size_ && !grow_table()) return nullptr;
  size_t index = free_hint_ < table_size_ ? free_hint_ : 0;
  while (table_[index].connection != nullptr) index = (index + 1) % table_size_;
  void* memory = budget_.allocate(sizeof(TcpConnection));
  if (memory == nullptr) return nullptr;
  auto* c = new (memory) TcpConnection();
  c->index = static_cast<uint16_t>(index);
  table_[index].connection = c;
  free_hint_ = index + 1;
  ++in_use_;
  return c;
}

// The connection is over for the engine: out of the index and its listener's queue, its slot
// no longer in use. Its memory goes when the current call returns (reap).
void Tcp::free_slot(TcpConnection& c) {
  if (!c.in_use) return;
  hash_remove(c);
  if (c.listener >= 0) {
    Listener& l = listeners_[c.listener];
    if (c.queued) unqueue(c);
    --l.waiting;
  }
  c.in_use = false;
  c.state = TcpState::Closed;
  c.rtx_at = c.persist_at = c.delack_at = c.linger_at = c.stalled_since = 0;
  Slot& s = table_[c.index];
  s.generation = static_cast<uint16_t>((s.generation + 1) & kTcpGenerationMask);
  c.hash_next = dead_;
  dead_ = static_cast<uint16_t>(c.index + 1);
}

void Tcp::reap() {
  while (dead_ != 0) {
    const size_t index = dead_ - 1;
    TcpConnection* c = table_[index].connection;
    dead_ = c->hash_next;
    release_buffers(*c);
    c->~TcpConnection();
    budget_.release(c, sizeof(TcpConnection));
    table_[index].connection = nullptr;
    if (index < free_hint_) free_hint_ = index;
    --in_use_;
  }
}

void Tcp::release_buffers(TcpConnection& c) {
  c.send.release(budget_);
  c.recv.release(budget_);
}

// Queues give their memory back once empty: nothing unread, nothing held out of order.
void Tcp::trim_receive(TcpConnection& c) {
  if (c.recv.size() == 0 && c.range_count == 0 && c.recv.capacity() > 0) c.recv.release(budget_);
}

void Tcp::trim_send(TcpConnection& c) {
  if (c.send.size() == 0 && c.send.capacity() > 0) c.send.release(budget_);
}

size_t Tcp::slots_in_use() const {
  size_t n = 0;
  for (size_t i = 0; i < table_size_; ++i) n += slot(i) != nullptr ? 1 : 0;
  return n;
}

// ---- Accept queues, oldest first.

void Tcp::queue_for_accept(TcpConnection& c) {
  Listener& l = listeners_[c.listener];
  c.queued = true;
  c.accept_next = 0;
  c.accept_prev = l.accept_tail;
  const auto self = static_cast<uint16_t>(c.index + 1);
  if (l.accept_tail != 0) {
    at(l.accept_tail)->accept_next = self;
  } else {
    l.accept_head = self;
  }
  l.accept_tail = self;
  ++l.ready;
}

void Tcp::unqueue(TcpConnection& c) {
  Listener& l = listeners_[c.listener];
  if (c.accept_prev != 0) {
    at(c.accept_prev)->accept_next = c.accept_next;
  } else {
    l.accept_head = c.accept_next;
  }
  if (c.accept_next != 0) {
    at(c.accept_next)->accept_prev = c.accept_prev;
  } else {
    l.accept_tail = c.accept_prev;
  }
  c.queued = false;
  c.accept_prev = c.accept_next = 0;
  --l.ready;
}

}  // namespace tcpip
