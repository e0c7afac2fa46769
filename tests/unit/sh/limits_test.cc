// Hostile input: every bound of limits.h gives an error message and the shell goes on.

#include <random>
#include <string>

#include <gtest/gtest.h>

#include "fake_host.h"
#include "programs/sh/parser.h"
#include "programs/sh/shell.h"

namespace test {
namespace {

using stellina::sh::Arena;
using stellina::sh::kMaxNesting;
using stellina::sh::LineResult;
using stellina::sh::Node;
using stellina::sh::Parser;
using stellina::sh::ParseStatus;
using stellina::sh::Shell;
using stellina::sh::StringView;

StringView view(const std::string& s) { return StringView(s.data(), s.size()); }

// Parses text as a script, command by command; the first status that is not Ok.
ParseStatus parse(const std::string& text, std::string* message = nullptr) {
  Arena arena;
  Parser parser(arena, view(text));
  for (;;) {
    Node* node = nullptr;
    const ParseStatus status = parser.next(&node);
    if (status != ParseStatus::Ok) {
      if (message) *message = std::string(parser.message().data(), parser.message().size());
      return status == ParseStatus::End ? ParseStatus::Ok : status;
    }
  }
}

std::string repeat(const std::string& s, size_t n) {
  std::string r;
  for (size_t i = 0; i < n; ++i) r += s;
  return r;
}

class ShellTest : public testing::Test {
 protected:
  void SetUp() override { shell_ = Shell::create(host_, false); }
  void TearDown() override { Shell::dispose(shell_); }
  int run(const std::string& script) { return shell_->run_script(view(script)); }
  // A fresh shell for each script of a test that runs several.
  int run_fresh(const std::string& script) {
    Shell::dispose(shell_);
    host_.out.clear();
    host_.err.clear();
    shell_ = Shell::create(host_, false);
    return run(script);
  }
  FakeHost host_;
  Shell* shell_ = nullptr;
};

TEST(Parser, IncompleteInputNeedsMore) {
  for (const char* text : {"echo 'abc",
                           "echo \"abc",
                           "if true; then",
                           "if true; then echo; else",
                           "a &&",
                           "a ||",
                           "a |",
                           "for x in a; do",
                           "for x in a b",
                           "while true",
                           "case x in",
                           "case x in a) b;;",
                           "echo $(",
                           "echo $(echo",
                           "echo ${x",
                           "echo `echo",
                           "cat <<EOF\nabc\n",
                           "{ echo",
                           "(echo",
                           "echo \\",
                           "f() {",
                           "f()",
                           "echo $((1 +",
                           "! ",
                           "echo \"$(echo ')\""}) {
    std::string message;
    EXPECT_EQ(parse(text, &message), ParseStatus::NeedMore) << text;
    EXPECT_FALSE(message.empty()) << text;
  }
}

TEST(Parser, SyntaxErrors) {
  for (const char* text :
       {"fi", "then", "if; then fi", ")", "echo > ;", ";;", "{ }", "a && && b",
        "for 1 in a; do :; done", "echo a )", "echo >\n", "case x in a b) ;; esac", "f() echo",
        "1a() { :; }", "a | | b", "echo 99>x", "done", "&"}) {
    std::string message;
    EXPECT_EQ(parse(text, &message), ParseStatus::Error) << text;
    EXPECT_FALSE(message.empty()) << text;
  }
}

TEST(Parser, CompleteInput) {
  for (const char* text :
       {"", "# only a comment", "\n\n", "echo a; echo b &", "a && b || c | d", "if a; then b; fi",
        "for x; do :; done", "case x in a|b) ;; (c) d ;; esac", "f() { :; }", "f() ( : )",
        "while a; do b; done > x 2>&1", "x=1 y=2", "cat <<EOF\nbody\nEOF\n",
        "echo $(case x in x) y;; esac)", "echo ${x:-${y:-z}} $((1 + (2 * 3)))", "echo a\\\nb",
        "! a | b", "2>&1 >x echo"}) {
    EXPECT_EQ(parse(text), ParseStatus::Ok) << text;
  }
}

TEST(Parser, DeepNestingIsAnError) {
  const size_t deep = kMaxNesting + 10;
  const std::vector<std::string> texts = {
      repeat("(", deep) + "echo" + repeat(")", deep),
      repeat("{ ", deep) + "echo;" + repeat(" }", deep),
      repeat("if true; then ", deep) + "echo" + repeat("; fi", deep),
      repeat("while true; do ", deep) + "echo" + repeat("; done", deep),
      "echo " + repeat("$(", deep) + "x" + repeat(")", deep),
      "echo " + repeat("${x:-", deep) + "x" + repeat("}", deep),
      "echo $((" + repeat("(", 2 * deep) + "1" + repeat(")", 2 * deep) + "))",
  };
  for (const std::string& text : texts) {
    std::string message;
    EXPECT_EQ(parse(text, &message), ParseStatus::Error) << text.substr(0, 40);
    EXPECT_NE(message.find("nested too deeply"), std::string::npos) << message;
  }
  // Far past any bound: still an error, not a stack overflow.
  EXPECT_EQ(parse(repeat("(", 200000)), ParseStatus::Error);
  EXPECT_EQ(parse("echo " + repeat("$(", 200000)), ParseStatus::Error);
  EXPECT_EQ(parse("echo " + repeat("\"$(", 100000)), ParseStatus::Error);
}

TEST(Parser, LongFlatListsParseAndRun) {
  // And-or lists, pipelines' neighbours and elif chains are flat: no recursion per item.
  EXPECT_EQ(parse("true" + repeat(" && true", 20000)), ParseStatus::Ok);
  EXPECT_EQ(parse("if false; then :" + repeat("; elif false; then :", 20000) + "; fi"),
            ParseStatus::Ok);
  std::string message;
  EXPECT_EQ(parse("a" + repeat(" | a", 40), &message), ParseStatus::Error);
  EXPECT_NE(message.find("pipeline"), std::string::npos);
  EXPECT_EQ(parse("echo" + repeat(" a", 5000), &message), ParseStatus::Error);
  EXPECT_NE(message.find("too many words"), std::string::npos);
}

TEST_F(ShellTest, LongFlatListsRun) {
  EXPECT_EQ(run(":" + repeat(" && :", 20000) + "; echo done"), 0);
  EXPECT_EQ(host_.out, "done\n");
  EXPECT_EQ(run_fresh("if false; then :" + repeat("; elif false; then :", 20000) +
                      "; else echo else; fi"),
            0);
  EXPECT_EQ(host_.out, "else\n");
}

TEST_F(ShellTest, HugeLineIsAnError) {
  Shell::dispose(shell_);
  shell_ = Shell::create(host_, true);
  EXPECT_EQ(shell_->run_line(view("echo " + std::string(100000, 'x'))), LineResult::Done);
  EXPECT_NE(host_.err.find("line too long"), std::string::npos) << host_.err;
  EXPECT_EQ(shell_->last_status(), 2);
  // Continuation lines count together.
  host_.err.clear();
  EXPECT_EQ(shell_->run_line("echo 'open"), LineResult::NeedMore);
  for (int i = 0; i < 100 && host_.err.empty(); ++i) shell_->run_line(view(std::string(1000, 'y')));
  EXPECT_NE(host_.err.find("line too long"), std::string::npos);
  // And the shell goes on.
  host_.out.clear();
  EXPECT_EQ(shell_->run_line("echo fine"), LineResult::Done);
  EXPECT_EQ(host_.out, "fine\n");
}

TEST_F(ShellTest, HugeScriptIsAnError) {
  EXPECT_EQ(run(std::string(size_t{2} * 1024 * 1024, '#')), 2);
  EXPECT_NE(host_.err.find("script too large"), std::string::npos);
}

TEST_F(ShellTest, HugeCommandIsAnError) {
  // Within the script's bound, but its syntax tree is past the parser's.
  EXPECT_EQ(run("echo" + repeat("; :", 300000)), 2);
  EXPECT_NE(host_.err.find("command too large"), std::string::npos) << host_.err;
  EXPECT_EQ(host_.out, "");
}

TEST_F(ShellTest, RecursionIsBounded) {
  EXPECT_EQ(run("f() { f; }; f\necho \"after $?\""), 0);
  EXPECT_NE(host_.err.find("too deeply nested"), std::string::npos) << host_.err;
  EXPECT_EQ(host_.out, "after 2\n");
  EXPECT_EQ(run_fresh("e='eval \"$e\"'; eval \"$e\"; echo never"), 2);
  EXPECT_NE(host_.err.find("too deeply nested"), std::string::npos) << host_.err;
  EXPECT_EQ(run_fresh("f() { echo $(f) $(f); }; f; echo never\necho after"), 0);
  EXPECT_EQ(host_.out, "after\n");
  EXPECT_NE(host_.err.find("too deeply nested"), std::string::npos) << host_.err;
}

TEST_F(ShellTest, ArithmeticNestingIsBounded) {
  // Built at run time, past the parser's view.
  EXPECT_EQ(run("x=\"" + repeat("-", 1000) + "1\"; (echo $(($x))); echo after"), 0);
  EXPECT_NE(host_.err.find("nested too deeply"), std::string::npos) << host_.err;
  EXPECT_EQ(host_.out, "after\n");
  EXPECT_EQ(run_fresh("x=\"" + repeat("(", 500) + "1" + repeat(")", 500) +
                      "\"; (echo $(($x))); echo after"),
            0);
  EXPECT_NE(host_.err.find("nested too deeply"), std::string::npos) << host_.err;
  EXPECT_EQ(host_.out, "after\n");
  // Typed in the script, the parser refuses it.
  EXPECT_EQ(run_fresh("echo $((" + repeat("(", 500) + "1" + repeat(")", 500) + "))"), 2);
  EXPECT_NE(host_.err.find("nested too deeply"), std::string::npos) << host_.err;
}

TEST_F(ShellTest, TooManyFieldsIsAnError) {
  EXPECT_EQ(run("x=\"" + repeat("a ", 5000) + "\"; (echo $x); echo \"after $?\""), 0);
  EXPECT_NE(host_.err.find("too many words"), std::string::npos) << host_.err;
  EXPECT_EQ(host_.out, "after 2\n");
}

TEST_F(ShellTest, LongStringsAreBounded) {
  // Doubling a variable past kMaxString (1 MiB).
  EXPECT_EQ(run("x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done; echo never"), 2);
  EXPECT_NE(host_.err.find("too long"), std::string::npos) << host_.err;
  EXPECT_EQ(host_.out, "");
}

TEST_F(ShellTest, TooManyVariables) {
  // As for a read-only variable, a failed assignment ends a script.
  EXPECT_EQ(run("i=0; while [ $i -lt 2000 ]; do eval v$i=x; i=$((i + 1)); done; echo never"), 2);
  EXPECT_NE(host_.err.find("too many variables"), std::string::npos);
  EXPECT_EQ(host_.out, "");
}

// Random text from the shell's own characters: the parser and interpreter never crash (the
// sanitizers watch) and nothing can run (FakeHost starts nothing).
TEST(Fuzz, RandomScripts) {
  const std::string alphabet = "ab =$(){}[]*?'\"`\\|&;<>\n\t#~!:-+%0123456789";
  const char* words[] = {"if ",   "then ",  "fi ", "for ", "in ",   "do ", "done ", "case ",
                         "esac ", "while ", "${",  "$((",  "<<E\n", "E\n", "f() ",  "eval "};
  std::mt19937 random(1234);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const size_t length = random() % 200;
    for (size_t i = 0; i < length; ++i) {
      if (random() % 8 == 0) {
        text += words[random() % (sizeof(words) / sizeof(words[0]))];
      } else {
        text += alphabet[random() % alphabet.size()];
      }
    }
    parse(text);
    FakeHost host;
    Shell* shell = Shell::create(host, round % 2 == 0);
    if (round % 2) {
      shell->run_script(view(text));
    } else {
      // Line by line, as typed.
      size_t start = 0;
      while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        shell->run_line(view(text.substr(start, end - start)));
        start = end + 1;
      }
    }
    Shell::dispose(shell);
  }
}

}  // namespace
}  // namespace test
