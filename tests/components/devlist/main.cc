// DevList: asks the device manager for its table ("list" on the devices service) once
// connected, and logs every line of the answer and how many there were.
#include <stellina/component.h>

#include "devlist_env.h"

using stellina::Bytes;
using stellina::Channel;

class DevList final : public stellina::ComponentWith<stellina::components::devlist::Env> {
  void on_service_connected(const char*) override {
    if (!env().devices.send("list").ok()) log("cannot ask the device manager");
  }

  void on_data(Channel& ch, Bytes data) override {
    if (&ch != &env().devices) return;
    const char* text = static_cast<const char*>(data.data);
    size_t lines = 0, start = 0;
    for (size_t i = 0; i <= data.size; ++i) {
      if (i < data.size && text[i] != '\n') continue;
      if (i > start) {
        char line[160] = {};
        const size_t n = i - start < sizeof(line) ? i - start : sizeof(line) - 1;
        __builtin_memcpy(line, text + start, n);
        log("device: {}", static_cast<const char*>(line));
        ++lines;
      }
      start = i + 1;
    }
    log("{} devices listed", lines);
  }
};

STELLINA_COMPONENT(DevList)
