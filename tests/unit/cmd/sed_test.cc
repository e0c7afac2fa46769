// sed's core over strings: the expected outputs are GNU sed 4.9's for the same scripts.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "programs/sed/sed_args.h"
#include "programs/sed/sed_run.h"
#include "programs/sed/sed_script.h"

namespace {

class StringIo final : public text::SedIo {
 public:
  explicit StringIo(std::vector<std::string> files) : files_(std::move(files)) {}

  void* allocate(size_t size) override {
    if (size > limit_) return nullptr;
    return std::malloc(size);
  }
  void release(void* p, size_t) override { std::free(p); }

  bool next_line(lib::StringView* line, bool* newline, bool* new_file) override {
    for (;;) {
      if (file_ >= files_.size()) return false;
      const std::string& f = files_[file_];
      if (at_ >= f.size()) {
        ++file_;
        at_ = 0;
        continue;
      }
      size_t end = f.find('\n', at_);
      *newline = end != std::string::npos;
      if (!*newline) end = f.size();
      *line = lib::StringView(f.data() + at_, end - at_);
      *new_file = returned_ && file_ != last_file_;
      returned_ = true;
      last_file_ = file_;
      at_ = *newline ? end + 1 : end;
      return true;
    }
  }
  void file_changed() override {
    current_ = last_file_;
    out += "<" + std::to_string(current_) + ">";
  }
  lib::StringView file_name() override { return names_[current_ % 2]; }

  void write(lib::StringView data) override { out.append(data.data(), data.size()); }
  int open_output(lib::StringView path, const char** why) override {
    const std::string name(path.data(), path.size());
    if (name == "/nonexistent/x") {
      *why = "No such file or directory";
      return -1;
    }
    written[name];
    ids_.push_back(name);
    return static_cast<int>(ids_.size() - 1);
  }
  void write_to(int id, lib::StringView data) override {
    written[ids_[static_cast<size_t>(id)]].append(data.data(), data.size());
  }
  void copy_file(lib::StringView path) override {
    const std::string name(path.data(), path.size());
    if (name == "inserted") out += "INSERTED\n";
  }

  std::string out;
  std::map<std::string, std::string> written;
  size_t limit_ = SIZE_MAX;

