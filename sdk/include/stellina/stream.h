#pragma once
// A byte stream over a channel (abi/stellina/program.h): a program's stdin, stdout and
// stderr, and the starter's ends of them. Bytes travel as Data messages of at most
// kMaxMessageData bytes; the channel's queue limit is the back-pressure; end of stream is the
// channel closing. Calls block (object_wait), as a command-line program expects; a component
// uses them only where it may pause its loop.
//
//   Stream out(static_cast<Channel&&>(ch));
//   TRY(out.print("{} bytes\n", n));
//   size_t got = TRY(in.read(buffer, sizeof(buffer)));  // 0: the writer closed it

#include <stellina/component.h>

namespace stellina {

class Stream {
 public:
  Stream() = default;
  explicit Stream(Channel ch) : ch_(static_cast<Channel&&>(ch)) {}
  Stream(Stream&&) = delete;  // holds a buffer: keep it where it is made
  Stream& operator=(Stream&& o) = delete;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Takes ch as this stream's channel (closing the one it had), with an empty buffer.
  void reset(Channel ch);
  bool valid() const { return ch_.valid(); }
  Channel& channel() { return ch_; }
  // Closes it: the peer sees the end of the stream (once it has read what was sent).
  void close() { ch_.reset(); }

  // Writes all of data, waiting while the reader's queue is full (until deadline_ns on the
  // monotonic clock; 0: no deadline). Errors: kErrPeerClosed (the reader has gone: what
  // was not queued is lost), kErrTimedOut, kErrBadHandle (no channel).
  Result<void> write(Bytes data, uint64_t deadline_ns = 0);
  // Formatted as lib::format_to does, at most 512 bytes.
  template <typename... Args>
  Result<void> print(const char* fmt, const Args&... args) {
    char text[512];
    const size_t n = lib::format_to(text, sizeof(text), fmt, args...);
    return write(Bytes{text, n < sizeof(text) ? n : sizeof(text) - 1});
  }

  // Up to size bytes, waiting until some arrive (or deadline_ns; 0: none). Returns 0 at the
  // end of the stream: the writer closed it and everything it sent has been read. Messages
  // other than Data are skipped (their handles closed). Errors: kErrTimedOut, kErrBadHandle.
  Result<size_t> read(void* out, size_t size, uint64_t deadline_ns = 0);
  // The same without waiting: kErrWouldBlock when nothing is there yet.
  Result<size_t> read_now(void* out, size_t size);

 private:
  // Fills buffer_ from the next message: kErrWouldBlock if none yet; false at the end.
  Result<bool> fill();

  Channel ch_;
  uint8_t buffer_[abi::kMaxMessageData];
  uint32_t at_ = 0;    // the next unread byte of buffer_
  uint32_t size_ = 0;  // bytes in buffer_
};

}  // namespace stellina
