// The interpreter on its own: what the scripts cannot show (the interactive loop, jobs,
// interrupts, messages, the resources it gives back).

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "fake_host.h"
#include "posix_host.h"
#include "programs/sh/shell.h"
#include "sh_harness.h"
#include "tests/unit/temp_dir.h"

namespace test {
namespace {

using stellina::sh::Ending;
using stellina::sh::LineResult;
using stellina::sh::Shell;
using stellina::sh::StringView;

StringView view(const std::string& s) { return StringView(s.data(), s.size()); }

Outcome run(const std::string& script, const std::string& input = "") {
  TempDir dir;
  return run_ours(script, dir.path(), input);
}

// An interactive shell over real programs, in a fresh directory.
class Interactive : public testing::Test {
 protected:
  void SetUp() override {
    out_fd_ = open(io_.file("out").c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    err_fd_ = open(io_.file("err").c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    in_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
    host_ = new PosixHost(in_fd_, out_fd_, err_fd_);
    shell_ = Shell::create(*host_, true);
    std::vector<std::string> env = script_environment(dir_.path());
    env.push_back("PWD=" + dir_.path());
    std::vector<StringView> views;
    views.reserve(env.size());
    for (const auto& e : env) views.push_back(view(e));
    shell_->import_environment(views);
  }
  void TearDown() override {
    Shell::dispose(shell_);
    EXPECT_EQ(host_->open_handles(), 0u);
    delete host_;
    close(in_fd_);
    close(out_fd_);
    close(err_fd_);
  }
  LineResult line(const std::string& text) { return shell_->run_line(view(text)); }
  // What was written since the last call.
  std::string take(int fd, size_t& seen) {
    const std::string all = read_file(io_.file(fd == out_fd_ ? "out" : "err"));
    std::string fresh = all.substr(seen);
    seen = all.size();
    return fresh;
  }
  std::string out() { return take(out_fd_, out_seen_); }
  std::string err() { return take(err_fd_, err_seen_); }

  TempDir dir_;
  TempDir io_;
  int in_fd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  size_t out_seen_ = 0;
  size_t err_seen_ = 0;
  PosixHost* host_ = nullptr;
  Shell* shell_ = nullptr;
};

TEST_F(Interactive, ContinuationLines) {
  EXPECT_EQ(shell_->prompt(), StringView("$ "));
  EXPECT_EQ(line("if true"), LineResult::NeedMore);
  EXPECT_EQ(shell_->prompt(), StringView("> "));
  EXPECT_EQ(line("then echo yes"), LineResult::NeedMore);
  EXPECT_EQ(line("fi"), LineResult::Done);
  EXPECT_EQ(shell_->prompt(), StringView("$ "));
  EXPECT_EQ(out(), "yes\n");
  EXPECT_EQ(line("echo 'a"), LineResult::NeedMore);
  EXPECT_EQ(line("b'"), LineResult::Done);
  EXPECT_EQ(out(), "a\nb\n");
  EXPECT_EQ(line("cat <<EOF"), LineResult::NeedMore);
  EXPECT_EQ(line("document"), LineResult::NeedMore);
  EXPECT_EQ(line("EOF"), LineResult::Done);
  EXPECT_EQ(out(), "document\n");
  EXPECT_EQ(line("echo one \\"), LineResult::NeedMore);
  EXPECT_EQ(line("two"), LineResult::Done);
  EXPECT_EQ(out(), "one two\n");
  EXPECT_EQ(line("true &&"), LineResult::NeedMore);
  EXPECT_EQ(line("echo and"), LineResult::Done);
  EXPECT_EQ(out(), "and\n");
  EXPECT_EQ(line("f() {"), LineResult::NeedMore);
  EXPECT_EQ(line("  echo in f"), LineResult::NeedMore);
  EXPECT_EQ(line("}"), LineResult::Done);
  EXPECT_EQ(line("f"), LineResult::Done);
  EXPECT_EQ(out(), "in f\n");
  EXPECT_EQ(err(), "");
}

TEST_F(Interactive, ErrorsDoNotEndTheShell) {
  EXPECT_EQ(line("fi"), LineResult::Done);
  EXPECT_EQ(err(), "sh: Syntax error: \"fi\" unexpected\n");
  EXPECT_EQ(shell_->last_status(), 2);
  EXPECT_EQ(line("echo $((1 / 0)); echo not reached"), LineResult::Done);
  EXPECT_NE(err().find("division by zero"), std::string::npos);
  EXPECT_EQ(shell_->last_status(), 2);
  EXPECT_EQ(line("nosuch"), LineResult::Done);
  EXPECT_EQ(err(), "sh: nosuch: not found\n");
  EXPECT_EQ(shell_->last_status(), 127);
  EXPECT_EQ(line("cd /nonexistent"), LineResult::Done);
  EXPECT_EQ(err(), "sh: cd: can't cd to /nonexistent\n");
  EXPECT_EQ(line("echo $undefined_var ${x?no x}; echo not reached"), LineResult::Done);
  EXPECT_EQ(err(), "sh: x: no x\n");
  EXPECT_EQ(line("shift 4"), LineResult::Done);
  EXPECT_EQ(err(), "sh: shift: can't shift that many\n");
  EXPECT_EQ(line("echo still here"), LineResult::Done);
  EXPECT_EQ(out(), "still here\n");
  EXPECT_EQ(line("exit 3"), LineResult::Exit);
  EXPECT_EQ(shell_->exit_status(), 3);
}

TEST_F(Interactive, BackgroundJobs) {
  EXPECT_EQ(line("sh -c 'exit 3' &"), LineResult::Done);
  EXPECT_EQ(shell_->last_status(), 0);
  EXPECT_EQ(line("wait $!; echo \"waited $?\""), LineResult::Done);
  EXPECT_EQ(out(), "waited 3\n");
  EXPECT_EQ(line("true &"), LineResult::Done);
  EXPECT_EQ(line("sleep 0.2"), LineResult::Done);
  shell_->report_jobs();
  EXPECT_EQ(err(), "[1] Done   true\n");
  shell_->report_jobs();
  EXPECT_EQ(err(), "");
  EXPECT_EQ(line("sleep 1 > out.txt &"), LineResult::Done);
  EXPECT_EQ(line("jobs"), LineResult::Done);
  EXPECT_EQ(out(), "[1] Running   sleep 1 > out.txt\n");
  EXPECT_EQ(line("sh -c 'exit 4' &"), LineResult::Done);
  EXPECT_EQ(line("fg %2"), LineResult::Done);
  EXPECT_EQ(out(), "sh -c 'exit 4'\n");
  EXPECT_EQ(shell_->last_status(), 4);
  EXPECT_EQ(line("fg %2"), LineResult::Done);
  EXPECT_EQ(err(), "sh: fg: No such job: %2\n");
  EXPECT_EQ(line("wait; echo all done"), LineResult::Done);
  EXPECT_EQ(out(), "all done\n");
  // What the shell runs itself runs at once, as a job that has ended.
  EXPECT_EQ(line("{ echo in-process; } &"), LineResult::Done);
  EXPECT_EQ(out(), "in-process\n");
  shell_->report_jobs();
  EXPECT_EQ(err(), "[1] Done   { echo in-process; }\n");
}

TEST_F(Interactive, ProgramsAndStatuses) {
  EXPECT_EQ(line("sh -c 'kill -SEGV $$'"), LineResult::Done);
  EXPECT_EQ(err(), "Segmentation fault\n");
  EXPECT_EQ(shell_->last_status(), 139);
  EXPECT_EQ(line("echo data > plain; ./plain"), LineResult::Done);
  EXPECT_EQ(err(), "sh: ./plain: Permission denied\n");
  EXPECT_EQ(shell_->last_status(), 126);
  EXPECT_EQ(line("X=1; export Y=2; Z=3 env | grep -E '^[XYZ]=' | sort"), LineResult::Done);
  EXPECT_EQ(out(), "Y=2\nZ=3\n");
  EXPECT_EQ(line("cat <<EOF > doc; cat doc; cat < doc >> doc2; cat doc2 doc2"),
            LineResult::NeedMore);
  EXPECT_EQ(line("text"), LineResult::NeedMore);
  EXPECT_EQ(line("EOF"), LineResult::Done);
  EXPECT_EQ(out(), "text\ntext\ntext\n");
}

TEST_F(Interactive, OutputBounds) {
  EXPECT_EQ(line("x=$(yes | head -c 2000000); echo not reached"), LineResult::Done);
  EXPECT_NE(err().find("output too large"), std::string::npos);
  EXPECT_EQ(line("yes | while read l; do :; done; echo not reached"), LineResult::Done);
  EXPECT_NE(err().find("more than 1 MiB"), std::string::npos);
  EXPECT_EQ(out(), "");
  EXPECT_EQ(line("echo fine"), LineResult::Done);
  EXPECT_EQ(out(), "fine\n");
}

// The backend calls interrupt() while it waits for a program (Ctrl-C): a loop stops too.
TEST(Interrupt, StopsLoops) {
  FakeHost host;
  Shell* shell = Shell::create(host, true);
  host.on_wait = [&] {
    shell->interrupt();
    return Ending{Ending::How::Signaled, 2, ""};
  };
  EXPECT_EQ(shell->run_line("while true; do prog; done; echo not reached"), LineResult::Done);
  EXPECT_EQ(host.started.size(), 1u);
  EXPECT_EQ(shell->last_status(), 130);
  EXPECT_EQ(host.out, "");
  EXPECT_EQ(host.err, "");
  // A half-typed command is forgotten.
  host.on_wait = nullptr;
  EXPECT_EQ(shell->run_line("if true"), LineResult::NeedMore);
  shell->interrupt();
  EXPECT_EQ(shell->prompt(), StringView("$ "));
  EXPECT_EQ(shell->run_line("echo again"), LineResult::Done);
  EXPECT_EQ(host.out, "again\n");
  Shell::dispose(shell);
}

TEST(FakeHostShell, PipelinesReachTheHostWhole) {
  FakeHost host;
  Shell* shell = Shell::create(host, false);
  EXPECT_EQ(shell->run_script("a 1 | b 2 | c 3\nx=$(d) e\n"), 0);
  ASSERT_EQ(host.started.size(), 3u);
  EXPECT_EQ(host.started[0], "a 1 | b 2 | c 3");
  EXPECT_EQ(host.started[1], "d");
  EXPECT_EQ(host.started[2], "e");
  Shell::dispose(shell);
}

TEST(FakeHostShell, BuiltinEchoWhenTheHostSaysSo) {
  FakeHost host;
  Shell* shell = Shell::create(host, false);
  EXPECT_EQ(shell->run_script("echo -n a; echo 'b\\tc' d; echo 'e\\cf'; echo"), 0);
  EXPECT_EQ(host.out, "ab\tc d\ne\n");
  EXPECT_TRUE(host.started.empty());
  Shell::dispose(shell);
}

TEST(Scripts, ExitStatusAndStdin) {
  Outcome o = run("read a; read b; echo \"$b $a\"; exit 5", "one\ntwo\n");
  EXPECT_EQ(o.out, "two one\n");
  EXPECT_EQ(o.status, 5);
  o = run("cat", "passed through\n");
  EXPECT_EQ(o.out, "passed through\n");
  o = run("false");
  EXPECT_EQ(o.status, 1);
  o = run("if");
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "sh: Syntax error: end of file unexpected\n");
}

}  // namespace
}  // namespace test
