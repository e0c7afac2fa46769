// The device manager: finds the machine's devices, has their drivers started and reports
// them. PCI is read through the ECAM window the firmware's ACPI MCFG table names (q35);
// virtio-mmio transports sit in fixed slots on microvm. Every device is logged at start, each
// one a driver takes is bound through the startup server, and a Data "list" on the "devices"
// service answers with the table. See servers/devmgr/README.md.
#include <stellina/component.h>

#include <lib/pci.h>

#include <devmgr_env.h>

#include "servers/devmgr/devices.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;
using stellina::Bytes;
using stellina::Channel;

class DeviceManager final : public stellina::ComponentWith<stellina::components::devmgr::Env> {
  void on_start() override {
    const abi::Handle platform = env().platform;
    abi::PlatformInfo info{};
    const int64_t r = sys::platform_info(platform, &info);
    if (r != abi::kOk) {
      log("no platform handle (status {}): no devices", r);
      return;
    }
    const size_t found = devices_.discover(platform, info);
    for (size_t i = 0; i < devices_.count(); ++i) {
      char line[160];
      devices_.describe(i, line, sizeof(line));
      log("{}", static_cast<const char*>(line));
    }
    log("{} devices found", found);
    pending_ = devices_.bind_all(platform, parent().get(), log_handle());
    if (!pending_) log("0 of {} devices bound to drivers", found);
  }

  void on_connect(Channel ch) override {
    if (!listen(static_cast<Channel&&>(ch)).ok()) log("a client refused: too many channels");
  }

  void on_data(Channel& ch, Bytes data) override {
    if (&ch == &parent()) {  // the startup server answers a bind
      char answer[96] = {};
      __builtin_memcpy(answer, data.data,
                       data.size < sizeof(answer) ? data.size : sizeof(answer) - 1);
      log("bind: {}", static_cast<const char*>(answer));
      constexpr lib::StringView kBound = "ok: ";
      if (lib::StringView(answer).starts_with(kBound)) devices_.bound(answer + kBound.size());
      if (pending_ && --pending_ == 0) {
        log("{} of {} devices bound to drivers", devices_.bound_count(), devices_.count());
        for (size_t i = 0; i < 8; ++i) {
          if (waiting_[i]) answer_list(*waiting_[i], waiting_calls_[i]);
          waiting_[i] = nullptr;
        }
      }
      return;
    }
    if (data.text() != "list") {
      return stellina::ignore(ch.send("error: try 'list'\n"),
                              "a client that does not read misses the hint");
    }
    // While binds are being answered the table is about to change: the answer waits.
    for (size_t i = 0; i < 8; ++i) {
      if (!pending_ || waiting_[i]) continue;
      waiting_[i] = &ch;
      waiting_calls_[i] = call_id();
      return;
    }
    answer_list(ch, call_id());
  }

  void on_peer_closed(Channel& ch) override {
    for (Channel*& waiting : waiting_)
      if (waiting == &ch) waiting = nullptr;
  }

  // The answer carries the request's call id, for a client that waits for it (channel_call).
  void answer_list(Channel& ch, uint64_t call) {
    static char table[abi::kMaxMessageData];
    stellina::ignore(ch.send(Bytes{table, devices_.table(table, sizeof(table))}, call),
                     "a client that does not read asks again");
  }

  devmgr::Devices devices_;
  size_t pending_ = 0;        // bind requests not answered yet
  Channel* waiting_[8] = {};  // clients whose "list" waits for those answers
  uint64_t waiting_calls_[8] = {};
};

STELLINA_COMPONENT(DeviceManager)
