// Snoop: tries to reach what its spec does not grant and logs what the system says: handle
// values it was never given, spawning without the authority, and a scheme outside its spec.
// It requires nothing, so it should get nothing.
#include <stellina/component.h>

using stellina::Channel;
namespace abi = stellina::abi;
namespace sys = stellina::sys;

class Snoop final : public stellina::Component {
  void on_start() override {
    // Every handle value of its table but the three it was given, and its own handles with
    // other generations: each must be refused, but for the one its event loop made.
    size_t tried = 0, refused = 0, polls = 0;
    for (uint32_t value = 1; value <= 1024; ++value) {
      for (uint32_t generation = 0; generation < 4; ++generation) {
        const abi::Handle h = (generation << 12) | value;  // a generation, then the slot
        if (h == log_handle() || h == parent().get() || h == namespace_handle()) continue;
        abi::HandleInfo info{};
        ++tried;
        const int64_t r = sys::handle_query(h, &info);
        if (r == abi::kErrBadHandle) {
          ++refused;
        } else if (r == abi::kOk && info.type == abi::ObjectType::Poll) {
          ++polls;
        } else {
          log("handle {:#x} answered {} (type {})", h, r, static_cast<uint32_t>(info.type));
        }
      }
    }
    log("{} of {} handle values refused, and {} poll of its own", refused, tried, polls);

    // Spawning needs the authority (a handle with kRightManage): its log handle is not one.
    abi::SpawnRequest request{};
    request.name = "echo";
    request.name_size = 4;
    request.isolation = abi::Isolation::User;
    log("process_spawn with its log handle -> status {}",
        sys::process_spawn(log_handle(), &request));

    // echo: is served, but not to snoop, whose spec does not require it.
    log("open echo: -> status {}", stellina::status_code(open("echo:")));
    stop(0);
  }
};

STELLINA_COMPONENT(Snoop)
