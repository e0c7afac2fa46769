#pragma once
// AF_INET sockets of the Linux personality, over the network stack's channels
// (abi/stellina/socket.h). A socket is a descriptor of kind Socket whose description keeps
// its state (linux_socket_state.h) and, once the stack has one, the channel: a stream
// channel for a connected TCP socket, a listen channel for a listening one, a datagram
// channel for UDP. The channels come from Opens (`tcp:`, `tcp-listen:`, `udp:`) sent on the
// process's namespace channel (LinuxProcess::names), so a Linux process reaches the network
// only if its starter gave it one, and only as far as that namespace's server allows. See
// docs/linux.md, "Sockets".

#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_socket_abi.h"

namespace kernel::linux_calls {

// One entry for every socket call (socket, bind, listen, accept, accept4, connect, sendto,
// recvfrom, sendmsg, recvmsg, shutdown, getsockname, getpeername, setsockopt, getsockopt,
// socketpair) and for select and pselect6; kNotAFileCall when number is none of them.
int64_t socket_syscall(LinuxProcess& lp, uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5);

// read, readv and recv on a socket: at most count bytes into buffer (a stream's next bytes,
// a datagram's payload). flags: MSG_PEEK, MSG_DONTWAIT. from (a SockaddrIn, or null): the
// sender's address.
int64_t socket_read(LinuxOpenFile& file, uint64_t buffer, uint64_t count, uint64_t flags,
                    linux_abi::SockaddrIn* from = nullptr);
// write, writev and send on a socket: count bytes from src (a datagram: to `to`, else its
// peer). A stream whose peer reset it, or that was shut down for writing, is EPIPE.
int64_t socket_write(LinuxOpenFile& file, const ByteSource& src, uint64_t count, uint64_t flags,
                     const stellina::abi::SocketAddress* to = nullptr);

// poll: what the socket is ready for now (POLLIN, POLLOUT, POLLHUP, POLLERR bits of events'
// kind), and the channel whose signals (*mask) a wait for events watches (null: none). Only
// the signals events asks for are watched: the wait sees a signal as long as it lasts, so
// one not asked for (data unread, while POLLOUT is asked) would end every wait at once. A
// connecting socket waits for its answer on the namespace channel, watched only while no
// message waits there; while one does (another answer, not taken yet) *recheck is set and
// the caller looks again after kConnectRecheckNs instead.
constexpr uint64_t kConnectRecheckNs = 10'000'000;
uint16_t socket_ready(LinuxProcess& lp, LinuxOpenFile& file, uint16_t events) REQUIRES(sched_lock);
Channel* socket_watched(LinuxProcess& lp, const LinuxOpenFile& file, uint16_t events,
                        uint32_t* mask, bool* recheck) REQUIRES(sched_lock);

}  // namespace kernel::linux_calls
