// Sockets, select and O_NONBLOCK, compared line by line with the host (linux_sockets.py):
// a TCP server and its client (a forked child) in one program, the client reaching the
// server at PEER:PORT (127.0.0.1 on both; on Stellina also the machine's own address, both
// through the stack's loopback), the errors of every call, options, non-blocking connect
// and accept, select and pselect6 timeouts, shutdown waking a thread blocked in recv or
// accept, MSG_PEEK over several vectors, datagrams through a UDP echo child at PEER:PORT, and
// non-blocking pipes. What differs by nature (ports the kernel picks, buffer sizes) is not
// printed.
//   sockets PEER PORT
//   sockets close-wakes PEER PORT   (Stellina only: close on another thread wakes recv and
//                                    accept; Linux's leave them blocked)
//   sockets no-network              (Stellina only: a process given no namespace channel)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char* peer;
static int port;
static int failures;

static const char* name_of(int e) {
  switch (e) {
    case 0: return "ok";
    case EBADF: return "EBADF";
    case ENOTSOCK: return "ENOTSOCK";
    case EINVAL: return "EINVAL";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ENOTCONN: return "ENOTCONN";
    case EAGAIN: return "EAGAIN";
    case EINPROGRESS: return "EINPROGRESS";
    case EISCONN: return "EISCONN";
    case EPIPE: return "EPIPE";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EFAULT: return "EFAULT";
    case ESPIPE: return "ESPIPE";
    case EMFILE: return "EMFILE";
    case ENETUNREACH: return "ENETUNREACH";
    default: return "other";
  }
}

// Prints what a call gave: "ok" or its errno's name.
static void say(const char* what, long r) {
  printf("%s: %s\n", what, r < 0 ? name_of(errno) : "ok");
}

static void check(const char* what, int ok) {
  printf("%s: %s\n", what, ok ? "yes" : "NO");
  if (!ok) ++failures;
}

static struct sockaddr_in address_of(const char* host, int p) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons(p);
  inet_pton(AF_INET, host, &a.sin_addr);
  return a;
}

static int listener(int p, int flags) {
  int s = socket(AF_INET, SOCK_STREAM | flags, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in a = address_of("0.0.0.0", p);
  if (bind(s, (struct sockaddr*)&a, sizeof(a)) < 0 || listen(s, 4) < 0) {
    printf("listener on its port: %s\n", name_of(errno));
    exit(1);
  }
  return s;
}

static int connect_to(const char* host, int p) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = address_of(host, p);
  if (connect(s, (struct sockaddr*)&a, sizeof(a)) < 0) {
    int e = errno;
    close(s);
    errno = e;
    return -1;
  }
  return s;
}

