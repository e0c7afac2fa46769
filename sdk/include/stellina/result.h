#pragma once
// What SDK calls that can fail return: a value, or the ABI status that refused it. TRY()
// propagates a failure to the caller; a failure that does not matter is dropped with
// ignore() and the reason, so nothing is dropped silently.
//
//   Result<void> greet(Channel& ch) {
//     TRY(ch.send("hi"));
//     return {};
//   }

#include <stdint.h>

#include <stellina/types.h>

#include <lib/result.h>

namespace stellina {

using abi::Status;

template <typename T = void>
using Result = lib::Result<T, Status>;

// A raw syscall return (a value >= 0, or a status < 0) as a Result.
inline Result<uint64_t> check(int64_t r) {
  if (r < 0) return static_cast<Status>(r);
  return static_cast<uint64_t>(r);
}
inline Result<void> check_ok(int64_t r) {
  if (r < 0) return static_cast<Status>(r);
  return {};
}

// The status a result ended with, as a number for logs: 0 (kOk) or the error.
template <typename T>
inline int64_t status_code(const Result<T>& r) {
  return r.ok() ? abi::kOk : r.error();
}

// Drops a result on purpose; why says what makes the failure harmless (for the reader).
template <typename T>
inline void ignore(const Result<T>&, const char* /*why*/) {}

// The status's name, e.g. "peer closed".
const char* status_name(Status s);

}  // namespace stellina
