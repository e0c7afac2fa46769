#pragma once
// DNS (RFC 1035) for nslookup, wget and ping: a query for a name's A record, and the answer
// parsed without trusting a byte of it (lengths past the end, compression loops, names too
// long, counts the message cannot hold are all refused). Pure: builds on the host.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace cmd::net {

constexpr size_t kDnsMaxMessage = 512;  // over UDP, without EDNS
constexpr size_t kDnsMaxName = 253;     // in text, without the final dot
constexpr size_t kDnsMaxLabel = 63;
constexpr size_t kDnsMaxRecords = 16;  // answers kept; more are checked, then ignored
constexpr size_t kDnsMaxJumps = 16;    // compression pointers followed in one name
constexpr uint16_t kDnsTypeA = 1, kDnsTypeCname = 5, kDnsClassIn = 1;
constexpr uint16_t kDnsPort = 53;

// A query (recursion desired) for name's records of type; returns its size, or 0 if the
// name is not one (empty, an empty label, a label past 63 bytes, past 253 bytes in all, a
// byte that is not printable) or capacity is too small. One final dot is allowed.
size_t dns_build_query(lib::StringView name, uint16_t id, uint16_t type, uint8_t* out,
                       size_t capacity);

enum class DnsStatus : uint8_t {
  Ok,
  Malformed,      // does not parse, or is not an answer to our question
  Truncated,      // TC set: the answer did not fit in a datagram
  NameError,      // NXDOMAIN
  ServerFailure,  // SERVFAIL
  Refused,        // REFUSED
  OtherError,     // any other RCODE
};
const char* dns_status_name(DnsStatus status);  // "NXDOMAIN", "SERVFAIL", ...

struct DnsRecord {
  uint16_t type = 0;
  uint32_t ttl = 0;
  char name[kDnsMaxName + 1] = {};    // the owner, without the final dot
  uint8_t address[4] = {};            // A
  char target[kDnsMaxName + 1] = {};  // CNAME
};

struct DnsAnswer {
  bool authoritative = false;
  uint8_t rcode = 0;
  size_t count = 0;  // records kept (A and CNAME of class IN), in the answer's order
  DnsRecord records[kDnsMaxRecords];
};

// Parses message[0..size) as the answer to the query with this id for (name, type). Errors
// as DnsStatus; *out is filled for Ok (and its rcode for the errors that carry one).
DnsStatus dns_parse_answer(const uint8_t* message, size_t size, uint16_t id, lib::StringView name,
                           uint16_t type, DnsAnswer* out);

// The first address of name in the answer, following CNAMEs from it (at most
// kDnsMaxRecords of them); *canonical gets the name the address belongs to. False if there
// is none.
bool dns_find_address(const DnsAnswer& answer, lib::StringView name, uint8_t (&address)[4],
                      lib::StringView* canonical);

// Whether two names are the same (ASCII case ignored, a final dot ignored).
bool dns_same_name(lib::StringView a, lib::StringView b);

}  // namespace cmd::net
