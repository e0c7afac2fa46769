#pragma once
// Channel messages: a kind from a small fixed set, up to kMaxData bytes of payload and up to
// kMaxHandles handles moved with it, all or nothing. There is no IDL: the kind says how to
// read the payload.

#include <stdint.h>

#include <stellina/types.h>

namespace stellina::abi {

constexpr uint32_t kMaxMessageData = 4096;
constexpr uint32_t kMaxMessageHandles = 4;
constexpr uint32_t kChannelQueueLimit = 64;  // messages queued at one end before send blocks

enum class MessageKind : uint32_t {
  // Connect{channel, ConnectInfo}: a new peer; handles[0] is the channel to talk to it on.
  // From the startup server the data is a ConnectInfo saying what the channel is for.
  Connect = 1,
  // Open{call_id, uri}: asks for the resource named by the URI in data (no NUL).
  Open = 2,
  // OpenReply{call_id, channel}: the answer to Open; handles[0] is the resource's channel.
  OpenReply = 3,
  // Data{bytes}: payload bytes; the meaning is the channel's protocol.
  Data = 4,
  // Abort{call_id, error}: the call failed; data holds the Status as an int64.
  Abort = 5,
  // Error{error}: the peer hit an error not tied to a call; data holds the Status.
  Error = 6,
  // Stop{}: from the startup server on a component's startup channel: the system is shutting
  // down or rebooting. The component finishes what must not be lost (a file server writes
  // its cache back) and exits; one still running 2 s later (kStopBoundMs,
  // servers/startup/README.md) is killed. No data, no handles.
  Stop = 7,
};

// The descriptor user code passes to channel_send, channel_recv and channel_call.
// On send: kind, call_id, data/data_size and handles/handle_count describe the message.
// On receive: data_capacity and handle_capacity say how much room there is; the kernel fills
// kind, call_id, data_size and handle_count (and installs the received handles).
struct MessageBuffer {
  MessageKind kind;
  uint32_t reserved;
  uint64_t call_id;
  void* data;
  uint32_t data_size;
  uint32_t data_capacity;
  Handle* handles;
  uint32_t handle_count;
  uint32_t handle_capacity;
};

// The data of a Connect sent by the startup server on a component's startup channel.
enum class ConnectRole : uint32_t {
  Client = 0,   // a client of the service `name` this component exports
  Service = 1,  // the service this component requires as field `name` (at start, and again
                // after its provider restarts: the old channel has closed)
};
struct ConnectInfo {
  ConnectRole role;
  char name[60];  // NUL-terminated
};

}  // namespace stellina::abi
