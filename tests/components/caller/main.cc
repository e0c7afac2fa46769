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
  static constexpr uint64_t kRefusedCall = 41;
  static constexpr uint64_t kOpenedCall = 42;

  void on_start() override {
    auto session = open("echo:");
    log("open echo: -> status {}", stellina::status_code(session));
    if (session.ok()) {
      // Data, then two Opens whose answers come to the loop's handlers: echo refuses one it
      // does not serve (on_abort) and answers "echo:" with another session (on_open_reply).
      const Channel& s = session.value();
      stellina::ignore(s.send("via router"), "the log shows whether it answered");
      stellina::ignore(s.send(abi::MessageKind::Open, "nope:", kRefusedCall, nullptr, 0),
                       "the log shows whether it answered");
      stellina::ignore(s.send(abi::MessageKind::Open, "echo:", kOpenedCall, nullptr, 0),
                       "the log shows whether it answered");
      stellina::ignore(listen(session.release_value(), &session_answers_),
                       "the log shows whether the session answered");
    }
    log("open nope:thing -> status {}", stellina::status_code(open("nope:thing")));
    log("open no-scheme -> status {}", stellina::status_code(open("no-scheme")));
    // The startup server's own schemes: refused, its spec does not list them.
    log("open status: -> status {}", stellina::status_code(open("status:")));
    log("open boot:manifest -> status {}", stellina::status_code(open("boot:manifest")));
    next_heartbeat_ = sys::clock_now() + kHeartbeatNs;
    if (!set_timer(sys::clock_now() + kPingNs).ok()) log("cannot set the ping timer");
  }

  void on_service_connected(const char* field) override {
    log("service {} connected", field);
    if (&env().control == env().service(field)) {
      stellina::ignore(env().control.send("help"), "the log shows whether it answered");
    }
  }

  void on_data(Channel& ch, Bytes data) override {
    char text[48] = {};
    __builtin_memcpy(text, data.data, data.size < sizeof(text) ? data.size : sizeof(text) - 1);
    if (uint32_t* answers = context_of<uint32_t>(ch)) {  // the echo: session
      ++*answers;
      log("the echo: session answered '{}'", text);
    } else if (&ch == &env().control) {
      log("control answered '{}'", text);
    } else if (&ch == &env().echo) {
      ++answers_;
      if (!answered_) log(lost_ ? "echo answered again after its restart" : "echo answered");
      answered_ = true;
    }
  }

  void on_abort(Channel& ch, uint64_t call_id, stellina::Status status) override {
    if (context_of<uint32_t>(ch)) {
      log("the echo: session aborted call {}: {}", call_id, stellina::status_name(status));
    }
  }

  void on_open_reply(Channel& ch, uint64_t call_id, Channel resource) override {
    if (context_of<uint32_t>(ch)) {
      log("the echo: session answered call {} with a channel: {}", call_id,
          resource.valid() ? "valid" : "invalid");
    }
  }

  void on_peer_closed(Channel& ch) override {
    if (&ch != &env().echo) return;
    lost_ = true;
    answered_ = false;
    log("echo channel closed");
  }

  void on_timer() override {
    const uint64_t now = sys::clock_now();
    if (env().echo.valid()) stellina::ignore(env().echo.send("ping"), "lost pings show in the log");
    if (now >= next_heartbeat_) {
      log("{} answers so far", answers_);
      next_heartbeat_ = now + kHeartbeatNs;
    }
    if (!set_timer(now + kPingNs).ok()) log("cannot set the ping timer");
  }

  uint32_t session_answers_ = 0;  // the echo: session's state (its context)
  uint64_t answers_ = 0;
  uint64_t next_heartbeat_ = 0;
  bool answered_ = false;
  bool lost_ = false;
};

STELLINA_COMPONENT(Caller)
