#pragma once
// Helpers shared by the user-mode test programs: logging and message shorthands.

#include <stellina/sys.h>

namespace test {

namespace abi = stellina::abi;
namespace sys = stellina::sys;

inline size_t length(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

inline void log(abi::Handle log, const char* text) { sys::log_write(log, text, length(text)); }

// Formats a signed number into buf (at least 21 bytes); returns buf.
inline char* number(int64_t v, char* buf) {
  char tmp[24];
  int n = 0;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  int k = 0;
  if (v < 0) buf[k++] = '-';
  while (n) buf[k++] = tmp[--n];
  buf[k] = '\0';
  return buf;
}

inline abi::MessageBuffer data_message(void* data, uint32_t size, uint64_t call_id = 0) {
  abi::MessageBuffer m{};
  m.kind = abi::MessageKind::Data;
  m.call_id = call_id;
  m.data = data;
  m.data_size = size;
  m.data_capacity = size;
  return m;
}

// Waits for and receives one message into data (capacity bytes); returns the status.
inline int64_t receive(abi::Handle ch, abi::MessageBuffer& m) {
  for (;;) {
    const int64_t r = sys::channel_recv(ch, &m);
    if (r != abi::kErrWouldBlock) return r;
    const int64_t w = sys::object_wait(ch, abi::kSignalReadable | abi::kSignalPeerClosed);
    if (w < 0) return w;
  }
}

}  // namespace test