static void errors(void) {
  int fds[2];
  pipe(fds);
  say("socket(99, SOCK_STREAM)", socket(99, SOCK_STREAM, 0));
  say("socket(AF_INET, 99)", socket(AF_INET, 99, 0));
  say("socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
  struct sockaddr_in a = address_of("0.0.0.0", 0);
  say("bind(a pipe)", bind(fds[0], (struct sockaddr*)&a, sizeof(a)));
  say("bind(999)", bind(999, (struct sockaddr*)&a, sizeof(a)));
  say("listen(a pipe)", listen(fds[0], 1));
  say("accept(999)", accept(999, NULL, NULL));
  say("connect(a pipe)", connect(fds[0], (struct sockaddr*)&a, sizeof(a)));
  say("getsockopt(a pipe)", getsockopt(fds[0], SOL_SOCKET, SO_TYPE, &(int){0}, &(socklen_t){4}));
  int s = socket(AF_INET, SOCK_STREAM, 0);
  say("bind(short address)", bind(s, (struct sockaddr*)&a, 8));
  struct sockaddr_in six = a;
  six.sin_family = AF_INET6;
  say("bind(AF_INET6 address)", bind(s, (struct sockaddr*)&six, sizeof(six)));
  say("accept(not listening)", accept(s, NULL, NULL));
  say("getpeername(not connected)", getpeername(s, (struct sockaddr*)&a, &(socklen_t){sizeof(a)}));
  say("shutdown(not connected)", shutdown(s, SHUT_WR));
  say("read(not connected)", read(s, &(char){0}, 1));
  say("lseek(a socket)", lseek(s, 0, SEEK_SET));
  say("setsockopt(short value)", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &(char){1}, 1));
  say("setsockopt(SOL_SOCKET, 9999)", setsockopt(s, SOL_SOCKET, 9999, &(int){1}, 4));
  say("getsockopt(level 9999)", getsockopt(s, 9999, 1, &(int){0}, &(socklen_t){4}));
  say("accept4(bad flags)", accept4(s, NULL, NULL, 1));
  struct stat st;
  fstat(s, &st);
  check("fstat: a socket", S_ISSOCK(st.st_mode));
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  say("send(unconnected datagram socket)", send(u, "x", 1, 0));
  say("listen(datagram socket)", listen(u, 1));
  int type = 0;
  getsockopt(u, SOL_SOCKET, SO_TYPE, &type, &(socklen_t){4});
  check("SO_TYPE of a datagram socket is SOCK_DGRAM", type == SOCK_DGRAM);
  close(u);
  close(s);
  // Refused: nothing listens on the port after ours.
  s = connect_to(peer, port + 1);
  say("connect(a port nothing listens on)", s);
  // Bad pointers: EFAULT, never a fault of the caller's.
  s = socket(AF_INET, SOCK_STREAM, 0);
  void* bad = (void*)16;
  say("bind(a bad address)", bind(s, bad, sizeof(a)));
  // An address size past sockaddr_storage's 128 bytes, with a good address in front.
  char big[200] = {0};
  memcpy(big, &a, sizeof(a));
  say("bind(an address of 129 bytes)", bind(s, (struct sockaddr*)big, 129));
  say("connect(an address of 129 bytes)", connect(s, (struct sockaddr*)big, 129));
  say("connect(a bad address)", connect(s, bad, sizeof(a)));
  say("setsockopt(a bad value)", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, bad, 4));
  say("getsockopt(a bad value)", getsockopt(s, SOL_SOCKET, SO_TYPE, bad, &(socklen_t){4}));
  say("getsockopt(a bad size)", getsockopt(s, SOL_SOCKET, SO_TYPE, &(int){0}, bad));
  say("select(a bad set)", select(s + 1, bad, NULL, NULL, &(struct timeval){0, 0}));
  close(s);
  close(fds[0]);
  close(fds[1]);
}

// Sockets are descriptors: at most RLIMIT_NOFILE of them (Stellina's table holds 256; the
// host's limit is lowered to that), the next one EMFILE, and one more once one is closed.
static void descriptor_limit(void) {
  struct rlimit limit = {256, 256};
  setrlimit(RLIMIT_NOFILE, &limit);
  static int made[256];
  int count = 0;
  for (;;) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) break;
    made[count++] = s;
  }
  printf("sockets made until the table is full: %d, then %s\n", count, name_of(errno));
  close(made[--count]);
  int again = socket(AF_INET, SOCK_DGRAM, 0);
  check("one closed, one more made", again >= 0);
  close(again);
  while (count) close(made[--count]);
}

static void options(void) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check("SOCK_CLOEXEC sets FD_CLOEXEC", fcntl(s, F_GETFD) == FD_CLOEXEC);
  int v = 0;
  socklen_t n = sizeof(v);
  getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &n);
  printf("SO_REUSEADDR at first: %d (size %u)\n", v, n);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &(int){1}, 4);
  setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &(int){1}, 4);
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &(int){1}, 4);
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &(int){65536}, 4);
  setsockopt(s, SOL_SOCKET, SO_SNDBUF, &(int){65536}, 4);
  const int names[][2] = {{SOL_SOCKET, SO_REUSEADDR}, {SOL_SOCKET, SO_KEEPALIVE},
                          {IPPROTO_TCP, TCP_NODELAY}, {SOL_SOCKET, SO_RCVBUF},
                          {SOL_SOCKET, SO_SNDBUF},    {SOL_SOCKET, SO_TYPE},
                          {SOL_SOCKET, SO_ERROR},     {SOL_SOCKET, SO_ACCEPTCONN}};
  const char* labels[] = {"SO_REUSEADDR", "SO_KEEPALIVE", "TCP_NODELAY", "SO_RCVBUF",
                          "SO_SNDBUF", "SO_TYPE", "SO_ERROR", "SO_ACCEPTCONN"};
  for (int i = 0; i < 8; ++i) {
    v = -1;
    n = sizeof(v);
    int r = getsockopt(s, names[i][0], names[i][1], &v, &n);
    printf("getsockopt %s: %s %d\n", labels[i], r < 0 ? name_of(errno) : "ok", v);
  }
  close(s);
}