 private:
  std::vector<std::string> files_;
  std::vector<std::string> ids_;
  size_t file_ = 0, at_ = 0, last_file_ = 0, current_ = 0;
  bool returned_ = false;
  const char* names_[2] = {"one", "two"};
};

struct Result {
  std::string out;
  int status;
  std::string error;
};

text::RegexScratch& scratch() {
  static auto s = std::make_unique<text::RegexScratch>();
  return *s;
}

Result run(std::vector<std::string> scripts, std::vector<std::string> files,
           text::SedOptions options = {}, uint32_t flags = 0, StringIo** io_out = nullptr) {
  static std::unique_ptr<StringIo> keep;
  keep = std::make_unique<StringIo>(std::move(files));
  StringIo& io = *keep;
  if (io_out) *io_out = &io;
  text::SedScript script(io);
  for (const std::string& s : scripts)
    EXPECT_TRUE(script.add_expression(lib::StringView(s.data(), s.size())));
  if (!script.parse(flags)) {
    const lib::StringView e = script.error();
    return Result{"", script.error_status(), std::string(e.data(), e.size())};
  }
  text::SedRun sed(script, io, scratch(), options);
  const int status = sed.run();
  const lib::StringView e = sed.error();
  return Result{io.out, status, std::string(e.data(), e.size())};
}

std::string sed(const std::string& script, const std::string& input, bool quiet = false,
                uint32_t flags = 0) {
  text::SedOptions o;
  o.quiet = quiet;
  Result r = run({script}, {input}, o, flags);
  if (!r.error.empty()) return "error: " + r.error;
  return r.out;
}

std::string ere(const std::string& script, const std::string& input, bool quiet = false) {
  return sed(script, input, quiet, text::kExtended);
}

std::string error(const std::string& script) {
  Result r = run({script}, {""});
  return r.error;
}

TEST(Sed, Substitute) {
  EXPECT_EQ(sed("s/a/b/", "aaa\nxa\n"), "baa\nxb\n");
  EXPECT_EQ(sed("s/a/b/g", "aaa\nxa\n"), "bbb\nxb\n");
  EXPECT_EQ(sed("s/l/L/2", "hello\n"), "helLo\n");
  EXPECT_EQ(sed("s/l*/X/2g", "hello\n"), "hXeXoX\n");
  EXPECT_EQ(sed("s/a*/x/g", "baaac\n"), "xbxcx\n");
  EXPECT_EQ(sed("s|/home/me|HOME|", "/home/me/src\n"), "HOME/src\n");
  EXPECT_EQ(sed("s/.*nonexistent_file.*/error line/", "ls: nonexistent_file: not found\n"),
            "error line\n");
  EXPECT_EQ(sed("s/x/[&]/g", "axbx\n"), "a[x]b[x]\n");
  EXPECT_EQ(sed("s/x/\\&/", "x\n"), "&\n");
  EXPECT_EQ(sed("s/\\(a*\\)\\(b*\\)/\\2\\1/", "aabbc\n"), "bbaac\n");
  EXPECT_EQ(ere("s/([a-z]+)=([0-9]+)/\\2=\\1/g", "a=1 bc=23\n"), "1=a 23=bc\n");
  EXPECT_EQ(ere("s/(a|ab)(c|bcd)(d*)/[\\1][\\2][\\3]/", "abcd\n"), "[a][bcd][]\n");
  EXPECT_EQ(sed("s/HELLO/bye/I", "say Hello\n"), "say bye\n");
  EXPECT_EQ(sed("s/\\./\\n/", "a.b\n"), "a\nb\n");
  EXPECT_EQ(sed("s/a/\\t/", "a\n"), "\t\n");
  EXPECT_EQ(sed("s/a/x\\\ny/", "a\n"), "x\ny\n");
  EXPECT_EQ(sed("s/\\n//", "a\n"), "a\n");
  EXPECT_EQ(sed("s/b/\\//", "abc\n"), "a/c\n");
  EXPECT_EQ(sed("s,a\\,b,X,", "a,b\n"), "X\n");
  EXPECT_EQ(sed("s/^/> /", "x\ny\n"), "> x\n> y\n");
  EXPECT_EQ(sed("s/$/ </", "x\n"), "x <\n");
  EXPECT_EQ(sed("s/\\bx/Y/g", "x xx axb\n"), "Y Yx axb\n");
  EXPECT_EQ(sed("s/a/b/ g ;p", "aa\n"), "bb\nbb\n");
}

TEST(Sed, SubstituteCase) {
  EXPECT_EQ(sed("s/a/\\U&x\\E!/2", "aaa\n"), "aAX!a\n");
  EXPECT_EQ(ere("s/(\\w+) (\\w+)/\\u\\1 \\U\\2/", "hello world\n"), "Hello WORLD\n");
  EXPECT_EQ(sed("s/.*/\\L&/", "MiXeD\n"), "mixed\n");
  EXPECT_EQ(sed("s/\\(.\\)\\(.*\\)/\\2\\l\\1/", "Abc\n"), "bca\n");
  EXPECT_EQ(sed("s/.*/\\U\\l&/", "abc\n"), "aBC\n");
}

TEST(Sed, SubstituteFlagsPrintAndWrite) {
  EXPECT_EQ(sed("s/a/b/p", "a\nc\n", true), "b\n");
  EXPECT_EQ(sed("s/a/b/p", "a\n"), "b\nb\n");
  StringIo* io = nullptr;
  Result r = run({"s/a/b/w out"}, {"a\nc\na\n"}, {}, 0, &io);
  EXPECT_EQ(r.out, "b\nc\nb\n");
  EXPECT_EQ(io->written["out"], "b\nb\n");
}

TEST(Sed, PrintDeleteQuit) {
  EXPECT_EQ(sed("p", "a\nb\n"), "a\na\nb\nb\n");
  EXPECT_EQ(sed("2d", "a\nb\nc\n"), "a\nc\n");
  EXPECT_EQ(sed("2q", "a\nb\nc\n"), "a\nb\n");
  EXPECT_EQ(sed("2Q", "a\nb\nc\n"), "a\n");
  Result r = run({"2q5"}, {"a\nb\nc\n"});
  EXPECT_EQ(r.out, "a\nb\n");
  EXPECT_EQ(r.status, 5);
  r = run({"Q7"}, {"a\n"});
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.status, 7);
  EXPECT_EQ(sed("$=", "a\nb\n", true), "2\n");
  EXPECT_EQ(sed("=", "a\nb\n"), "1\na\n2\nb\n");
  EXPECT_EQ(sed("-n", ""), "error: -e expression #1, char 1: unknown command: `-'");
}

