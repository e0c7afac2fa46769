// test and [: evaluate an expression (test_expr.h) into the exit status: 0 true, 1 false,
// 2 an error. Started as [ (argv[0]'s last component), the last argument must be ]. File
// primaries ask the file: session; -t is false (no descriptor is a terminal here), and so
// are -b -c -p -S for the files the protocol reports (regular files, directories, links).
#include "programs/lib/cmd.h"
#include "programs/test/test_expr.h"

namespace {

constexpr const char* kUsage =
    "usage: test EXPRESSION\n"
    "       [ EXPRESSION ]\n"
    "  ( EXPR )  ! EXPR  EXPR -a EXPR  EXPR -o EXPR\n"
    "  -n STRING  -z STRING  STRING  S1 = S2  S1 != S2  S1 < S2  S1 > S2\n"
    "  N1 -eq N2  -ne  -lt  -le  -gt  -ge\n"
    "  -e -f -d -s -r -w -x -L -h -b -c -p -S -g -u -k FILE  -t FD\n"
    "  F1 -nt F2  F1 -ot F2  F1 -ef F2\n";

lib::StringView args[stellina::abi::kProgramMaxArgs];

class Env final : public util::test_cmd::Environment {
 public:
  explicit Env(cmd::Command& c) : c_(c) {}
  bool stat(lib::StringView path, bool follow, util::test_cmd::FileInfo* out) override {
    const stellina::Result<stellina::abi::FileStat> st = c_.env().files().stat(path, follow);
    if (!st.ok()) return false;
    out->mode = st.value().mode;
    out->size = st.value().size;
    out->device = st.value().device;
    out->node = st.value().node;
    out->mtime_ns = st.value().mtime_ns;
    return true;
  }
  bool is_terminal(int64_t) override { return false; }
  void error(lib::StringView message) override { c_.error("{}", message); }

 private:
  cmd::Command& c_;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  size_t count = p.argc() - 1;
  if (c.name() == "[") {
    // GNU's [ takes a sole --help; test never does (test --help is a true string test).
    if (p.argc() == 2 && p.arg(1) == "--help") return c.help();
    if (p.argc() < 2 || !(p.arg(p.argc() - 1) == "]")) {
      c.error("missing ']'");
      return 2;
    }
    --count;
  }
  for (size_t i = 0; i < count && i < stellina::abi::kProgramMaxArgs; ++i) args[i] = p.arg(i + 1);
  Env env(c);
  return util::test_cmd::evaluate(args, count, env);
}
