// Hog: tries to take more than its silo allows. A second thread and a large folio are
// refused (kErrQuotaExceeded); then it touches the pages of a 64 MiB array one after another
// until the kernel ends it (ExitReason::QuotaExceeded). Nothing else may notice.
#include <stellina/component.h>

namespace abi = stellina::abi;
namespace sys = stellina::sys;

namespace {

volatile uint8_t hoard[64 << 20];  // bss: each page is charged when first touched
uint8_t second_stack[4096];

void second_thread(uint64_t) { sys::thread_exit(0); }

}  // namespace

class Hog final : public stellina::Component {
  void on_start() override {
    log("a second thread -> status {}",
        sys::thread_create(second_thread, second_stack + sizeof(second_stack), 0));
    log("a 4 MiB folio -> status {}", sys::folio_create(4 << 20));
    log("touching pages until the silo says no");
    for (size_t i = 0; i < sizeof(hoard); i += 4096) hoard[i] = 1;
    log("touched all of 64 MiB: the quota did not hold");
  }
};

STELLINA_COMPONENT(Hog)