TEST(Sed, Addresses) {
  const std::string five = "1\n2\n3\n4\n5\n";
  EXPECT_EQ(sed("2,4p", five, true), "2\n3\n4\n");
  EXPECT_EQ(sed("4,2p", five, true), "4\n");
  EXPECT_EQ(sed("$p", five, true), "5\n");
  EXPECT_EQ(sed("/3/,$p", five, true), "3\n4\n5\n");
  EXPECT_EQ(sed("/2/,/4/d", five), "1\n5\n");
  EXPECT_EQ(sed("2,/[0-9]/p", five, true), "2\n3\n");
  EXPECT_EQ(sed("0,/[0-9]/p", five, true), "1\n");
  EXPECT_EQ(sed("1,/[0-9]/p", five, true), "1\n2\n");
  EXPECT_EQ(sed("2,+2p", five, true), "2\n3\n4\n");
  EXPECT_EQ(sed("2,~4p", five, true), "2\n3\n4\n");
  EXPECT_EQ(sed("0~2p", five, true), "2\n4\n");
  EXPECT_EQ(sed("1~3p", five, true), "1\n4\n");
  EXPECT_EQ(sed("2!d", five), "2\n");
  EXPECT_EQ(sed("2,4!d", five), "2\n3\n4\n");
  EXPECT_EQ(sed("\\,3,p", five, true), "3\n");
  EXPECT_EQ(sed("\\%3%p", five, true), "3\n");
  EXPECT_EQ(sed("/A/Ip", "a\nb\n", true), "a\n");
  EXPECT_EQ(sed("/x/,/x/p", "x\na\nx\nb\nx\n", true), "x\na\nx\nx\n");
  EXPECT_EQ(sed("//p", "a\n", true), "error: no previous regular expression");
  EXPECT_EQ(sed("/a/s//b/", "xa\n"), "xb\n");
  EXPECT_EQ(sed("/\\(b\\)/s//[\\1]/", "abc\n"), "a[b]c\n");
}

TEST(Sed, Blocks) {
  EXPECT_EQ(sed("/x/{p;p}", "x\ny\n", true), "x\nx\n");
  EXPECT_EQ(sed("2{s/2/two/;p}", "1\n2\n3\n"), "1\ntwo\ntwo\n3\n");
  EXPECT_EQ(sed("1!{/b/d}", "b\nb\nc\n"), "b\nc\n");
  EXPECT_EQ(sed("{\np\n}\n", "a\n", true), "a\n");
  EXPECT_EQ(sed("2,3{/3/!d}", "1\n2\n3\n4\n"), "1\n3\n4\n");
}

TEST(Sed, TextCommands) {
  EXPECT_EQ(sed("a foo", "x\n"), "x\nfoo\n");
  EXPECT_EQ(sed("a\\\n  two\\\nthree", "x\n"), "x\n  two\nthree\n");
  EXPECT_EQ(sed("a\\  lead", "x\n"), "x\n  lead\n");
  EXPECT_EQ(sed("a\\ta", "x\n"), "x\nta\n");
  EXPECT_EQ(sed("a foo\\tbar", "x\n"), "x\nfoo\tbar\n");
  EXPECT_EQ(sed("1i\\\nins", "a\nb\n"), "ins\na\nb\n");
  EXPECT_EQ(sed("i\\\nins", "a\nb\n"), "ins\na\nins\nb\n");
  EXPECT_EQ(sed("2c\\\nchanged", "a\nb\nc\n"), "a\nchanged\nc\n");
  EXPECT_EQ(sed("2,3c\\\nchanged", "a\nb\nc\nd\n"), "a\nchanged\nd\n");
  EXPECT_EQ(sed("2,3!c\\\nchanged", "a\nb\nc\nd\n"), "changed\nb\nc\nchanged\n");
  EXPECT_EQ(sed("$a end", "a\nb\n"), "a\nb\nend\n");
  EXPECT_EQ(sed("1{a foo\nn}", "a\nb\n"), "a\nfoo\nb\n");
  EXPECT_EQ(sed("1r inserted", "a\nb\n"), "a\nINSERTED\nb\n");
  EXPECT_EQ(sed("a\\", "x\n"), "x\n");
  EXPECT_EQ(sed("a\\\n", "x\n"), "x\n\n");
  EXPECT_EQ(sed("a", "x\n"), "error: -e expression #1, char 1: expected \\ after `a', `c' or `i'");
  Result r = run({"$!a\\", "between"}, {"a\nb\n"});
  EXPECT_EQ(r.out, "a\nbetween\nb\n");
}

