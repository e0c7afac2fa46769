#pragma once
// Linux's socket ABI as the personality serves it (x86_64): the call numbers, the constants
// of socket, setsockopt, send and recv, the errnos of networking, and the structures read
// from and written to a program's memory.

#include <stdint.h>

#include "kernel/linux/linux_task_abi.h"  // kEtimedout

namespace kernel::linux_abi {

enum SocketCall : uint64_t {
  kSelect = 23,
  kSocket = 41,
  kConnect = 42,
  kAccept = 43,
  kSendto = 44,
  kRecvfrom = 45,
  kSendmsg = 46,
  kRecvmsg = 47,
  kShutdown = 48,
  kBind = 49,
  kListen = 50,
  kGetsockname = 51,
  kGetpeername = 52,
  kSocketpair = 53,
  kSetsockopt = 54,
  kGetsockopt = 55,
  kPselect6 = 270,
  kAccept4 = 288,
};

enum SocketErrno : int64_t {
  kEnotsock = 88,
  kEdestaddrreq = 89,
  kEmsgsize = 90,
  kEnoprotoopt = 92,
  kEprotonosupport = 93,
  kEafnosupport = 97,
  kEaddrinuse = 98,
  kEaddrnotavail = 99,
  kEnetunreach = 101,
  kEnobufs = 105,
  kEisconn = 106,
  kEnotconn = 107,
  kEconnrefused = 111,
  kEconnreset = 104,
  kEalready = 114,
  kEinprogress = 115,
};

constexpr uint64_t kAfInet = 2;
constexpr uint64_t kSockStream = 1, kSockDgram = 2, kSockTypeMask = 0xf;
constexpr uint64_t kSockNonblock = 04000, kSockCloexec = 02000000;
constexpr uint64_t kIpprotoIp = 0, kIpprotoTcp = 6, kIpprotoUdp = 17;

constexpr uint64_t kSolSocket = 1;
constexpr uint64_t kSoReuseaddr = 2, kSoType = 3, kSoError = 4, kSoSndbuf = 7, kSoRcvbuf = 8,
                   kSoKeepalive = 9, kSoReuseport = 15, kSoAcceptconn = 30, kSoProtocol = 38,
                   kSoDomain = 39;
constexpr uint64_t kTcpNodelay = 1;

constexpr uint64_t kMsgPeek = 0x2, kMsgTrunc = 0x20, kMsgDontwait = 0x40, kMsgWaitall = 0x100,
                   kMsgNosignal = 0x4000;
constexpr uint64_t kShutRd = 0, kShutWr = 1, kShutRdwr = 2;

// struct sockaddr_in: port and address in network order.
struct SockaddrIn {
  uint16_t family;
  uint16_t port;
  uint8_t address[4];
  uint8_t zero[8];
};
static_assert(sizeof(SockaddrIn) == 16);

// struct msghdr.
struct Msghdr {
  uint64_t name;
  uint32_t name_size;
  uint32_t pad;
  uint64_t iov;
  uint64_t iov_count;
  uint64_t control;
  uint64_t control_size;
  int32_t flags;
  int32_t pad2;
};
static_assert(sizeof(Msghdr) == 56);

}  // namespace kernel::linux_abi