// The client: a forked child that connects, sends a greeting and 100,000 bytes, shuts its
// sending side, and checks the server's answer and the line a forked grandchild wrote.
static int client(void) {
  int s = connect_to(peer, port);
  if (s < 0) {
    printf("client connect: %s\n", name_of(errno));
    return 1;
  }
  static char block[100000];
  for (int i = 0; i < (int)sizeof(block); ++i) block[i] = (char)(i * 7 + i / 251);
  const char* greeting = "hello from the client\n";
  struct iovec v[2] = {{(void*)greeting, strlen(greeting)}, {block, sizeof(block)}};
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  m.msg_iov = v;
  m.msg_iovlen = 2;
  ssize_t sent = sendmsg(s, &m, 0);
  while (sent >= 0 && sent < (ssize_t)(strlen(greeting) + sizeof(block))) {
    size_t at = sent - strlen(greeting);
    ssize_t more = send(s, block + at, sizeof(block) - at, 0);
    if (more <= 0) break;
    sent += more;
  }
  shutdown(s, SHUT_WR);
  char answer[256];
  size_t got = 0;
  for (;;) {
    ssize_t r = recv(s, answer + got, sizeof(answer) - 1 - got, 0);
    if (r <= 0) break;
    got += r;
  }
  answer[got] = 0;
  printf("client got: %s", answer);
  close(s);
  return 0;
}

static void server_and_client(void) {
  int l = listener(port, 0);
  struct sockaddr_in a;
  socklen_t n = sizeof(a);
  getsockname(l, (struct sockaddr*)&a, &n);
  printf("getsockname of the listener: family %d, port ours: %s\n", a.sin_family,
         ntohs(a.sin_port) == port ? "yes" : "no");
  // select: nothing waits yet, 200 ms pass.
  fd_set r;
  FD_ZERO(&r);
  FD_SET(l, &r);
  struct timeval t = {0, 200000};
  int none = select(l + 1, &r, NULL, NULL, &t);
  printf("select with nothing to accept: %d, time left %s\n", none,
         t.tv_sec == 0 && t.tv_usec < 200000 ? "less" : "not less");
  struct timespec ts = {0, 100000000};
  FD_SET(l, &r);
  printf("pselect with nothing to accept: %d\n", pselect(l + 1, &r, NULL, NULL, &ts, NULL));
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    close(l);
    exit(client());
  }
  FD_ZERO(&r);
  FD_SET(l, &r);
  t = (struct timeval){20, 0};
  int ready = select(l + 1, &r, NULL, NULL, &t);
  printf("select sees the connection: %d %s\n", ready, FD_ISSET(l, &r) ? "readable" : "-");
  n = sizeof(a);
  int c = accept(l, (struct sockaddr*)&a, &n);
  printf("accept: %s, family %d, size %u\n", c < 0 ? name_of(errno) : "ok", a.sin_family, n);
  char line[64];
  ssize_t first = recv(c, line, 22, MSG_WAITALL);
  // What is left of a message: recv with MSG_PEEK, then read.
  char peeked = 0, read_one = 0;
  recv(c, &peeked, 1, MSG_PEEK);
  read(c, &read_one, 1);
  printf("greeting: %.*s", (int)first, line);
  check("peek then read give the same byte", peeked == read_one && peeked == 0);
  unsigned long sum = (unsigned char)read_one, count = 1;
  char buffer[8192];
  for (;;) {
    ssize_t got = read(c, buffer, sizeof(buffer));
    if (got <= 0) break;
    for (ssize_t i = 0; i < got; ++i) sum = sum * 31 + (unsigned char)buffer[i];
    count += got;
  }
  unsigned long want = 0;
  for (int i = 0; i < 100000; ++i) want = want * 31 + (unsigned char)(char)(i * 7 + i / 251);
  printf("server read %lu bytes until the client's end, sum %s\n", count,
         sum == want ? "right" : "WRONG");
  printf("getpeername of the connection: %s\n",
         getpeername(c, (struct sockaddr*)&a, &(socklen_t){sizeof(a)}) == 0 ? "ok" : "failed");
  check("getpeername: the client is at the address it connected to",
        a.sin_addr.s_addr == inet_addr(peer));
  struct sockaddr_in me;
  getsockname(c, (struct sockaddr*)&me, &(socklen_t){sizeof(me)});
  check("getsockname of the connection: the address and port connected to",
        me.sin_addr.s_addr == inet_addr(peer) && ntohs(me.sin_port) == port);
  // The connection survives fork: a child writes on it, then the parent.
  fflush(stdout);
  pid_t writer = fork();
  if (writer == 0) {
    const char* from_child = "a line from the server's child\n";
    _exit(write(c, from_child, strlen(from_child)) == (ssize_t)strlen(from_child) ? 0 : 1);
  }
  int status;
  waitpid(writer, &status, 0);
  check("the server's child wrote on the shared connection", WIFEXITED(status) && !WEXITSTATUS(status));
  const char* reply = "and the server's own\n";
  writev(c, &(struct iovec){(void*)reply, strlen(reply)}, 1);
  shutdown(c, SHUT_WR);
  long after_shutdown = send(c, "x", 1, MSG_NOSIGNAL);
  int after_shutdown_errno = errno;
  waitpid(child, &status, 0);
  errno = after_shutdown_errno;
  say("send after shutdown(SHUT_WR)", after_shutdown);
  check("the client ended well", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(c);
  close(l);
}

