#pragma once
// What an open file description of kind Socket keeps (linux_fd_table.h embeds it): the
// socket's type, where it is in its life, its addresses and options. The channel to the
// network stack (a stream, listen or datagram channel: abi/stellina/socket.h) is the
// description's handle. See linux_socket.h and docs/linux.md.

#include <stdint.h>

#include <stellina/socket.h>

namespace kernel {

enum class LinuxSocketState : uint8_t {
  Fresh,       // made, not bound (a datagram socket: bound once its channel is open)
  Bound,       // bind gave it a local address; the stack knows nothing of it yet
  Connecting,  // a connect's Open waits for its answer (connect_call)
  Connected,   // handle: a stream channel (TCP) or a datagram channel with a peer (UDP)
  Listening,   // handle: a listen channel
  Failed,      // a connect was refused or timed out: error says why
};

struct LinuxSocket {
  bool datagram = false;  // SOCK_DGRAM (UDP), else SOCK_STREAM (TCP)
  LinuxSocketState state = LinuxSocketState::Fresh;
  bool has_peer = false;            // a datagram socket's connect gave a default destination
  bool read_shut = false;           // SHUT_RD, the stream's end read, or closed (wait_socket)
  bool write_shut = false;          // shutdown(SHUT_WR): the FIN went out
  bool reset = false;               // the stack reported the connection failed (reads say so once)
  bool connect_unreported = false;  // a non-blocking connect no later connect has answered
  // A blocking connect waits for the Open's answer: no other thread settles it (settle_connect),
  // which would take the answer the waiting one waits for.
  bool connect_waiting = false;
  bool reuse_address = false, keep_alive = false, no_delay = false;  // accepted, reported
  int32_t error = 0;  // SO_ERROR: a pending errno (positive), cleared when read
  uint32_t receive_buffer = 131072, send_buffer = 16384;  // reported as Linux does: doubled
  uint64_t connect_call = 0;  // Connecting: the Open's call id on the namespace channel
  stellina::abi::SocketAddress local{};
  stellina::abi::SocketAddress remote{};
};

}  // namespace kernel
