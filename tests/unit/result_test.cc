#include <lib/result.h>

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

namespace {

using lib::Error;
using lib::Result;

// Counts live instances, so the tests can see that Result constructs and destroys exactly
// what it holds.
struct Tracked {
  static inline int live = 0;
  int value;
  explicit Tracked(int v) : value(v) { ++live; }
  Tracked(Tracked&& o) noexcept : value(o.value) {
    o.value = -1;
    ++live;
  }
  Tracked(const Tracked&) = delete;
  ~Tracked() { --live; }
};

TEST(Result, HoldsValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 42);
  r.value() = 7;
  const Result<int>& cr = r;
  EXPECT_EQ(cr.value(), 7);
  EXPECT_EQ(r.release_value(), 7);
}

TEST(Result, HoldsError) {
  Result<int> r = Error::NotFound;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::NotFound);
}

TEST(Result, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r.value(), nullptr);
  EXPECT_EQ(*r.value(), 5);
  std::unique_ptr<int> p = r.release_value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
  EXPECT_EQ(r.value(), nullptr);  // moved out
}

TEST(Result, MoveConstructionKeepsValueOrError) {
  Result<std::string> a = std::string("hello, a long string that is not SSO");
  Result<std::string> b(std::move(a));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value(), "hello, a long string that is not SSO");

  Result<std::string> e = Error::Busy;
  Result<std::string> f(std::move(e));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error(), Error::Busy);
}

TEST(Result, DestroysExactlyWhatItHolds) {
  Tracked::live = 0;
  {
    Result<Tracked> r = Tracked(3);
    EXPECT_EQ(Tracked::live, 1);
    Result<Tracked> moved(std::move(r));
    EXPECT_EQ(Tracked::live, 2);  // the moved-from value lives until its Result dies
    EXPECT_EQ(moved.value().value, 3);
    Tracked out = moved.release_value();
    EXPECT_EQ(out.value, 3);
  }
  EXPECT_EQ(Tracked::live, 0);
  {
    Result<Tracked> e = Error::Fault;
    EXPECT_EQ(Tracked::live, 0);  // an error constructs no T
    Result<Tracked> e2(std::move(e));
    EXPECT_EQ(Tracked::live, 0);
    EXPECT_EQ(e2.error(), Error::Fault);
  }
  EXPECT_EQ(Tracked::live, 0);
}

TEST(Result, Void) {
  Result<void> ok;
  EXPECT_TRUE(ok.ok());
  Result<void> bad = Error::TimedOut;
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), Error::TimedOut);
}

// Helpers for TRY: each records how far it got, so an early return is observable.
Result<int> parse(int x) {
  if (x < 0) return Error::OutOfRange;
  return x;
}

int reached = 0;

Result<int> doubled(int x) {
  reached = 0;
  const int v = TRY(parse(x));
  reached = 1;
  return v * 2;
}

Result<void> check(bool good) {
  if (!good) return Error::WouldBlock;
  return {};
}

Result<int> after_check(bool good) {
  reached = 0;
  TRY(check(good));
  reached = 1;
  return 10;
}

Result<std::unique_ptr<int>> make(int v) {
  if (v == 0) return Error::NoMemory;
  return std::make_unique<int>(v);
}

Result<int> deref_made(int v) {
  std::unique_ptr<int> p = TRY(make(v));
  return *p + 1;
}

Result<void> chain(int x) {
  const int v = TRY(doubled(x));
  if (v != 2 * x) return Error::InvalidArgument;
  return {};
}

TEST(Result, TryYieldsValue) {
  Result<int> r = doubled(21);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(reached, 1);
}

TEST(Result, TryPropagatesErrorAndReturnsEarly) {
  Result<int> r = doubled(-1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::OutOfRange);
  EXPECT_EQ(reached, 0);
}

TEST(Result, TryOnVoid) {
  Result<int> good = after_check(true);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 10);
  EXPECT_EQ(reached, 1);

  Result<int> bad = after_check(false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), Error::WouldBlock);
  EXPECT_EQ(reached, 0);
}

TEST(Result, TryOnMoveOnly) {
  Result<int> good = deref_made(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 5);
  Result<int> bad = deref_made(0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), Error::NoMemory);
}

TEST(Result, TryThroughTwoLevelsIntoVoid) {
  EXPECT_TRUE(chain(3).ok());
  Result<void> r = chain(-3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::OutOfRange);
}

TEST(Result, ErrorNameForEveryError) {
  const struct {
    Error error;
    const char* name;
  } expected[] = {
      {Error::NoMemory, "no memory"},
      {Error::InvalidArgument, "invalid argument"},
      {Error::NotFound, "not found"},
      {Error::AlreadyExists, "already exists"},
      {Error::OutOfRange, "out of range"},
      {Error::Busy, "busy"},
      {Error::TimedOut, "timed out"},
      {Error::WouldBlock, "would block"},
      {Error::Fault, "fault"},
      {Error::NotSupported, "not supported"},
      {Error::NoResources, "no resources"},
      {Error::BadHandle, "bad handle"},
      {Error::WrongType, "wrong type"},
      {Error::AccessDenied, "access denied"},
      {Error::PeerClosed, "peer closed"},
      {Error::TooLarge, "too large"},
      {Error::BufferTooSmall, "buffer too small"},
      {Error::Killed, "killed"},
      {Error::QuotaExceeded, "quota exceeded"},
  };
  std::set<std::string> seen;
  for (const auto& e : expected) {
    const char* name = lib::error_name(e.error);
    ASSERT_NE(name, nullptr);
    EXPECT_STREQ(name, e.name);
    seen.insert(name);
  }
  EXPECT_EQ(seen.size(), std::size(expected));  // names are distinct
  // The enumerators are contiguous from 0: the one past the last has no name.
  EXPECT_STREQ(lib::error_name(static_cast<Error>(static_cast<int>(Error::QuotaExceeded) + 1)),
               "unknown error");
}

}  // namespace
