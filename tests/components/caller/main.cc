// Caller: a client of echo for the startup tests. It pings echo every 20 ms over env().echo,
// the channel its spec requires, and logs the transitions (answered, lost, answered again),
// a heartbeat every second, what the scheme router does with its Opens (status: and boot:,
// which its spec does not list, are refused), and what the
// startup server's control channel (env().control) says.
#include <stellina/component.h>

#include "caller_env.h"

using stellina::Bytes;
using stellina::Channel;
namespace abi = stellina::abi;
namespace sys = stellina::sys;

class Caller final : public stellina::ComponentWith<stellina::components::caller::Env> {
  static constexpr uint64_t kPingNs = 20'000'000;
  static constexpr uint64_t kHeartbeatNs = 1'000'000'000;

  void on_start() override {
    Channel session;
    const int64_t opened = open("echo:", &session);
    log("open echo: -> status {}", opened);
    if (opened == abi::kOk) {
      session.send(Bytes{"via router", 10});
      session_ = listen(static_cast<Channel&&>(session));
    }
    log("open nope:thing -> status {}", open("nope:thing", &session));
    log("open no-scheme -> status {}", open("no-scheme", &session));
    // The startup server's own schemes: refused, its spec does not list them.
    log("open status: -> status {}", open("status:", &session));
    log("open boot:manifest -> status {}", open("boot:manifest", &session));
    next_heartbeat_ = sys::clock_now() + kHeartbeatNs;
    set_timer(sys::clock_now() + kPingNs);
  }

  void on_service_connected(const char* field) override {
    log("service {} connected", field);
    if (&env().control == env().service(field)) env().control.send(Bytes{"help", 4});
  }

  void on_data(Channel& ch, Bytes data) override {
    char text[48] = {};
    __builtin_memcpy(text, data.data, data.size < sizeof(text) ? data.size : sizeof(text) - 1);
    if (&ch == session_) {
      log("the echo: session answered '{}'", text);
    } else if (&ch == &env().control) {
      log("control answered '{}'", text);
    } else if (&ch == &env().echo) {
      ++answers_;
      if (!answered_) log(lost_ ? "echo answered again after its restart" : "echo answered");
      answered_ = true;
    }
  }

  void on_peer_closed(Channel& ch) override {
    if (&ch == session_) session_ = nullptr;  // its slot may hold another channel later
    if (&ch != &env().echo) return;
    lost_ = true;
    answered_ = false;
    log("echo channel closed");
  }

  void on_timer() override {
    const uint64_t now = sys::clock_now();
    if (env().echo.valid()) env().echo.send(Bytes{"ping", 4});
    if (now >= next_heartbeat_) {
      log("{} answers so far", answers_);
      next_heartbeat_ = now + kHeartbeatNs;
    }
    set_timer(now + kPingNs);
  }

  Channel* session_ = nullptr;
  uint64_t answers_ = 0;
  uint64_t next_heartbeat_ = 0;
  bool answered_ = false;
  bool lost_ = false;
};

STELLINA_COMPONENT(Caller)