static void nonblocking(void) {
  int l = listener(port, SOCK_NONBLOCK);
  say("accept4 with nothing waiting, non-blocking", accept4(l, NULL, NULL, SOCK_NONBLOCK));
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in a = address_of(peer, port);
  int r = connect(s, (struct sockaddr*)&a, sizeof(a));
  check("non-blocking connect: in progress or done", r == 0 || errno == EINPROGRESS);
  struct pollfd p = {s, POLLOUT, 0};
  check("poll: connected socket writable", poll(&p, 1, 20000) == 1 && (p.revents & POLLOUT));
  int e = -1;
  getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &(socklen_t){4});
  printf("SO_ERROR after connecting: %s\n", name_of(e));
  struct pollfd lp = {l, POLLIN, 0};
  check("poll: the listener has a connection", poll(&lp, 1, 20000) == 1 && (lp.revents & POLLIN));
  int c = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  check("accept4 gives a non-blocking, close-on-exec socket",
        c >= 0 && (fcntl(c, F_GETFL) & O_NONBLOCK) && fcntl(c, F_GETFD) == FD_CLOEXEC);
  say("recv with nothing sent, non-blocking", recv(c, &(char){0}, 1, 0));
  say("recv MSG_DONTWAIT", recv(s, &(char){0}, 1, MSG_DONTWAIT));
  say("connect again once connected", connect(s, (struct sockaddr*)&a, sizeof(a)));
  send(s, "ping", 4, 0);
  struct pollfd cp = {c, POLLIN, 0};
  poll(&cp, 1, 20000);
  char got[8] = {0};
  recv(c, got, sizeof(got) - 1, 0);
  printf("non-blocking pair carried: %s\n", got);
  close(s);
  // The peer's end: readable, then read gives 0.
  cp.revents = 0;
  poll(&cp, 1, 20000);
  check("the peer's end makes it readable", (cp.revents & POLLIN) != 0);
  printf("read at the peer's end: %ld\n", (long)read(c, got, 1));
  close(c);
  close(l);

  // Refused, now or once the answer comes.
  s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  a = address_of(peer, port + 1);
  r = connect(s, (struct sockaddr*)&a, sizeof(a));
  if (r < 0 && errno == EINPROGRESS) {
    p = (struct pollfd){s, POLLOUT, 0};
    poll(&p, 1, 20000);
    e = 0;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &(socklen_t){4});
  } else {
    e = r < 0 ? errno : 0;
  }
  printf("non-blocking connect to nothing: %s\n", name_of(e));
  close(s);
}

