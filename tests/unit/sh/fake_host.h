#pragma once
// A Host that starts nothing and has no files: for the tests that feed the interpreter
// hostile input, where nothing may run. What the shell writes is kept in strings; a test may
// say what wait() does (an interrupt, a fault).

#include <functional>
#include <string>
#include <vector>

#include "programs/sh/host.h"

namespace test {

class FakeHost final : public stellina::sh::Host {
 public:
  using HostError = stellina::sh::HostError;
  template <typename T>
  using HostResult = stellina::sh::HostResult<T>;
  using StringView = stellina::sh::StringView;

  HostResult<int> start(const stellina::sh::Pipeline& pipeline, size_t*) override {
    std::string line;
    for (const auto& p : pipeline.programs) {
      if (!line.empty()) line += " | ";
      for (size_t i = 0; i < p.argv.size(); ++i)
        line += (i ? " " : "") + std::string(p.argv[i].data(), p.argv[i].size());
    }
    started.push_back(line);
    return next_job++;
  }
  stellina::sh::Ending wait(int) override { return on_wait ? on_wait() : stellina::sh::Ending{}; }
  bool poll(int, stellina::sh::Ending* ending) override {
    *ending = stellina::sh::Ending{};
    return true;
  }
  int64_t job_id(int job) override { return 1000 + job; }
  HostResult<int> open(StringView, stellina::sh::OpenMode) override {
    return HostError::AccessDenied;
  }
  void close(int) override {}
  HostResult<size_t> read(int, char*, size_t) override { return size_t{0}; }
  HostResult<void> write(int handle, StringView data) override {
    (handle == stellina::sh::kShellStderr ? err : out).append(data.data(), data.size());
    return {};
  }
  HostResult<stellina::sh::FileInfo> stat(StringView path) override {
    // Programs exist under /bin only; / and /bin are directories.
    const std::string p(path.data(), path.size());
    stellina::sh::FileInfo info;
    if (p == "/" || p == "/bin") {
      info.type = stellina::sh::FileInfo::Type::Directory;
      return info;
    }
    if (p.rfind("/bin/", 0) == 0 && programs_exist) {
      info.type = stellina::sh::FileInfo::Type::Regular;
      info.executable = true;
      return info;
    }
    return HostError::NotFound;
  }
  HostResult<void> list(StringView, stellina::sh::DirectoryVisitor&) override {
    return HostError::NotFound;
  }
  int64_t shell_id() override { return 42; }
  bool builtin_echo() override { return true; }

  std::string out;
  std::string err;
  std::vector<std::string> started;
  std::function<stellina::sh::Ending()> on_wait;
  bool programs_exist = true;
  int next_job = 1;
};

}  // namespace test
