#pragma once
// Error handling for kernel, SDK and host code: one Error enum, a [[nodiscard]] Result<T>
// that holds either a T or an Error, and TRY() to propagate failures. The error type is a
// parameter so that the SDK's results can carry the ABI's status codes instead
// (stellina::Result, sdk/include/stellina/result.h).

#include <new>
#include <type_traits>
#include <utility>

namespace lib {

enum class Error {
  NoMemory,         // an allocation failed
  InvalidArgument,  // an argument is malformed or out of its domain
  NotFound,         // the named thing does not exist
  AlreadyExists,    // the thing to create is already there
  OutOfRange,       // an index, address or size lies outside what is allowed
  Busy,             // the resource is in use
  TimedOut,         // the deadline passed before the operation completed
  WouldBlock,       // the operation would have to wait and the caller asked not to
  Fault,            // a memory access failed
  NotSupported,     // the operation does not apply to this object or machine
  NoResources,      // a fixed-size table is full
  BadHandle,        // the handle names nothing in this process
  WrongType,        // the handle names an object of another type
  AccessDenied,     // the handle lacks a needed right
  PeerClosed,       // the other end of a channel is gone
  TooLarge,         // a message or buffer exceeds its limit
  BufferTooSmall,   // the destination cannot hold the result
  Killed,           // the waiting thread's process is ending
  QuotaExceeded,    // a silo's limit (memory or threads) refuses the charge
};

// A stable, human-readable name for an error. Exhaustive: -Werror=switch keeps it complete.
const char* error_name(Error e);

template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : ok_(true) { new (&value_) T(value); }        // NOLINT: implicit
  Result(T&& value) : ok_(true) { new (&value_) T(std::move(value)); }  // NOLINT: implicit
  Result(E error) : error_(error), ok_(false) {}                        // NOLINT: implicit
  Result(Result&& other) noexcept : ok_(other.ok_) {
    if (ok_) {
      new (&value_) T(std::move(other.value_));
    } else {
      error_ = other.error_;
    }
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result& operator=(Result&&) = delete;
  ~Result() {
    if (ok_) value_.~T();
  }

  bool ok() const { return ok_; }
  E error() const { return error_; }
  T& value() { return value_; }
  const T& value() const { return value_; }
  T release_value() { return std::move(value_); }

 private:
  union {
    T value_;
    E error_;
  };
  bool ok_;
};

template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(error), ok_(false) {}  // NOLINT: implicit

  bool ok() const { return ok_; }
  E error() const { return error_; }
  void release_value() {}

 private:
  E error_{};
  bool ok_ = true;
};

}  // namespace lib

// Evaluates a Result-returning expression; on error returns the error from the enclosing
// function, otherwise yields the value.
#define TRY(expr)                                      \
  ({                                                   \
    auto try_result_ = (expr);                         \
    if (!try_result_.ok()) return try_result_.error(); \
    try_result_.release_value();                       \
  })
