#include "sh_harness.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "posix_host.h"
#include "programs/sh/shell.h"
#include "tests/unit/temp_dir.h"

namespace test {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

std::vector<std::string> script_environment(const std::string& dir) {
  return {"PATH=/usr/bin:/bin", "HOME=" + dir, "LC_ALL=C"};
}

Outcome run_ours(const std::string& text, const std::string& dir, const std::string& input,
                 bool builtin_echo) {
  TempDir io;
  write_file(io.file("in"), input);
  const int in = open(io.file("in").c_str(), O_RDONLY | O_CLOEXEC);
  const int out = open(io.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = open(io.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  Outcome outcome;
  {
    PosixHost host(in, out, err);
    host.set_builtin_echo(builtin_echo);
    stellina::sh::Shell* shell = stellina::sh::Shell::create(host, false);
    std::vector<std::string> env = script_environment(dir);
    env.push_back("PWD=" + dir);
    std::vector<stellina::sh::StringView> views;
    views.reserve(env.size());
    for (const auto& e : env) views.emplace_back(e.data(), e.size());
    shell->import_environment(views);
    outcome.status = shell->run_script(stellina::sh::StringView(text.data(), text.size()));
    stellina::sh::Shell::dispose(shell);
  }
  close(in);
  close(out);
  close(err);
  outcome.out = read_file(io.file("out"));
  outcome.err = read_file(io.file("err"));
  return outcome;
}

Outcome run_dash(const std::string& script, const std::string& dir, const std::string& input) {
  TempDir io;
  write_file(io.file("in"), input);
  std::string command = "cd '" + dir + "' && env -i";
  for (const auto& e : script_environment(dir)) command += " '" + e + "'";
  command += " /bin/sh '" + script + "' <'" + io.file("in") + "' >'" + io.file("out") + "' 2>'" +
             io.file("err") + "'";
  Outcome outcome;
  const int status = std::system(command.c_str());
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.out = read_file(io.file("out"));
  outcome.err = read_file(io.file("err"));
  return outcome;
}

}  // namespace test