// 70 non-blocking connects, each socket closed before its answer comes (more than a
// channel's 64 queued messages): the answers still to come must not stop later calls.
static void abandoned_connects(void) {
  struct sockaddr_in nothing = address_of(peer, port + 1);
  for (int i = 0; i < 70; ++i) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(s, (struct sockaddr*)&nothing, sizeof(nothing));
    close(s);
  }
  usleep(300000);  // their answers come meanwhile
  int l = listener(port, 0);
  int s = connect_to(peer, port);
  say("a blocking connect after 70 abandoned ones", s);
  int c = accept(l, NULL, NULL);
  say("its accept", c);
  close(c);
  close(s);
  close(l);
}

// accept with an address it cannot write: EFAULT, and no descriptor left behind.
static void accept_bad_address(void) {
  int l = listener(port, 0);
  int s = connect_to(peer, port);
  const int lowest = dup(0);
  close(lowest);
  socklen_t n = sizeof(struct sockaddr_in);
  say("accept(a bad address)", accept(l, (void*)16, &n));
  const int next = dup(0);
  check("no descriptor left by that accept", next == lowest);
  close(next);
  close(s);
  close(l);
}

static int shared_socket;
static volatile int connect_done;

static void* ask_so_error(void* arg) {
  while (!connect_done) {
    int e = 0;
    getsockopt(shared_socket, SOL_SOCKET, SO_ERROR, &e, &(socklen_t){sizeof(e)});
  }
  return arg;
}

// A blocking connect while other threads ask the same socket's SO_ERROR (which settles a
// non-blocking connect): the connect still ends, connected. Tried many times.
static void connect_racing_so_error(void) {
  int l = listener(port, 0);
  struct sockaddr_in a = address_of(peer, port);
  int connected = 0;
  for (int i = 0; i < 10; ++i) {
    shared_socket = socket(AF_INET, SOCK_STREAM, 0);
    connect_done = 0;
    pthread_t t[3];
    for (int k = 0; k < 3; ++k) pthread_create(&t[k], NULL, ask_so_error, NULL);
    connected += connect(shared_socket, (struct sockaddr*)&a, sizeof(a)) == 0;
    connect_done = 1;
    for (int k = 0; k < 3; ++k) pthread_join(t[k], NULL);
    int c = accept(l, NULL, NULL);
    close(c);
    close(shared_socket);
  }
  printf("blocking connects while another thread asks SO_ERROR: %d of 10 connected\n", connected);
  close(l);
}

static long thread_cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// poll asking a socket with data unread for no reading (here: nothing but POLLHUP and
// POLLERR) waits its whole timeout, and waits without spinning.
static void poll_without_pollin(void) {
  int l = listener(port, 0);
  int s = connect_to(peer, port);
  int c = accept(l, NULL, NULL);
  send(c, "unread", 6, 0);
  struct pollfd p = {s, POLLIN, 0};
  poll(&p, 1, 20000);  // the data has come
  p.events = 0;
  const long before = thread_cpu_ms();
  printf("poll for nothing with data unread: %d\n", poll(&p, 1, 300));
  check("that poll's CPU time is under 100 ms", thread_cpu_ms() - before < 100);
  close(c);
  close(s);
  close(l);
}

// A UDP echo server at PEER:PORT, in a child: it sends back `count` datagrams, then ends.
static pid_t udp_echo(int count) {
  int e = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = address_of(peer, port);
  if (bind(e, (struct sockaddr*)&a, sizeof(a)) < 0) {
    printf("bind of the UDP echo: %s\n", name_of(errno));
    exit(1);
  }
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    static char datagram[65536];
    for (int i = 0; i < count; ++i) {
      struct sockaddr_in from;
      socklen_t n = sizeof(from);
      ssize_t r = recvfrom(e, datagram, sizeof(datagram), 0, (struct sockaddr*)&from, &n);
      if (r < 0) _exit(1);
      sendto(e, datagram, r, 0, (struct sockaddr*)&from, n);
    }
    _exit(0);
  }
  close(e);
  return child;
}

