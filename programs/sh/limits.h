#pragma once
// Every size the shell accepts is bounded here, so that no input (a script, a line typed at
// the prompt, the output of a command) can make it crash or take without end: past a limit
// the command fails with a message naming what was too big, and the shell goes on.

#include <stddef.h>

namespace stellina::sh {

// One interactive line, and a command being continued over several lines ("> " prompts).
constexpr size_t kMaxLineLength = 64 * 1024;
// A script (a file given to sh, `.`, eval's argument).
constexpr size_t kMaxScriptSize = 1024 * 1024;
// The memory of one parsed command (its syntax tree).
constexpr size_t kMaxParseMemory = 8 * 1024 * 1024;
// Nesting of compound commands, $(...), ${...} and parentheses, in the parser and in
// arithmetic.
constexpr int kMaxNesting = 64;
// Execution depth: function calls, eval, `.`, command substitutions and subshells, together.
constexpr int kMaxCallDepth = 64;
// Any string the shell builds: a word after expansion, a variable's value, a captured
// output ($(...)), the data between the stages of a pipeline run by the shell itself.
constexpr size_t kMaxString = 1024 * 1024;
// Fields of one command after expansion (its argv), and positional parameters.
constexpr size_t kMaxFields = 4096;
// Names a pattern may match when globbing.
constexpr size_t kMaxGlobMatches = 4096;
// Variables (shell and environment together) and functions.
constexpr size_t kMaxVariables = 1024;
constexpr size_t kMaxFunctions = 256;
// A variable's or function's name.
constexpr size_t kMaxNameLength = 255;
// Commands in one pipeline.
constexpr size_t kMaxPipeline = 32;
// Background jobs remembered at once.
constexpr size_t kMaxJobs = 32;
// Redirections of one command.
constexpr size_t kMaxRedirects = 32;
// A path the shell builds (cwd, a command looked up in PATH, a redirection's file).
constexpr size_t kMaxPath = 4096;
// The shell's own file descriptors: 0 to 9, as POSIX requires at least.
constexpr int kMaxFd = 9;

}  // namespace stellina::sh