TEST(Sed, HoldSpace) {
  EXPECT_EQ(sed("1!G;h;$!d", "a\nb\nc\n"), "c\nb\na\n");
  EXPECT_EQ(sed("x", "a\nb\n"), "\na\n");
  EXPECT_EQ(sed("H;$!d;x;s/\\n/,/g", "a\nb\n"), ",a,b\n");
  EXPECT_EQ(sed("h;s/a/b/;G", "a\n"), "b\na\n");
  EXPECT_EQ(sed("1h;2g", "a\nb\n"), "a\na\n");
}

TEST(Sed, NextLines) {
  EXPECT_EQ(sed("n;d", "1\n2\n3\n4\n5\n"), "1\n3\n5\n");
  EXPECT_EQ(sed("n;d", "a\n"), "a\n");
  EXPECT_EQ(sed("$!N;s/\\n/-/", "1\n2\n3\n"), "1-2\n3\n");
  EXPECT_EQ(sed("N;s/\\n/-/", "1\n2\n3\n"), "1-2\n3\n");
  EXPECT_EQ(sed("N;P;D", "a\nb\nc\n"), "a\nb\nc\n");
  EXPECT_EQ(sed(":a;N;$!ba;s/\\n/,/g", "1\n2\n3\n", true), "");
  EXPECT_EQ(sed(":a;N;$!ba;s/\\n/,/gp", "1\n2\n3\n", true), "1,2,3\n");
  EXPECT_EQ(sed("$!N;P;D", "a\na\nb\n"), "a\na\nb\n");
  // uniq, as the sed FAQ writes it.
  EXPECT_EQ(sed("$!N; /^\\(.*\\)\\n\\1$/!P; D", "a\na\nb\n"),
            "error: -e expression #1, char 19: back-references are not supported");
  EXPECT_EQ(sed("n;n;s/$/!/", "1\n2\n3\n4\n"), "1\n2\n3!\n4\n");
}

TEST(Sed, Branches) {
  EXPECT_EQ(sed("s/a/b/;ta;s/$/-/;:a", "a\nc\n"), "b\nc-\n");
  EXPECT_EQ(sed("s/a/b/;Ta;s/$/+/;:a", "a\nc\n"), "b+\nc\n");
  EXPECT_EQ(sed(":x;s/aa/a/;tx", "aaaaab\n"), "ab\n");
  EXPECT_EQ(sed("1{b};p", "x\n"), "x\n");
  EXPECT_EQ(sed("bend;p;:end", "x\n"), "x\n");
  EXPECT_EQ(sed(": x ;p", "1\n"), "1\n1\n");
  EXPECT_EQ(sed("b nowhere", "x\n"), "error: can't find label for jump to `nowhere'");
  // t looks at substitutions since the line was read, not those of an earlier cycle.
  EXPECT_EQ(sed("s/x/y/;n;tz;s/$/!/;:z", "x\na\n"), "y\na!\n");
}

TEST(Sed, Transliterate) {
  EXPECT_EQ(sed("y/abcdefghij/ABCDEFGHIJ/", "hello\n"), "HEllo\n");
  EXPECT_EQ(sed("y/\\//|/", "a/b\n"), "a|b\n");
  EXPECT_EQ(sed("N;y/\\n/ /", "a\nb\n"), "a b\n");
  EXPECT_EQ(sed("y/ab/x/", "a\n"),
            "error: -e expression #1, char 7: strings for `y' command are different lengths");
}

