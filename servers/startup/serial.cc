// The serial: scheme (abi/stellina/status.h): the kernel console's serial port, held by a
// channel. Each Open makes a fresh channel and sends one end to the kernel console, which
// gives it the port (closing the one that held it before: the newest holds it); the other
// end answers the Open.
#include "servers/startup/supervisor.h"

namespace startup {

namespace sys = stellina::sys;

void Supervisor::open_serial(size_t client, uint64_t call_id, size_t rest_size) {
  const abi::Handle reply = components_[client].names;
  if (rest_size != 0) {  // "serial:" names one resource, the port: nothing follows
    abort_call(reply, call_id, abi::kErrNotFound);
    return;
  }
  if (serial_ == abi::kInvalidHandle) {
    say(log_, "{} opened 'serial:': the kernel has no serial console",
        components_[client].spec.name);
    abort_call(reply, call_id, abi::kErrNotSupported);
    return;
  }
  abi::Handle ends[2];
  const int64_t created = sys::channel_create(ends);
  if (created != abi::kOk) {
    abort_call(reply, call_id, created);
    return;
  }
  const int64_t given = send(serial_, abi::MessageKind::Data, 0, nullptr, 0, ends[0]);
  if (given != abi::kOk) {  // ends[0] is closed
    say(log_, "{} opened 'serial:': the kernel console refused it ({})",
        components_[client].spec.name, given);
    sys::handle_close(ends[1]);
    abort_call(reply, call_id, given);
    return;
  }
  say(log_, "{} holds the serial port", components_[client].spec.name);
  // If the client is gone, its end closes with the reply, and the console takes the port back.
  send(reply, abi::MessageKind::OpenReply, call_id, nullptr, 0, ends[1]);
}

}  // namespace startup
