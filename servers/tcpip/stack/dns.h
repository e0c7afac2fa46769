#pragma once
// A stub DNS resolver (RFC 1035): A queries over UDP to the configured server, each with a
// random id from a random source port of its own (RFC 5452: a spoofed answer must guess
// both, some 2^30 pairs), sent again after kDnsTimeoutMs up to kDnsTries times. Answers are parsed
// with every length checked, compressed names followed (with a bound on pointers, so a loop cannot
// hang it), and CNAMEs in the answer followed to the address. A truncated answer is an error (there
// is no TCP fallback). The last answer is kept for its TTL.

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

#include "servers/tcpip/stack/counters.h"
#include "servers/tcpip/stack/net.h"
#include "servers/tcpip/stack/random.h"
#include "servers/tcpip/stack/udp.h"

namespace tcpip {

constexpr uint16_t kDnsPort = 53;
constexpr size_t kDnsMaxName = 253;  // dotted, without the final dot
constexpr size_t kDnsMaxMessage = 512;
constexpr size_t kDnsQueries = 4;  // at once
constexpr uint64_t kDnsTimeoutMs = 2'000;
constexpr uint8_t kDnsTries = 3;

enum class DnsStatus : uint8_t {
  Ok,
  NotFound,       // the name does not exist, or has no address
  ServerFailure,  // the server answered with another error (SERVFAIL, REFUSED, ...)
  Truncated,      // the answer did not fit in a UDP message
  Malformed,      // the answer does not parse
  Mismatch,       // not an answer to this query (id, question): ignore it
  TimedOut,       // no answer after kDnsTries queries
};

const char* dns_status_name(DnsStatus status);

struct DnsAnswer {
  Ipv4 address;
  uint32_t ttl_s = 0;  // the smallest along the CNAME chain
};

// Writes an A query for name (dotted, an optional final dot) with recursion desired into
// out[0..capacity) and returns its size. Errors: InvalidArgument (an empty name or label, a
// label over 63 bytes, a name over kDnsMaxName), BufferTooSmall.
lib::Result<size_t> write_dns_query(uint16_t id, const char* name, uint8_t* out, size_t capacity);

// Reads the answer to the A query `id` for `name` (as given to write_dns_query; compared
// without regard to case).
DnsStatus parse_dns_answer(const uint8_t* message, size_t size, uint16_t id, const char* name,
                           DnsAnswer& out);

// Told how each query ended.
class DnsListener {
 public:
  virtual void on_resolved(uint16_t query, DnsStatus status, const DnsAnswer& answer) = 0;

 protected:
  ~DnsListener() = default;
};

class DnsResolver final : public UdpReceiver {
 public:
  DnsResolver(Udp& udp, Counters& counters, Random& random)
      : udp_(udp), counters_(counters), random_(random) {}

  // The server to ask (0: none).
  void set_server(Ipv4 server) { server_ = server; }
  Ipv4 server() const { return server_; }

  // Asks for the address of name; listener.on_resolved is called once with the returned
  // query number, from receive_frame or poll (never from resolve). Errors: InvalidArgument
  // (the name, as write_dns_query), NotFound (no server), NoResources (kDnsQueries are
  // pending, or no UDP port), and those of Udp::send.
  lib::Result<uint16_t> resolve(const char* name, DnsListener& listener, uint64_t now_ms);
  // Forgets a pending query: its listener is not called.
  void cancel(uint16_t query);
  // The last answer, if it is for name and its TTL has not run out.
  bool cached(const char* name, uint64_t now_ms, DnsAnswer& out) const;

  // Retries and times out queries; call at least every kDnsTimeoutMs / 4.
  void poll(uint64_t now_ms);

  void on_datagram(uint16_t local_port, Ipv4 source, uint16_t source_port, Ipv4 destination,
                   const uint8_t* data, size_t size, uint64_t now_ms) override;

 private:
  struct Query {
    bool used = false;
    uint16_t id = 0;
    uint16_t port = 0;  // the query's own UDP port, bound while it is pending
    uint8_t tries = 0;
    uint64_t deadline = 0;
    DnsListener* listener = nullptr;
    char name[kDnsMaxName + 2] = {};
  };

  lib::Result<uint16_t> bind_random_port();
  lib::Result<void> send(Query& query, uint64_t now_ms);
  void release(Query& query);
  void finish(Query& query, DnsStatus status, const DnsAnswer& answer, uint64_t now_ms);

  Udp& udp_;
  Counters& counters_;
  Random& random_;
  Ipv4 server_;
  Query queries_[kDnsQueries];
  char cached_name_[kDnsMaxName + 2] = {};
  DnsAnswer cached_answer_;
  uint64_t cached_until_ = 0;
};

}  // namespace tcpip
