// HeldOpen: on a machine where the stack never gets a network device, sends nine listen Opens
// at once, one past the eight the stack holds. The ninth must be refused before any of the
// others, and each of those only once the stack's 500 ms have passed, all with kErrNotFound.
#include <stellina/component.h>

namespace abi = stellina::abi;
namespace sys = stellina::sys;

namespace {

constexpr uint64_t kOpens = 9;  // the stack's kHeldOpens, and one more
constexpr uint64_t kHoldMs = 500;
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kPatienceNs = 5'000 * kMs;

}  // namespace

class HeldOpen final : public stellina::Component {
  void on_start() override {
    const abi::Handle names = namespace_handle();
    const uint64_t sent = sys::clock_now();
    for (uint64_t call = 1; call <= kOpens; ++call) {
      char uri[32];
      const size_t size = lib::format_to(uri, sizeof(uri), "tcp-listen:0.0.0.0:{}", 8000 + call);
      abi::MessageBuffer m{};
      m.kind = abi::MessageKind::Open;
      m.call_id = call;
      m.data = uri;
      m.data_size = static_cast<uint32_t>(size);
      const int64_t r = sys::channel_send(names, &m);
      if (r != abi::kOk) return log("FAIL: open {} not sent: status {}", call, r);
    }
    uint64_t after_ms[kOpens + 1] = {};
    uint64_t order[kOpens] = {};
    uint64_t answered = 0;
    const int64_t poll = sys::poll_create();
    if (poll < 0 || sys::poll_add(static_cast<abi::Handle>(poll), names, abi::kSignalReadable, 0))
      return log("FAIL: cannot wait on the namespace channel");
    while (answered < kOpens) {
      abi::PollEvent event{};
      const int64_t n =
          sys::poll_wait(static_cast<abi::Handle>(poll), &event, 1, sent + kPatienceNs);
      if (n <= 0) return log("FAIL: {} of {} opens answered within 5 s", answered, kOpens);
      alignas(8) uint8_t data[64];
      abi::Handle handles[abi::kMaxMessageHandles];
      abi::MessageBuffer m{};
      m.data = data;
      m.data_capacity = sizeof(data);
      m.handles = handles;
      m.handle_capacity = abi::kMaxMessageHandles;
      if (sys::channel_recv(names, &m) != abi::kOk) continue;
      for (uint32_t k = 0; k < m.handle_count; ++k) sys::handle_close(handles[k]);
      int64_t status = abi::kOk;
      if (m.kind == abi::MessageKind::Abort && m.data_size == sizeof(status))
        __builtin_memcpy(&status, data, sizeof(status));
      if (m.call_id < 1 || m.call_id > kOpens || after_ms[m.call_id])
        return log("FAIL: an answer to call {}", m.call_id);
      after_ms[m.call_id] = (sys::clock_now() - sent) / kMs + 1;  // 0 marks "not yet"
      order[answered++] = m.call_id;
      log("open {}: status {} after {} ms", m.call_id, status, after_ms[m.call_id] - 1);
      if (status != abi::kErrNotFound) {
        return log("FAIL: open {} not refused as not found", m.call_id);
      }
    }
    if (order[0] != kOpens) return log("FAIL: open {} answered first, not the ninth", order[0]);
    for (uint64_t call = 1; call < kOpens; ++call) {
      if (after_ms[call] - 1 < kHoldMs - 1) {
        return log("FAIL: open {} refused after {} ms, before the hold ended", call,
                   after_ms[call] - 1);
      }
    }
    log("the ninth refused at once, the eight held refused after 500 ms");
  }
};

STELLINA_COMPONENT(HeldOpen)