TEST(Sed, List) {
  EXPECT_EQ(sed("l", "a\tb\001\\c\n", true), "a\\tb\\001\\\\c$\n");
  EXPECT_EQ(sed("l 5", "a\tb\001\\c\n", true), "a\\tb\\\n\\001\\\n\\\\c$\n");
  EXPECT_EQ(sed("l", std::string(80, '0') + "\n", true),
            std::string(69, '0') + "\\\n" + std::string(11, '0') + "$\n");
  EXPECT_EQ(sed("N;l;d", "a\nb\n"), "a\\nb$\n");
}

TEST(Sed, MissingLastNewline) {
  EXPECT_EQ(sed("p", "a"), "a\na");
  EXPECT_EQ(sed("x", "a"), "\n");
  EXPECT_EQ(sed("P", "a"), "a\na");
  EXPECT_EQ(sed("=", "a"), "1\na");
  EXPECT_EQ(sed("a foo", "a"), "a\nfoo\n");
  EXPECT_EQ(sed("N;P;D", "a\nb"), "a\nb");
  EXPECT_EQ(sed("1h;2g", "a\nb"), "a\na\n");
  EXPECT_EQ(sed("$!d", "a\nb"), "b");
}

TEST(Sed, QuietFromTheScript) {
  EXPECT_EQ(sed("#n\n2p", "1\n2\n3\n"), "2\n");
  EXPECT_EQ(sed("#no\n2p", "1\n2\n"), "2\n");  // GNU looks at two bytes only
  EXPECT_EQ(sed("#x\n2p", "1\n2\n"), "1\n2\n2\n");
  EXPECT_EQ(sed("  # comment\np # another\n", "a\n", true), "a\n");
}

TEST(Sed, SeveralExpressions) {
  Result r = run({"s/a/b/", "s/b/c/"}, {"a\n"});
  EXPECT_EQ(r.out, "c\n");
  r = run({"p", "k"}, {"a\n"});
  EXPECT_EQ(r.error, "-e expression #2, char 1: unknown command: `k'");
}

TEST(Sed, SeparateFiles) {
  text::SedOptions o;
  Result r = run({"$d"}, {"a\nb\n", "c\nd\n"}, o);
  EXPECT_EQ(r.out, "a\nb\n<1>c\n");
  o.separate = true;
  r = run({"$d"}, {"a\nb\n", "c\nd\n"}, o);
  EXPECT_EQ(r.out, "a\n<1>c\n");
  r = run({"="}, {"a\n", "b\nc\n"}, o);
  EXPECT_EQ(r.out, "1\na\n<1>1\nb\n2\nc\n");
  r = run({"n;s/^/X/"}, {"a\n", "b\nc\n"}, o);
  EXPECT_EQ(r.out, "a\n<1>b\nXc\n");
  r = run({"2,/b/d"}, {"b\nc\n", "top\na\n"}, o);
  EXPECT_EQ(r.out, "b\n<1>top\n");
  r = run({"F"}, {"a\n", "b\n"}, o);
  EXPECT_EQ(r.out, "one\na\n<1>two\nb\n");
}