// UDP through the echo child: sendto/recvfrom, connect then send/recv, MSG_TRUNC,
// MSG_DONTWAIT, poll.
static void datagrams(void) {
  const int echo_port = port;
  pid_t echo = udp_echo(3);
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = address_of(peer, echo_port), from;
  const char* one = "datagram one";
  say("sendto the echo server", sendto(u, one, strlen(one), 0, (struct sockaddr*)&to, sizeof(to)));
  struct pollfd p = {u, POLLIN, 0};
  check("poll: the echo is readable", poll(&p, 1, 10000) == 1 && (p.revents & POLLIN));
  char got[256];
  socklen_t n = sizeof(from);
  ssize_t r = recvfrom(u, got, sizeof(got), 0, (struct sockaddr*)&from, &n);
  printf("recvfrom: %.*s, from the echo port: %s\n", (int)(r > 0 ? r : 0), got,
         ntohs(from.sin_port) == echo_port ? "yes" : "no");
  say("connect a datagram socket", connect(u, (struct sockaddr*)&to, sizeof(to)));
  say("getpeername of it", getpeername(u, (struct sockaddr*)&from, &(socklen_t){sizeof(from)}));
  char hundred[100];
  memset(hundred, 'h', sizeof(hundred));
  send(u, hundred, sizeof(hundred), 0);
  poll(&p, 1, 10000);
  r = recv(u, got, 10, MSG_TRUNC);
  printf("recv of 10 bytes with MSG_TRUNC: %ld\n", (long)r);
  say("recv MSG_DONTWAIT with nothing", recv(u, got, sizeof(got), MSG_DONTWAIT));
  struct iovec v[2] = {{"vector ", 7}, {"datagram", 8}};
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  m.msg_iov = v;
  m.msg_iovlen = 2;
  printf("sendmsg: %ld\n", (long)sendmsg(u, &m, 0));
  poll(&p, 1, 10000);
  struct iovec in = {got, sizeof(got)};
  m.msg_iov = &in;
  m.msg_iovlen = 1;
  r = recvmsg(u, &m, 0);
  printf("recvmsg: %.*s\n", (int)(r > 0 ? r : 0), got);
  close(u);
  int status;
  waitpid(echo, &status, 0);
  check("the UDP echo ended well", WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

struct blocked_call {
  int fd;
  long result;
  int error;
};

static void* blocked_recv(void* arg) {
  struct blocked_call* b = arg;
  char c;
  b->result = recv(b->fd, &c, 1, 0);
  b->error = errno;
  return NULL;
}

static void* blocked_accept(void* arg) {
  struct blocked_call* b = arg;
  b->result = accept(b->fd, NULL, NULL);
  b->error = errno;
  return NULL;
}

// Runs call on another thread, and once it has had time to block, stop(fd) here; prints
// what the blocked call returned (a hang is the failure).
static void wake_from_another_thread(const char* what, void* (*call)(void*), int fd,
                                     int (*stop)(int)) {
  struct blocked_call b = {fd, 0, 0};
  pthread_t t;
  pthread_create(&t, NULL, call, &b);
  usleep(300000);
  int r = stop(fd);
  pthread_join(t, NULL);
  errno = b.error;
  printf("%s: %s, the blocked call: %s\n", what, r < 0 ? name_of(errno) : "ok",
         b.result < 0 ? name_of(b.error) : (b.result == 0 ? "0" : "a descriptor"));
}

static int shut_read(int fd) { return shutdown(fd, SHUT_RD); }
static int shut_both(int fd) { return shutdown(fd, SHUT_RDWR); }

// shutdown on one thread wakes another blocked in recv (0) or accept (EINVAL), as Linux's.
static void shutdown_wakes(void) {
  int l = listener(port, 0);
  say("shutdown(SHUT_WR) of a listener", shutdown(l, SHUT_WR));
  int s = connect_to(peer, port);
  int c = accept(l, NULL, NULL);
  wake_from_another_thread("shutdown(SHUT_RD) under a blocked recv", blocked_recv, s, shut_read);
  wake_from_another_thread("shutdown(SHUT_RDWR) under a blocked accept", blocked_accept, l,
                           shut_both);
  say("accept after that shutdown", accept(l, NULL, NULL));
  close(c);
  close(s);
  close(l);
}

// The same with close, on Stellina only: Linux leaves the blocked calls waiting.
static int close_wakes(void) {
  int l = listener(port, 0);
  int s = connect_to(peer, port);
  int c = accept(l, NULL, NULL);
  wake_from_another_thread("close under a blocked recv", blocked_recv, s, close);
  wake_from_another_thread("close under a blocked accept", blocked_accept, l, close);
  close(c);
  return 0;
}

// recvmsg with MSG_PEEK fills its vectors in turn, as a read would, and leaves the bytes.
static void peek_vectors(void) {
  int l = listener(port, 0);
  int s = connect_to(peer, port);
  int c = accept(l, NULL, NULL);
  send(c, "abcdefgh", 8, 0);
  struct pollfd p = {s, POLLIN, 0};
  poll(&p, 1, 20000);
  char first[3], second[10];
  struct iovec v[2] = {{first, sizeof(first)}, {second, sizeof(second)}};
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  m.msg_iov = v;
  m.msg_iovlen = 2;
  ssize_t r = recvmsg(s, &m, MSG_PEEK);
  printf("recvmsg MSG_PEEK over 3 and 10 bytes: %ld: %.3s|%.*s\n", (long)r, first,
         (int)(r > 3 ? r - 3 : 0), second);
  char all[16] = {0};
  r = recv(s, all, sizeof(all), 0);
  printf("then recv: %ld: %.*s\n", (long)r, (int)(r > 0 ? r : 0), all);
  close(c);
  close(s);
  close(l);
}

static void pipes(void) {
  int fds[2];
  pipe(fds);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  fcntl(fds[1], F_SETFL, O_NONBLOCK);
  say("read of an empty non-blocking pipe", read(fds[0], &(char){0}, 1));
  fd_set r, w;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(fds[0], &r);
  FD_SET(fds[1], &w);
  struct timeval t = {0, 0};
  int ready = select(fds[1] + 1, &r, &w, NULL, &t);
  printf("select on an empty pipe: %d, read end %d, write end %d\n", ready, FD_ISSET(fds[0], &r),
         FD_ISSET(fds[1], &w));
  static char chunk[4096];
  long total = 0, n;
  while ((n = write(fds[1], chunk, sizeof(chunk))) > 0 && total < (64L << 20)) total += n;
  say("write to a full non-blocking pipe", n);
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(fds[0], &r);
  FD_SET(fds[1], &w);
  t = (struct timeval){0, 0};
  ready = select(fds[1] + 1, &r, &w, NULL, &t);
  printf("select on a full pipe: %d, read end %d, write end %d\n", ready, FD_ISSET(fds[0], &r),
         FD_ISSET(fds[1], &w));
  int closed = dup(fds[0]);
  close(closed);
  FD_ZERO(&r);
  FD_SET(closed, &r);
  say("select on a closed descriptor", select(closed + 1, &r, NULL, NULL, &t));
  close(fds[0]);
  close(fds[1]);
}

// A process whose starter gave it no namespace channel has no network: each call that would
// need the stack says so, and the rest of the socket calls work.
static int no_network(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = address_of("10.0.2.2", 80);
  say("no network: connect", connect(s, (struct sockaddr*)&a, sizeof(a)));
  a = address_of("0.0.0.0", 8080);
  say("no network: bind", bind(s, (struct sockaddr*)&a, sizeof(a)));
  say("no network: listen", listen(s, 1));
  close(s);
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  a = address_of("10.0.2.2", 53);
  say("no network: sendto", sendto(u, "x", 1, 0, (struct sockaddr*)&a, sizeof(a)));
  close(u);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "no-network") == 0) return no_network();
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 4 && strcmp(argv[1], "close-wakes") == 0) {
    peer = argv[2];
    port = atoi(argv[3]);
    return close_wakes();
  }
  if (argc != 3) {
    fprintf(stderr, "usage: sockets PEER PORT | close-wakes PEER PORT | no-network\n");
    return 2;
  }
  peer = argv[1];
  port = atoi(argv[2]);
  errors();
  descriptor_limit();
  options();
  server_and_client();
  nonblocking();
  abandoned_connects();
  accept_bad_address();
  connect_racing_so_error();
  poll_without_pollin();
  shutdown_wakes();
  peek_vectors();
  datagrams();
  pipes();
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
