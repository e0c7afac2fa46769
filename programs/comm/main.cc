// comm: the lines two sorted files share and those they do not, in three columns
// (comm_merge.h). A file out of order is reported after the output, and the exit is 1.
#include <new>

#include "programs/comm/comm_merge.h"
#include "programs/lib/cmd.h"
#include "programs/lib/text_sources.h"

namespace {

constexpr const char* kUsage =
    "usage: comm [-123] FILE1 FILE2\n"
    "  -1  without the lines only in FILE1   -2  only in FILE2   -3  in both\n";

struct Sink final : lib::Sink {
  explicit Sink(cmd::Output& out) : out(out) {}
  void write(const char* s, size_t n) override { out.write(lib::StringView(s, n)); }
  cmd::Output& out;
};

struct Kept final : text::ByteStore {
  bool assign(lib::StringView bytes) override {
    buffer.clear();
    return buffer.append(bytes).ok();
  }
  lib::StringView view() const override { return lib::StringView(buffer.data(), buffer.size()); }
  cmd::Buffer buffer;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "123");
  bool show[3] = {true, true, true};
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == '1' || opt == '2' || opt == '3') {
      show[opt - '1'] = false;
    } else if (opt == cmd::kHelp) {
      return c.help();
    } else {
      return c.usage_error();
    }
  }
  const size_t first = o.index();
  if (p.argc() - first < 2) {
    if (p.argc() == first) {
      c.error("missing operand");
    } else {
      c.error("missing operand after '{}'", p.arg(first));
    }
    return c.usage_error();
  }
  if (p.argc() - first > 2) {
    c.error("extra operand '{}'", p.arg(first + 2));
    return c.usage_error();
  }
  if (p.arg(first) == "-" && p.arg(first + 1) == "-")
    return c.fail("both files cannot be standard input");
  // Made in place, never destroyed: the program ends with them.
  alignas(text::FileLines) static char a_storage[sizeof(text::FileLines)];
  alignas(text::FileLines) static char b_storage[sizeof(text::FileLines)];
  alignas(Kept) static char kept_storage[2][sizeof(Kept)];
  text::FileLines& a = *new (a_storage) text::FileLines(c);
  text::FileLines& b = *new (b_storage) text::FileLines(c);
  if (!a.open(p.arg(first)) || !b.open(p.arg(first + 1))) return c.finish(1);
  Kept& kept_a = *new (kept_storage[0]) Kept();
  Kept& kept_b = *new (kept_storage[1]) Kept();
  text::LineSource* const files[2] = {&a, &b};
  text::ByteStore* const kept[2] = {&kept_a, &kept_b};
  Sink sink(c.out());
  const text::CommResult r = text::comm_merge(files, kept, show, sink);
  int64_t code = a.failed() || b.failed() ? 1 : 0;
  if (r.out_of_memory) {
    c.error("{}", stellina::status_name(stellina::abi::kErrNoMemory));
    code = 1;
  }
  for (int i = 0; i < 2; ++i) {
    if (!r.unsorted[i]) continue;
    c.error("file {} is not in sorted order", i + 1);
    code = 1;
  }
  if (r.unsorted[0] || r.unsorted[1]) c.error("input is not in sorted order");
  return c.finish(code);
}
