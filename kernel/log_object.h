#pragma once
// The kernel log as an object: a handle with kRightWrite lets a process append records,
// tagged with its name. There is one, created at boot.

#include "kernel/object.h"

namespace kernel {

class LogObject final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Log;
  // The log object (created on first use; lives forever).
  static LogObject* get();

  LogObject() : Object(kType) {}
};

}  // namespace kernel
