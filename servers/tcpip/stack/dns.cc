#include "servers/tcpip/stack/dns.h"

namespace tcpip {
namespace {

constexpr size_t kHeader = 12;
constexpr uint16_t kTypeA = 1, kTypeCname = 5, kClassIn = 1;
constexpr uint16_t kFlagResponse = 0x8000, kFlagTruncated = 0x0200, kFlagRecursion = 0x0100;
constexpr uint16_t kRcodeNameError = 3;
constexpr size_t kMaxLabel = 63;
constexpr int kMaxPointers = 32;  // more than any real name needs; stops loops
constexpr int kMaxCnames = 8;
constexpr size_t kMaxRecords = 32;  // answer records looked at

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Copies name into out[0..kDnsMaxName+1) lowercased, without a final dot, and checks its
// labels. Returns its length, or 0 if it is not a valid name.
size_t normalize(const char* name, char* out) {
  size_t length = 0, label = 0;
  for (const char* p = name; *p; ++p) {
    if (length > kDnsMaxName) return 0;
    if (*p == '.') {
      if (label == 0) return 0;  // an empty label (or a name that is only a dot)
      if (p[1] == 0) break;      // the final dot
      label = 0;
    } else if (++label > kMaxLabel) {
      return 0;
    }
    out[length++] = lower(*p);
  }
  if (length == 0 || length > kDnsMaxName || label == 0) return 0;
  out[length] = 0;
  return length;
}

bool same_name(const char* a, const char* b) {
  for (; *a && *b; ++a, ++b) {
    if (*a != *b) return false;
  }
  return *a == *b;
}

// Reads the (possibly compressed) name at m[at] into out (lowercased, dotted, NUL-ended, at
// most kDnsMaxName characters) and sets `after` to the offset after it in place. False if it
// runs off the message, uses a reserved label type, loops or is too long.
bool read_name(const uint8_t* m, size_t size, size_t at, char* out, size_t& after) {
  size_t length = 0;
  bool jumped = false;
  int pointers = 0;
  for (;;) {
    if (at >= size) return false;
    const uint8_t byte = m[at];
    if ((byte & 0xc0) == 0xc0) {
      if (size - at < 2 || ++pointers > kMaxPointers) return false;
      if (!jumped) after = at + 2;
      jumped = true;
      at = size_t{byte & 0x3fu} << 8 | m[at + 1];
      continue;
    }
    if (byte & 0xc0) return false;  // the reserved label types
    if (byte == 0) {
      if (!jumped) after = at + 1;
      out[length] = 0;
      return true;
    }
    if (size - at - 1 < byte) return false;
    if (length + (length ? 1 : 0) + byte > kDnsMaxName) return false;
    if (length) out[length++] = '.';
    for (size_t i = 0; i < byte; ++i) out[length++] = lower(static_cast<char>(m[at + 1 + i]));
    at += 1 + size_t{byte};
  }
}

struct Record {
  size_t owner;  // offset of its name
  uint16_t type;
  uint32_t ttl;
  size_t data;  // offset of its data
  uint16_t data_size;
};

}  // namespace

const char* dns_status_name(DnsStatus status) {
  switch (status) {
    case DnsStatus::Ok: return "ok";
    case DnsStatus::NotFound: return "not_found";
    case DnsStatus::ServerFailure: return "server_failure";
    case DnsStatus::Truncated: return "truncated";
    case DnsStatus::Malformed: return "malformed";
    case DnsStatus::Mismatch: return "mismatch";
    case DnsStatus::TimedOut: return "timed_out";
  }
  return "unknown";
}

lib::Result<size_t> write_dns_query(uint16_t id, const char* name, uint8_t* out, size_t capacity) {
  char normal[kDnsMaxName + 2];
  const size_t length = normalize(name, normal);
  if (length == 0) return lib::Error::InvalidArgument;
  // The header, a length byte per label (one more than the dots), the zero, type and class.
  const size_t size = kHeader + length + 2 + 4;
  if (capacity < size) return lib::Error::BufferTooSmall;
  __builtin_memset(out, 0, kHeader);
  store16(out, id);
  store16(out + 2, kFlagRecursion);
  store16(out + 4, 1);  // one question
  size_t at = kHeader;
  size_t label_at = at++;
  for (size_t i = 0; i <= length; ++i) {
    if (i == length || normal[i] == '.') {
      out[label_at] = static_cast<uint8_t>(at - label_at - 1);
      label_at = at++;
    } else {
      out[at++] = static_cast<uint8_t>(normal[i]);
    }
  }
  out[label_at] = 0;  // the root
  store16(out + at, kTypeA);
  store16(out + at + 2, kClassIn);
  return at + 4;
}

DnsStatus parse_dns_answer(const uint8_t* m, size_t size, uint16_t id, const char* name,
                           DnsAnswer& out) {
  if (size < kHeader) return DnsStatus::Malformed;
  const uint16_t flags = load16(m + 2);
  if (load16(m) != id || !(flags & kFlagResponse)) return DnsStatus::Mismatch;
  if (flags & kFlagTruncated) return DnsStatus::Truncated;
  if (load16(m + 4) != 1) return DnsStatus::Malformed;
  char wanted[kDnsMaxName + 2];
  if (normalize(name, wanted) == 0) return DnsStatus::Mismatch;
  char owner[kDnsMaxName + 1];
  size_t at = kHeader;
  if (!read_name(m, size, at, owner, at) || size - at < 4) return DnsStatus::Malformed;
  if (!same_name(owner, wanted) || load16(m + at) != kTypeA || load16(m + at + 2) != kClassIn)
    return DnsStatus::Mismatch;
  at += 4;
  const uint16_t rcode = flags & 0xf;
  if (rcode == kRcodeNameError) return DnsStatus::NotFound;
  if (rcode != 0) return DnsStatus::ServerFailure;

  Record records[kMaxRecords];
  size_t count = 0;
  const uint16_t answers = load16(m + 6);
  for (uint16_t i = 0; i < answers && count < kMaxRecords; ++i) {
    Record& r = records[count];
    r.owner = at;
    if (!read_name(m, size, at, owner, at) || size - at < 10) return DnsStatus::Malformed;
    r.type = load16(m + at);
    const uint16_t record_class = load16(m + at + 2);
    r.ttl = load32(m + at + 4);
    r.data_size = load16(m + at + 8);
    r.data = at + 10;
    if (size - r.data < r.data_size) return DnsStatus::Malformed;
    at = r.data + r.data_size;
    if (record_class == kClassIn) ++count;
  }

  // Follow the chain from the question's name: a CNAME leads to its target, an A ends it.
  uint32_t ttl = 0xffffffff;
  for (int hops = 0; hops <= kMaxCnames; ++hops) {
    bool moved = false;
    for (size_t i = 0; i < count && !moved; ++i) {
      const Record& r = records[i];
      size_t ignored = 0;
      if (!read_name(m, size, r.owner, owner, ignored)) return DnsStatus::Malformed;
      if (!same_name(owner, wanted)) continue;
      if (r.ttl < ttl) ttl = r.ttl;
      if (r.type == kTypeA) {
        if (r.data_size != 4) return DnsStatus::Malformed;
        out = {Ipv4{load32(m + r.data)}, ttl};
        return DnsStatus::Ok;
      }
      if (r.type == kTypeCname) {
        char target[kDnsMaxName + 1];
        if (!read_name(m, r.data + r.data_size, r.data, target, ignored))
          return DnsStatus::Malformed;
        __builtin_memcpy(wanted, target, sizeof(target));
        moved = true;
      }
    }
    if (!moved) return DnsStatus::NotFound;
  }
  return DnsStatus::NotFound;  // a chain longer than we follow
}

lib::Result<uint16_t> DnsResolver::resolve(const char* name, DnsListener& listener,
                                           uint64_t now_ms) {
  char normal[kDnsMaxName + 2];
  if (normalize(name, normal) == 0) return lib::Error::InvalidArgument;
  if (server_.any()) return lib::Error::NotFound;
  Query* query = nullptr;
  for (Query& q : queries_) {
    if (!q.used) {
      query = &q;
      break;
    }
  }
  if (!query) return lib::Error::NoResources;
  // A random id that no pending query has.
  uint16_t id = 0;
  for (bool taken = true; taken;) {
    id = static_cast<uint16_t>(random_.next());
    taken = false;
    for (const Query& q : queries_) taken = taken || (q.used && q.id == id);
  }
  *query = {};
  query->id = id;
  query->port = TRY(bind_random_port());
  query->listener = &listener;
  __builtin_memcpy(query->name, normal, sizeof(normal));
  if (auto sent = send(*query, now_ms); !sent.ok()) {
    udp_.unbind(query->port);
    return sent.error();
  }
  query->used = true;
  return id;
}

// A port drawn at random from the dynamic range; after a few draws that hit bound ports (the
// range has 16,384, at most kUdpSockets are bound) any free one.
lib::Result<uint16_t> DnsResolver::bind_random_port() {
  constexpr uint32_t kRange = 0x10000 - kUdpEphemeralFirst;
  for (int draw = 0; draw < 8; ++draw) {
    const auto port = static_cast<uint16_t>(kUdpEphemeralFirst + random_.next() % kRange);
    if (auto bound = udp_.bind(port, *this);
        bound.ok() || bound.error() != lib::Error::AlreadyExists)
      return bound;
  }
  return udp_.bind(0, *this);
}

void DnsResolver::release(Query& query) {
  query.used = false;
  udp_.unbind(query.port);
}

void DnsResolver::cancel(uint16_t query) {
  for (Query& q : queries_) {
    if (q.used && q.id == query) release(q);
  }
}

bool DnsResolver::cached(const char* name, uint64_t now_ms, DnsAnswer& out) const {
  char normal[kDnsMaxName + 2];
  if (normalize(name, normal) == 0 || now_ms >= cached_until_ || !same_name(normal, cached_name_))
    return false;
  out = cached_answer_;
  return true;
}

lib::Result<void> DnsResolver::send(Query& query, uint64_t now_ms) {
  uint8_t message[kDnsMaxMessage];
  const size_t size = TRY(write_dns_query(query.id, query.name, message, sizeof(message)));
  ++query.tries;
  query.deadline = now_ms + kDnsTimeoutMs;
  return udp_.send(query.port, server_, kDnsPort, message, size, now_ms);
}

void DnsResolver::poll(uint64_t now_ms) {
  for (Query& q : queries_) {
    if (!q.used || now_ms < q.deadline) continue;
    if (q.tries >= kDnsTries) {
      finish(q, DnsStatus::TimedOut, {}, now_ms);
    } else {
      (void)send(q, now_ms);  // a failed send is retried like a lost one
    }
  }
}

void DnsResolver::on_datagram(uint16_t local_port, Ipv4 source, uint16_t source_port, Ipv4,
                              const uint8_t* data, size_t size, uint64_t now_ms) {
  if (source != server_ || source_port != kDnsPort || size < 2)
    return counters_.count(Drop::DnsUnexpected);
  const uint16_t id = load16(data);
  for (Query& q : queries_) {
    if (!q.used || q.port != local_port || q.id != id) continue;
    DnsAnswer answer;
    const DnsStatus status = parse_dns_answer(data, size, id, q.name, answer);
    if (status == DnsStatus::Mismatch) break;
    if (status == DnsStatus::Malformed) counters_.count(Drop::DnsMalformed);
    finish(q, status, answer, now_ms);
    return;
  }
  counters_.count(Drop::DnsUnexpected);
}

void DnsResolver::finish(Query& query, DnsStatus status, const DnsAnswer& answer, uint64_t now_ms) {
  release(query);
  if (status == DnsStatus::Ok) {
    __builtin_memcpy(cached_name_, query.name, sizeof(cached_name_));
    cached_answer_ = answer;
    cached_until_ = now_ms + uint64_t{answer.ttl_s} * 1000;
  }
  // The slot is free before the listener runs, so it may resolve again.
  query.listener->on_resolved(query.id, status, answer);
}

}  // namespace tcpip
