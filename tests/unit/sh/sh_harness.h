#pragma once
// Running a script through the interpreter (with PosixHost) and through the host's /bin/sh,
// in a fresh directory each, for the tests to compare.

#include <string>
#include <vector>

namespace test {

struct Outcome {
  std::string out;
  std::string err;
  int status = -1;
};

// The environment both shells get: PATH, HOME (the directory the script runs in), LC_ALL.
std::vector<std::string> script_environment(const std::string& dir);

// Runs text with the interpreter in dir (its cwd), stdin from the given text.
Outcome run_ours(const std::string& text, const std::string& dir, const std::string& input = "",
                 bool builtin_echo = false);
// Runs the file script with /bin/sh in dir.
Outcome run_dash(const std::string& script, const std::string& dir, const std::string& input = "");

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

}  // namespace test
