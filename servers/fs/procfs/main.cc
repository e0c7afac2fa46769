// procfs: the running system as files (mounted at /proc by the system's mount table): the
// startup server's status: answers (components, processes, silos, memory, uptime, the kernel
// log), the network stack's counters and the device manager's table of devices, each made
// afresh when it is read from its start.
#include <stellina/component.h>

#include "procfs_env.h"
#include "servers/fs/core/file_component.h"
#include "servers/fs/procfs/procfs.h"

namespace stellina {
namespace {

constexpr uint64_t kTimeoutNs = 2'000'000'000;
// The views, and the command each is asked with ("netstat" goes to the network stack).
constexpr const char* kViews[] = {"components", "processes", "silos", "memory",
                                  "uptime",     "log",       "net",   "devices"};
constexpr const char* kCommands[] = {"components", "processes", "silos",   "memory",
                                     "uptime",     "log 64",    "netstat", "list"};

class ProcFs final : public fs::FileComponent<components::procfs::Env>, fs::ViewSource {
  Result<fs::FileSystem*> mount() override {
    return fs::make_procfs(kViews, sizeof(kViews) / sizeof(kViews[0]), *this);
  }
  bool read_only() const override { return true; }

  Result<size_t> render(size_t view, char* out, size_t capacity) override {
    const bool net = lib::StringView(kViews[view]) == "net";
    const bool devices = lib::StringView(kViews[view]) == "devices";  // the device manager's
    const bool status = !net && !devices;
    if (status && !status_.valid()) status_ = TRY(open("status:"));
    const Channel& ch = net ? env().netstat : devices ? env().devices : status_;
    if (!ch.valid()) return abi::kErrPeerClosed;
    const lib::StringView command = kCommands[view];
    if (capacity < abi::kMaxMessageData) return abi::kErrBufferTooSmall;
    __builtin_memcpy(out, command.data(), command.size());
    abi::MessageBuffer m{};
    m.kind = abi::MessageKind::Data;
    m.call_id = next_call_++;
    m.data = out;
    m.data_size = static_cast<uint32_t>(command.size());
    m.data_capacity = abi::kMaxMessageData;
    const int64_t r = sys::channel_call(ch.get(), &m, sys::clock_now() + kTimeoutNs);
    if (r == abi::kErrPeerClosed && status) status_.reset();  // opened again next time
    TRY(check_ok(r));
    return size_t{m.data_size};
  }

  Channel status_;
  uint64_t next_call_ = 1;
};

}  // namespace
}  // namespace stellina

STELLINA_COMPONENT(stellina::ProcFs)
