// The engine's unit tests: decoding and its errors, execution, the host-call interface,
// allocation failure.

#include <gtest/gtest.h>

#include <cstring>

#include "engine_fixture.h"

namespace wasm_test {
namespace {

constexpr uint8_t kI32 = 0x7F;
constexpr uint8_t kI64 = 0x7E;

using Engine = EngineFixture;

TEST_F(Engine, AddsTwoNumbers) {
  // (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  auto* inst = instantiate(module({{{kI32, kI32}, {kI32}, {}, {0x20, 0, 0x20, 1, 0x6A, 0x0B}}}));
  ASSERT_NE(inst, nullptr) << message();
  uint64_t r;
  EXPECT_EQ(call(inst, "f0", {40, 2}, &r), wasm::Trap::None);
  EXPECT_EQ(r, 42u);
  EXPECT_EQ(call(inst, "f0", {0xFFFFFFFF, 3}, &r), wasm::Trap::None);
  EXPECT_EQ(r, 2u);  // wraps at 32 bits
}

TEST_F(Engine, LoopsAndLocals) {
  // The sum 1..n: (local i64) loop: acc += n; n -= 1; br_if n != 0.
  Bytes body = {0x03, 0x40,                         // loop
                0x20, 1,    0x20, 0,   0xAD, 0x7C,  // acc + i64(n)
                0x21, 1,                            // acc =
                0x20, 0,    0x41, 1,   0x6B,        // n - 1
                0x22, 0,                            // n = (tee)
                0x0D, 0,                            // br_if 0
                0x0B, 0x20, 1,    0x0B};
  auto* inst = instantiate(module({{{kI32}, {kI64}, {1, 1, kI64}, body}}));
  ASSERT_NE(inst, nullptr) << message();
  uint64_t r;
  EXPECT_EQ(call(inst, "f0", {100000}, &r), wasm::Trap::None);
  EXPECT_EQ(r, 5000050000u);
}

TEST_F(Engine, MemoryAccessIsChecked) {
  // (func (param i32) (result i32) local.get 0 i32.load offset=0)
  auto* inst = instantiate(module({{{kI32}, {kI32}, {}, {0x20, 0, 0x28, 2, 0, 0x0B}}}, 1));
  ASSERT_NE(inst, nullptr) << message();
  uint64_t r;
  EXPECT_EQ(call(inst, "f0", {65532}, &r), wasm::Trap::None);
  EXPECT_EQ(call(inst, "f0", {65533}), wasm::Trap::MemoryOutOfBounds);
  EXPECT_EQ(call(inst, "f0", {0xFFFFFFFF}), wasm::Trap::MemoryOutOfBounds);
}

TEST_F(Engine, DivisionTraps) {
  auto* inst = instantiate(module({{{kI32, kI32}, {kI32}, {}, {0x20, 0, 0x20, 1, 0x6D, 0x0B}}}));
  ASSERT_NE(inst, nullptr) << message();
  EXPECT_EQ(call(inst, "f0", {1, 0}), wasm::Trap::DivideByZero);
  EXPECT_EQ(call(inst, "f0", {0x80000000, 0xFFFFFFFF}), wasm::Trap::IntegerOverflow);
  uint64_t r;
  EXPECT_EQ(call(inst, "f0", {static_cast<uint32_t>(-7), 2}, &r), wasm::Trap::None);
  EXPECT_EQ(static_cast<int32_t>(r), -3);
}

TEST_F(Engine, RefusesMalformedBinaries) {
  EXPECT_EQ(decode({0x00, 'a', 's', 'n', 1, 0, 0, 0}), nullptr);
  EXPECT_EQ(message(), "magic header not detected");
  EXPECT_EQ(decode({0x00, 'a', 's', 'm', 2, 0, 0, 0}), nullptr);
  EXPECT_EQ(message(), "unknown binary version");
  EXPECT_EQ(decode({0x00, 'a', 's', 'm', 1, 0, 0}), nullptr);
  EXPECT_EQ(message(), "unexpected end");
  // A section claiming more bytes than the module has.
  EXPECT_EQ(decode({0x00, 'a', 's', 'm', 1, 0, 0, 0, 1, 0x7F}), nullptr);
  EXPECT_EQ(message(), "length out of bounds");
  // An overlong LEB128.
  EXPECT_EQ(decode({0x00, 'a', 's', 'm', 1, 0, 0, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}),
            nullptr);
  EXPECT_EQ(message(), "integer representation too long");
}

TEST_F(Engine, RefusesInvalidCode) {
  // i32.add with one operand.
  EXPECT_EQ(decode(module({{{kI32}, {kI32}, {}, {0x20, 0, 0x6A, 0x0B}}})), nullptr);
  EXPECT_EQ(message(), "type mismatch");
  // A branch to a label that does not exist.
  EXPECT_EQ(decode(module({{{}, {}, {}, {0x0C, 1, 0x0B}}})), nullptr);
  EXPECT_EQ(message(), "unknown label");
  // An opcode that is not one.
  EXPECT_EQ(decode(module({{{}, {}, {}, {0xFF, 0x0B}}})), nullptr);
  EXPECT_EQ(message(), "illegal opcode");
}

// A host function: reads a string from the caller's memory through HostCall::bytes, and
// traps on a range outside it.
wasm::Trap host_sum(wasm::HostCall& call) {
  auto address = static_cast<uint32_t>(call.slots[0]);
  auto length = static_cast<uint32_t>(call.slots[1]);
  const uint8_t* p = call.bytes(address, length);
  if (p == nullptr) {
    call.message = "range outside memory";
    return wasm::Trap::Host;
  }
  uint32_t sum = *static_cast<uint32_t*>(call.context);
  for (uint32_t i = 0; i < length; ++i) sum += p[i];
  call.slots[0] = sum;
  return wasm::Trap::None;
}

TEST_F(Engine, HostFunctionsSeeTheCallersMemory) {
  // (import "env" "sum" (func (param i32 i32) (result i32)))
  // (memory 1) (data (i32.const 16) "\01\02\03")
  // (func (export "f") (param i32 i32) (result i32) local.get 0 local.get 1 call 0)
  Bytes bytes = {0x00, 'a', 's', 'm', 1, 0, 0, 0};
  append(&bytes, section(1, {1, 0x60, 2, kI32, kI32, 1, kI32}));
  Bytes imports = {1};
  append(&imports, name("env"));
  append(&imports, name("sum"));
  append(&imports, {0x00, 0x00});
  append(&bytes, section(2, imports));
  append(&bytes, section(3, {1, 0}));
  append(&bytes, section(5, {1, 0, 1}));
  Bytes exports = {1};
  append(&exports, name("f"));
  append(&exports, {0x00, 1});
  append(&bytes, section(7, exports));
  append(&bytes, section(10, {1, 8, 0, 0x20, 0, 0x20, 1, 0x10, 0, 0x0B}));
  append(&bytes, section(11, {1, 0, 0x41, 16, 0x0B, 3, 1, 2, 3}));
  ASSERT_NE(decode(bytes), nullptr) << message();
  store_ = wasm::Store::create(&allocator_, limits_);
  uint32_t base = 100;
  wasm::Extern sum;
  sum.kind = wasm::ExternKind::Func;
  sum.func = store_->create_host_function(&module_->types[0], host_sum, &base);
  wasm::Trap trap;
  wasm::Instance* inst = store_->instantiate(*module_, &sum, 1, &fail_, &trap);
  ASSERT_NE(inst, nullptr) << message();
  uint64_t r;
  EXPECT_EQ(call(inst, "f", {16, 3}, &r), wasm::Trap::None);
  EXPECT_EQ(r, 106u);
  EXPECT_EQ(call(inst, "f", {65535, 2}), wasm::Trap::Host);
  EXPECT_STREQ(store_->trap_detail(), "range outside memory");
}

TEST_F(Engine, ImportsOfTheWrongTypeDoNotLink) {
  Bytes bytes = {0x00, 'a', 's', 'm', 1, 0, 0, 0};
  append(&bytes, section(1, {2, 0x60, 0, 0, 0x60, 1, kI32, 0}));
  Bytes imports = {1};
  append(&imports, name("env"));
  append(&imports, name("f"));
  append(&imports, {0x00, 0x00});
  append(&bytes, section(2, imports));
  ASSERT_NE(decode(bytes), nullptr) << message();
  store_ = wasm::Store::create(&allocator_, limits_);
  wasm::Extern f;
  f.kind = wasm::ExternKind::Func;
  f.func = store_->create_host_function(&module_->types[1], host_sum, nullptr);
  wasm::Trap trap;
  EXPECT_EQ(store_->instantiate(*module_, &f, 1, &fail_, &trap), nullptr);
  EXPECT_EQ(message(), "incompatible import type");
  EXPECT_EQ(trap, wasm::Trap::None);
}

// Every allocation may fail: decoding under ever larger budgets fails cleanly (no leak, no
// crash) until it succeeds.
TEST_F(Engine, AllocationFailureIsAnError) {
  Bytes bytes = module({{{kI32, kI32}, {kI32}, {}, {0x20, 0, 0x20, 1, 0x6A, 0x0B}}}, 1);
  bool decoded = false;
  for (size_t budget = 64; budget < (1u << 20) && !decoded; budget *= 2) {
    allocator_.set_budget(budget);
    decoded = decode(bytes) != nullptr;
    if (!decoded) EXPECT_EQ(message(), "out of memory");
    wasm::Module::destroy(module_);
    module_ = nullptr;
    EXPECT_EQ(allocator_.outstanding(), 0u);
  }
  EXPECT_TRUE(decoded);
}

}  // namespace
}  // namespace wasm_test
