#include "programs/lib/net_dns.h"

namespace cmd::net {

namespace {

constexpr size_t kHeader = 12;

uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t load32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
void store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

lib::StringView without_dot(lib::StringView name) {
  return name.ends_with(".") ? name.substr(0, name.size() - 1) : name;
}

// Reads the name at *at into out (text, dots between labels, NUL-terminated); *at moves past
// it where it is (not where a pointer led). A pointer must lead strictly backwards, at most
// kDnsMaxJumps times, so no name can loop; a label or the name past its limit, a reserved
// label type, or anything past the end of the message is refused.
bool read_name(const uint8_t* m, size_t size, size_t* at, char (&out)[kDnsMaxName + 1]) {
  size_t pos = *at;
  size_t length = 0;  // of out
  size_t wire = 0;    // bytes of the name on the wire, at most 255
  size_t jumps = 0;
  bool jumped = false;
  size_t lowest = pos;  // a pointer must lead before every place read so far
  for (;;) {
    if (pos >= size) return false;
    const uint8_t b = m[pos];
    if ((b & 0xc0) == 0xc0) {
      if (pos + 1 >= size || ++jumps > kDnsMaxJumps) return false;
      const size_t target = static_cast<size_t>(b & 0x3f) << 8 | m[pos + 1];
      if (target >= lowest) return false;
      if (!jumped) *at = pos + 2;
      jumped = true;
      lowest = target;
      pos = target;
      continue;
    }
    if (b & 0xc0) return false;  // 0x40 and 0x80: reserved label types
    if (b == 0) {
      if (!jumped) *at = pos + 1;
      out[length] = '\0';
      return wire + 1 <= 255;
    }
    if (pos + 1 + b > size) return false;
    wire += 1 + b;
    if (wire + 1 > 255 || length + (length ? 1 : 0) + b > kDnsMaxName) return false;
    if (length) out[length++] = '.';
    for (size_t i = 0; i < b; ++i) {
      const char c = static_cast<char>(m[pos + 1 + i]);
      // Bytes that would garble a terminal or the text are refused ('.' inside a label too).
      if (c <= ' ' || c > '~' || c == '.') return false;
      out[length++] = c;
    }
    pos += 1 + b;
  }
}

}  // namespace

bool dns_same_name(lib::StringView a, lib::StringView b) {
  a = without_dot(a);
  b = without_dot(b);
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

size_t dns_build_query(lib::StringView name, uint16_t id, uint16_t type, uint8_t* out,
                       size_t capacity) {
  name = without_dot(name);
  if (name.empty() || name.size() > kDnsMaxName) return 0;
  const size_t size = kHeader + name.size() + 2 + 4;
  if (capacity < size) return 0;
  for (size_t i = 0; i < kHeader; ++i) out[i] = 0;
  store16(out, id);
  out[2] = 0x01;  // RD
  store16(out + 4, 1);
  size_t at = kHeader;
  size_t start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && name[i] != '.') {
      const char c = name[i];
      if (c <= ' ' || c > '~') return 0;
      continue;
    }
    const size_t label = i - start;
    if (label == 0 || label > kDnsMaxLabel) return 0;
    out[at++] = static_cast<uint8_t>(label);
    for (size_t j = start; j < i; ++j) out[at++] = static_cast<uint8_t>(name[j]);
    start = i + 1;
  }
  out[at++] = 0;
  store16(out + at, type);
  store16(out + at + 2, kDnsClassIn);
  return at + 4;
}

const char* dns_status_name(DnsStatus status) {
  switch (status) {
    case DnsStatus::Ok: return "NOERROR";
    case DnsStatus::Malformed: return "malformed answer";
    case DnsStatus::Truncated: return "truncated answer";
    case DnsStatus::NameError: return "NXDOMAIN";
    case DnsStatus::ServerFailure: return "SERVFAIL";
    case DnsStatus::Refused: return "REFUSED";
    case DnsStatus::OtherError: return "server error";
  }
  return "?";
}

DnsStatus dns_parse_answer(const uint8_t* m, size_t size, uint16_t id, lib::StringView name,
                           uint16_t type, DnsAnswer* out) {
  *out = DnsAnswer{};
  if (size < kHeader || size > 65535) return DnsStatus::Malformed;
  if (load16(m) != id) return DnsStatus::Malformed;
  const uint8_t flags = m[2];
  if (!(flags & 0x80) || (flags & 0x78) != 0) return DnsStatus::Malformed;  // QR, opcode 0
  out->authoritative = flags & 0x04;
  out->rcode = m[3] & 0x0f;
  const uint16_t questions = load16(m + 4);
  const uint16_t answers = load16(m + 6);
  if (questions != 1) return DnsStatus::Malformed;
  // The question must be ours.
  size_t at = kHeader;
  char text[kDnsMaxName + 1];
  if (!read_name(m, size, &at, text) || at + 4 > size) return DnsStatus::Malformed;
  if (!dns_same_name(text, name) || load16(m + at) != type || load16(m + at + 2) != kDnsClassIn)
    return DnsStatus::Malformed;
  at += 4;
  if (flags & 0x02) return DnsStatus::Truncated;
  switch (out->rcode) {
    case 0: break;
    case 2: return DnsStatus::ServerFailure;
    case 3: return DnsStatus::NameError;
    case 5: return DnsStatus::Refused;
    default: return DnsStatus::OtherError;
  }
  for (uint16_t i = 0; i < answers; ++i) {
    DnsRecord r;
    if (!read_name(m, size, &at, r.name) || at + 10 > size) return DnsStatus::Malformed;
    r.type = load16(m + at);
    const uint16_t klass = load16(m + at + 2);
    r.ttl = load32(m + at + 4);
    const size_t length = load16(m + at + 8);
    at += 10;
    if (length > size - at) return DnsStatus::Malformed;
    const size_t end = at + length;
    bool keep = false;
    if (klass == kDnsClassIn && r.type == kDnsTypeA) {
      if (length != 4) return DnsStatus::Malformed;
      for (int b = 0; b < 4; ++b) r.address[b] = m[at + b];
      keep = true;
    } else if (klass == kDnsClassIn && r.type == kDnsTypeCname) {
      size_t target_at = at;
      // The target lies within the record (a pointer may lead anywhere before it).
      if (!read_name(m, end, &target_at, r.target) || target_at != end) return DnsStatus::Malformed;
      keep = true;
    }
    if (keep && out->count < kDnsMaxRecords) out->records[out->count++] = r;
    at = end;
  }
  return DnsStatus::Ok;
}

bool dns_find_address(const DnsAnswer& answer, lib::StringView name, uint8_t (&address)[4],
                      lib::StringView* canonical) {
  lib::StringView current = name;
  for (size_t hops = 0; hops <= kDnsMaxRecords; ++hops) {
    for (size_t i = 0; i < answer.count; ++i) {
      const DnsRecord& r = answer.records[i];
      if (r.type != kDnsTypeA || !dns_same_name(r.name, current)) continue;
      for (int b = 0; b < 4; ++b) address[b] = r.address[b];
      if (canonical) *canonical = current;
      return true;
    }
    bool moved = false;
    for (size_t i = 0; i < answer.count && !moved; ++i) {
      const DnsRecord& r = answer.records[i];
      if (r.type != kDnsTypeCname || !dns_same_name(r.name, current)) continue;
      current = r.target;
      moved = true;
    }
    if (!moved) return false;
  }
  return false;
}

}  // namespace cmd::net