TEST(Sed, Errors) {
  EXPECT_EQ(error("s/a/b"), "-e expression #1, char 5: unterminated `s' command");
  EXPECT_EQ(error("s/a/b/x"), "-e expression #1, char 7: unknown option to `s'");
  EXPECT_EQ(error("/a"), "-e expression #1, char 2: unterminated address regex");
  EXPECT_EQ(error("k"), "-e expression #1, char 1: unknown command: `k'");
  EXPECT_EQ(error("1,"), "-e expression #1, char 2: unexpected `,'");
  EXPECT_EQ(error("p x"), "-e expression #1, char 3: extra characters after command");
  EXPECT_EQ(error("}"), "-e expression #1, char 1: unexpected `}'");
  EXPECT_EQ(error("{p"), "-e expression #1, char 0: unmatched `{'");
  EXPECT_EQ(error("1,2q"), "-e expression #1, char 4: command only uses one address");
  EXPECT_EQ(error("s/a/\\1/"),
            "-e expression #1, char 7: invalid reference \\1 on `s' command's RHS");
  EXPECT_EQ(error("s/a/b/0"),
            "-e expression #1, char 7: number option to `s' command may not be zero");
  EXPECT_EQ(error("s/a/b/gg"), "-e expression #1, char 8: multiple `g' options to `s' command");
  EXPECT_EQ(error("s/\\(/x/"), "-e expression #1, char 7: Unmatched ( or \\(");
  EXPECT_EQ(error("0p"), "-e expression #1, char 2: invalid usage of line address 0");
  EXPECT_EQ(error("1"), "-e expression #1, char 1: missing command");
  EXPECT_EQ(error("1;p"), "-e expression #1, char 2: unknown command: `;'");
  EXPECT_EQ(error("1 ! ! p"), "-e expression #1, char 5: multiple `!'s");
  EXPECT_EQ(error("w /nonexistent/x"),
            "couldn't open file /nonexistent/x: No such file or directory");
  EXPECT_EQ(error("y/abc/"), "-e expression #1, char 6: unterminated `y' command");
}

TEST(Sed, ErrorStatusesAreGnus) {
  EXPECT_EQ(run({"s/a"}, {""}).status, 1);
  EXPECT_EQ(run({"b x"}, {""}).status, 4);
  EXPECT_EQ(run({"w /nonexistent/x"}, {""}).status, 4);
}

TEST(Sed, OutOfMemoryIsAnError) {
  StringIo* io = nullptr;
  text::SedOptions o;
  auto keep = std::make_unique<StringIo>(std::vector<std::string>{std::string(5000, 'a') + "\n"});
  io = keep.get();
  text::SedScript script(*io);
  ASSERT_TRUE(script.add_expression("s/a/aaaa/g"));
  ASSERT_TRUE(script.parse(0));
  io->limit_ = 16384;
  text::SedRun sed(script, *io, scratch(), o);
  EXPECT_EQ(sed.run(), 4);
  EXPECT_EQ(std::string(sed.error().data(), sed.error().size()), "couldn't re-allocate memory");
}

std::string args(std::vector<std::string> argv) {
  std::vector<lib::StringView> views;
  for (const std::string& a : argv) views.emplace_back(a.data(), a.size());
  static text::SedArgs a;
  a = text::SedArgs();
  char error[128] = {};
  if (!text::parse_sed_args(views, &a, error, sizeof(error))) return std::string("error: ") + error;
  std::string out;
  if (a.quiet) out += "n ";
  if (a.extended) out += "E ";
  if (a.separate) out += "s ";
  if (a.in_place) out += "i" + std::string(a.suffix.data(), a.suffix.size()) + " ";
  for (size_t i = 0; i < a.piece_count; ++i)
    out += (a.pieces[i].file ? "f:" : "e:") +
           std::string(a.pieces[i].text.data(), a.pieces[i].text.size()) + " ";
  for (size_t i = 0; i < a.operand_count; ++i)
    out += std::string(a.operands[i].data(), a.operands[i].size()) + " ";
  return out;
}

TEST(Sed, Arguments) {
  EXPECT_EQ(args({"p", "f"}), "e:p f ");
  EXPECT_EQ(args({"-n", "-e", "p", "-e", "q", "f", "g"}), "n e:p e:q f g ");
  EXPECT_EQ(args({"-nEs", "-fscript", "x"}), "n E s f:script x ");
  EXPECT_EQ(args({"p", "-n", "f"}), "n e:p f ");
  EXPECT_EQ(args({"-i.bak", "s/a/b/", "f"}), "s i.bak e:s/a/b/ f ");
  EXPECT_EQ(args({"--expression=p", "--quiet", "--", "-n"}), "n e:p -n ");
  EXPECT_EQ(args({"-r", "--in-place", "p"}), "E s i e:p ");
  EXPECT_EQ(args({"-k"}), "error: invalid option -- 'k'");
  EXPECT_EQ(args({"-e"}), "error: option requires an argument -- 'e'");
  EXPECT_EQ(args({}), "error: no script given");
}

}  // namespace
