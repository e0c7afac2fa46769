// Hostile modules: deep nesting, huge declared counts, unbounded recursion, giant memories
// and tables, runaway loops. Each gets an error or a trap, never a crash or a hang, and
// every limit is tested at its value and one past it.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <utility>

#include "engine_fixture.h"

namespace wasm_test {
namespace {

constexpr uint8_t kI32 = 0x7F;

// Every instance in a store of its own (a giant memory is given back before the next).
class Hostile : public EngineFixture {
 protected:
  wasm::Instance* instantiate(const Bytes& bytes) {
    wasm::Store::destroy(store_);
    store_ = nullptr;
    return EngineFixture::instantiate(bytes);
  }
  wasm::Trap call(wasm::Instance* inst, std::vector<uint64_t> args, uint64_t* result = nullptr) {
    return EngineFixture::call(inst, "f0", std::move(args), result);
  }
};

Bytes nested_blocks(uint32_t depth) {
  Bytes body;
  for (uint32_t i = 0; i < depth; ++i) append(&body, {0x02, 0x40});
  for (uint32_t i = 0; i <= depth; ++i) body.push_back(0x0B);
  return body;
}

TEST_F(Hostile, NestingDepthIsBounded) {
  limits_.max_nesting = 64;
  EXPECT_NE(decode(module({{{}, {}, {}, nested_blocks(64)}})), nullptr) << message();
  EXPECT_EQ(decode(module({{{}, {}, {}, nested_blocks(65)}})), nullptr);
  EXPECT_EQ(message(), "nesting too deep");
  limits_ = {};
  EXPECT_EQ(decode(module({{{}, {}, {}, nested_blocks(100000)}})), nullptr);
  EXPECT_EQ(message(), "nesting too deep");
}

TEST_F(Hostile, HugeDeclaredCountsFailBeforeAllocating) {
  // A type section claiming 2^32-1 types in a few bytes.
  Bytes bytes = {0x00, 'a', 's', 'm', 1, 0, 0, 0};
  Bytes types = leb(0xFFFFFFFFu);
  append(&bytes, section(1, types));
  EXPECT_EQ(decode(bytes), nullptr);
  EXPECT_EQ(message(), "too many types");
  // Within the limit but beyond the bytes present.
  bytes.resize(8);
  append(&bytes, section(1, leb(50000)));
  EXPECT_EQ(decode(bytes), nullptr);
  EXPECT_EQ(message(), "length out of bounds");
  // A local group of 2^32-1 locals.
  Bytes locals = {1};
  append(&locals, leb(0xFFFFFFFFu));
  locals.push_back(kI32);
  EXPECT_EQ(decode(module({{{}, {}, locals, {0x0B}}})), nullptr);
  EXPECT_EQ(message(), "too many locals");
}

TEST_F(Hostile, LocalsAreBounded) {
  limits_.max_locals = 100;
  auto locals = [](uint32_t n) {
    Bytes l = {1};
    append(&l, leb(n));
    l.push_back(kI32);
    return l;
  };
  EXPECT_NE(decode(module({{{kI32}, {}, locals(99), {0x0B}}})), nullptr) << message();
  EXPECT_EQ(decode(module({{{kI32}, {}, locals(100), {0x0B}}})), nullptr);
  EXPECT_EQ(message(), "too many locals");
}

TEST_F(Hostile, OperandStackIsBounded) {
  limits_.max_operand_stack = 8;
  auto pushes = [](uint32_t n) {
    Bytes body;
    for (uint32_t i = 0; i < n; ++i) append(&body, {0x41, static_cast<uint8_t>(i)});
    for (uint32_t i = 0; i < n; ++i) body.push_back(0x1A);
    body.push_back(0x0B);
    return body;
  };
  EXPECT_NE(decode(module({{{}, {}, {}, pushes(8)}})), nullptr) << message();
  EXPECT_EQ(decode(module({{{}, {}, {}, pushes(9)}})), nullptr);
  EXPECT_EQ(message(), "operand stack too deep");
}

TEST_F(Hostile, UnboundedRecursionTraps) {
  // (func (param i32) (result i32) local.get 0 i32.const 1 i32.add call 0)
  Bytes body = {0x20, 0, 0x41, 1, 0x6A, 0x10, 0, 0x0B};
  auto* inst = instantiate(module({{{kI32}, {kI32}, {}, body}}));
  ASSERT_NE(inst, nullptr) << message();
  EXPECT_EQ(call(inst, {0}), wasm::Trap::CallStackExhausted);
  // The store is still usable afterwards.
  EXPECT_EQ(call(inst, {0}), wasm::Trap::CallStackExhausted);
}

TEST_F(Hostile, CallDepthIsBoundedExactly) {
  limits_.max_call_depth = 100;
  // (func (param i32) (result i32) local.get 0 if (result i32) local.get 0 i32.const -1
  //  i32.add call 0 else i32.const 7 end): recursion n deep, then 7.
  Bytes body = {0x20, 0, 0x04, kI32, 0x20, 0, 0x41, 0x7F, 0x6A, 0x10, 0, 0x05, 0x41, 7, 0x0B, 0x0B};
  auto* inst = instantiate(module({{{kI32}, {kI32}, {}, body}}));
  ASSERT_NE(inst, nullptr) << message();
  uint64_t r;
  EXPECT_EQ(call(inst, {99}, &r), wasm::Trap::None);  // 100 frames
  EXPECT_EQ(r, 7u);
  EXPECT_EQ(call(inst, {100}), wasm::Trap::CallStackExhausted);
}

TEST_F(Hostile, ValueStackIsBounded) {
  // A function with 1,000 locals recursing: the value stack runs out before the depth.
  limits_.max_stack_slots = 100000;
  Bytes locals = {1};
  append(&locals, leb(1000));
  locals.push_back(kI32);
  auto* inst = instantiate(module({{{}, {}, locals, {0x10, 0, 0x0B}}}));
  ASSERT_NE(inst, nullptr) << message();
  EXPECT_EQ(call(inst, {}), wasm::Trap::CallStackExhausted);
}

TEST_F(Hostile, GiantMemoriesAreRefused) {
  limits_.max_memory_pages = 4;
  EXPECT_NE(instantiate(module({}, 4)), nullptr) << message();
  EXPECT_EQ(instantiate(module({}, 5)), nullptr);
  EXPECT_EQ(message(), "memory too large");
  // The largest memory a module may declare decodes, and is refused at instantiation.
  limits_ = {};
  EXPECT_EQ(instantiate(module({}, 65536)), nullptr);
  EXPECT_EQ(message(), "memory too large");
  EXPECT_EQ(decode(module({}, 65537)), nullptr);
  EXPECT_EQ(message(), "memory size must be at most 65536 pages (4GiB)");
}

TEST_F(Hostile, MemoryGrowStopsAtTheLimit) {
  limits_.max_memory_pages = 4;
  // (func (param i32) (result i32) local.get 0 memory.grow)
  auto* inst = instantiate(module({{{kI32}, {kI32}, {}, {0x20, 0, 0x40, 0, 0x0B}}}, 1));
  ASSERT_NE(inst, nullptr) << message();
  uint64_t r;
  EXPECT_EQ(call(inst, {3}, &r), wasm::Trap::None);
  EXPECT_EQ(r, 1u);  // now 4 pages: the limit
  EXPECT_EQ(call(inst, {1}, &r), wasm::Trap::None);
  EXPECT_EQ(r, 0xFFFFFFFFu);
  EXPECT_EQ(call(inst, {0xFFFFFFFF}, &r), wasm::Trap::None);
  EXPECT_EQ(r, 0xFFFFFFFFu);
}

TEST_F(Hostile, TablesAreBounded) {
  limits_.max_table_size = 1000;
  auto with_table = [](uint32_t min) {
    Bytes extra = {0x00, 'a', 's', 'm', 1, 0, 0, 0};
    Bytes table = {1, 0x70, 0x00};
    append(&table, leb(min));
    append(&extra, section(4, table));
    return extra;
  };
  EXPECT_NE(instantiate(with_table(1000)), nullptr) << message();
  EXPECT_EQ(instantiate(with_table(1001)), nullptr);
  EXPECT_EQ(message(), "table too large");
}

TEST_F(Hostile, RunawayLoopsRunOutOfFuel) {
  limits_.metered = true;
  // (func loop br 0 end)
  auto* inst = instantiate(module({{{}, {}, {}, {0x03, 0x40, 0x0C, 0, 0x0B, 0x0B}}}));
  ASSERT_NE(inst, nullptr) << message();
  store_->set_fuel(1000000);
  EXPECT_EQ(call(inst, {}), wasm::Trap::OutOfFuel);
  EXPECT_LT(store_->fuel(), 0);
}

// Another thread raises the stop flag while a loop runs with all the fuel there is: the
// loop ends with Trap::Stopped (how the kernel ends a wasm component that never calls it).
TEST_F(Hostile, RunawayLoopsStopAtTheStopFlag) {
  limits_.metered = true;
  auto* inst = instantiate(module({{{}, {}, {}, {0x03, 0x40, 0x0C, 0, 0x0B, 0x0B}}}));
  ASSERT_NE(inst, nullptr) << message();
  store_->set_fuel(INT64_MAX);
  static volatile bool stop = false;
  store_->set_stop_flag(&stop);
  std::thread raiser([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
  });
  EXPECT_EQ(call(inst, {}), wasm::Trap::Stopped);
  raiser.join();
  EXPECT_GT(store_->fuel(), 0);
}

// Truncating a valid module anywhere gives an error, never a crash.
TEST_F(Hostile, EveryTruncationIsAnError) {
  Bytes body = {0x20, 0, 0x04, kI32, 0x20, 0, 0x41, 0x7F, 0x6A, 0x10, 0, 0x05, 0x41, 7, 0x0B, 0x0B};
  Bytes full = module({{{kI32}, {kI32}, {}, body}}, 1, 2);
  ASSERT_NE(decode(full), nullptr) << message();
  // Valid prefixes: the header alone (an empty module) and the header with the type section.
  size_t types_end = 8 + 2 + full[9];
  for (size_t n = 0; n < full.size(); ++n) {
    Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    if (n == 8 || n == types_end) {
      EXPECT_NE(decode(cut), nullptr) << n;
    } else {
      EXPECT_EQ(decode(cut), nullptr) << n;
    }
  }
}

}  // namespace
}  // namespace wasm_test
