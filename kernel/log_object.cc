#include "kernel/log_object.h"

#include "kernel/heap.h"
#include "kernel/log.h"

namespace kernel {

LogObject* LogObject::get() {
  static LogObject* the_log = nullptr;
  if (!the_log) {
    auto created = heap::create<LogObject>();
    if (!created.ok()) panic("no memory for the log object");
    the_log = created.value();  // its creation reference is never dropped
  }
  return the_log;
}

}  // namespace kernel
