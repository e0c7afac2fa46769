// rev, fold, nl, paste, comm: their cores over strings. The expected outputs are GNU's
// (coreutils 9.1, util-linux's rev) for the same input and options.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "programs/comm/comm_merge.h"
#include "programs/fold/fold_lines.h"
#include "programs/nl/nl_number.h"
#include "programs/paste/paste_lines.h"
#include "programs/rev/rev_line.h"

namespace {

struct StringSink final : lib::Sink {
  void write(const char* s, size_t n) override { text.append(s, n); }
  std::string text;
};

class StringLines final : public text::LineSource {
 public:
  explicit StringLines(std::string s) : s_(std::move(s)) {}
  bool next(lib::StringView* line) override {
    if (at_ >= s_.size()) return false;
    size_t end = s_.find('\n', at_);
    newline_ = end != std::string::npos;
    if (!newline_) end = s_.size();
    *line = lib::StringView(s_.data() + at_, end - at_);
    at_ = newline_ ? end + 1 : end;
    return true;
  }
  bool had_newline() const override { return newline_; }

 private:
  std::string s_;
  size_t at_ = 0;
  bool newline_ = true;
};

struct StringStore final : text::ByteStore {
  bool assign(lib::StringView b) override {
    s.assign(b.data(), b.size());
    return true;
  }
  lib::StringView view() const override { return lib::StringView(s.data(), s.size()); }
  std::string s;
};

TEST(Rev, ReversesBytes) {
  std::string s = "abc";
  text::reverse_bytes(s.data(), s.size());
  EXPECT_EQ(s, "cba");
  s = "";
  text::reverse_bytes(s.data(), s.size());
  EXPECT_EQ(s, "");
  s = "ab";
  text::reverse_bytes(s.data(), s.size());
  EXPECT_EQ(s, "ba");
}

std::string fold(const std::string& in, size_t width, bool bytes = false, bool spaces = false) {
  StringSink out;
  auto f = std::make_unique<text::Folder>(out, width, bytes, spaces);
  for (size_t i = 0; i < in.size(); i += 3)
    f->feed(in.data() + i, in.size() - i < 3 ? in.size() - i : 3);
  f->finish();
  return out.text;
}

TEST(Fold, Columns) {
  EXPECT_EQ(fold("hello world foo\n", 5), "hello\n worl\nd foo\n");
  EXPECT_EQ(fold("hello world foo\n", 8, false, true), "hello \nworld \nfoo\n");
  EXPECT_EQ(fold("aaaa bbbb cccc\n", 5, false, true), "aaaa \nbbbb \ncccc\n");
  EXPECT_EQ(fold("a\tb\n", 4), "a\n\t\nb\n");
  EXPECT_EQ(fold("a\tb\n", 4, true), "a\tb\n");
  EXPECT_EQ(fold("a\tb\tc\n", 10, false, true), "a\t\nb\tc\n");
  EXPECT_EQ(fold("abc\b\bd\n", 2), "ab\nc\b\bd\n");
  EXPECT_EQ(fold("abcdef", 4), "abcd\nef");
  EXPECT_EQ(fold("short\n", 80), "short\n");
}

std::string nl(const std::string& in, text::NlOptions o = {}) {
  StringSink out;
  text::Numberer n(out, o);
  StringLines lines(in);
  lib::StringView line;
  while (lines.next(&line)) n.line(line);
  return out.text;
}

TEST(Nl, Styles) {
  EXPECT_EQ(nl("a\n\nb\n"), "     1\ta\n       \n     2\tb\n");
  text::NlOptions o;
  o.body.kind = 'a';
  o.format[0] = 'l';
  o.format[1] = 'n';
  o.width = 3;
  o.separator = "|";
  EXPECT_EQ(nl("a\n\nb\n", o), "1  |a\n2  |\n3  |b\n");
  text::NlOptions z;
  z.format[1] = 'z';
  z.start = 5;
  z.increment = 2;
  EXPECT_EQ(nl("a\n\nb\n", z), "000005\ta\n       \n000007\tb\n");
  z.start = -3;
  EXPECT_EQ(nl("a\n", z), "-00003\ta\n");
  EXPECT_EQ(nl("x\\:\\:\\:\ny"), "     1\tx\\:\\:\\:\n     2\ty\n");  // a '\n' even so
  auto re = std::make_unique<text::Regex>();
  ASSERT_EQ(re->compile("^b", 0), text::RegexError::kNone);
  text::NlOptions p;
  p.body = text::NlStyle{'p', re.get()};
  EXPECT_EQ(nl("a\nb\nbb\n", p), "       a\n     1\tb\n     2\tbb\n");
}

TEST(Nl, Sections) {
  text::NlOptions o;
  o.header.kind = 'a';
  EXPECT_EQ(nl("a\nb\n\\:\\:\\:\nh\n\\:\\:\nc\n\\:\nf\n", o),
            "     1\ta\n     2\tb\n\n     1\th\n\n     1\tc\n\n       f\n");
}

std::string paste(std::vector<std::string> files, const char* delims = "\t", bool serial = false,
                  std::vector<int> same = {}) {
  std::vector<std::unique_ptr<StringLines>> owned;
  std::vector<text::LineSource*> sources;
  for (size_t i = 0; i < files.size(); ++i) {
    if (i < same.size() && same[i] >= 0) {
      sources.push_back(sources[static_cast<size_t>(same[i])]);
      continue;
    }
    owned.push_back(std::make_unique<StringLines>(files[i]));
    sources.push_back(owned.back().get());
  }
  text::PasteDelimiters d;
  if (!text::paste_delimiters(delims, &d)) return "error";
  StringSink out;
  if (serial) {
    text::paste_serial(sources.data(), sources.size(), d, out);
  } else {
    text::paste_parallel(sources.data(), sources.size(), d, out);
  }
  return out.text;
}

TEST(Paste, SideBySide) {
  EXPECT_EQ(paste({"a\nc\n", "b\nc\nd\n"}), "a\tb\nc\tc\n\td\n");
  EXPECT_EQ(paste({"a\nc\n", "b\nc\nd\n", "a\nc\n"}, ",:"), "a,b:a\nc,c:c\n,d:\n");
  EXPECT_EQ(paste({"a\nb\nc\n", ""}, "\t", false, {-1, 0}), "a\tb\nc\t\n");
  EXPECT_EQ(paste({"a\nb\n", ""}, "", false, {-1, 0}), "ab\n");
  EXPECT_EQ(paste({"x", "y\n"}), "x\ty\n");
  EXPECT_EQ(paste({"", ""}), "");
  EXPECT_EQ(paste({"a\n"}, "x\\"), "error");
}

TEST(Paste, Serial) {
  EXPECT_EQ(paste({"a\nc\n", "b\nc\nd\n"}, "\t", true), "a\tc\nb\tc\td\n");
  EXPECT_EQ(paste({"b\nc\nd\n"}, ",", true), "b,c,d\n");
  EXPECT_EQ(paste({"a\nb\nc\n"}, "\\n", true), "a\nb\nc\n");
  EXPECT_EQ(paste({""}, "\t", true), "\n");
  EXPECT_EQ(paste({"1\n2\n3\n4\n"}, "+\\0", true), "1+23+4\n");
}

std::string comm(const std::string& a, const std::string& b, bool s1 = true, bool s2 = true,
                 bool s3 = true, std::string* unsorted = nullptr) {
  StringLines la(a), lb(b);
  StringStore ka, kb;
  text::LineSource* const files[2] = {&la, &lb};
  text::ByteStore* const kept[2] = {&ka, &kb};
  const bool show[3] = {s1, s2, s3};
  StringSink out;
  const text::CommResult r = text::comm_merge(files, kept, show, out);
  if (unsorted) *unsorted = std::string(r.unsorted[0] ? "1" : "") + (r.unsorted[1] ? "2" : "");
  return out.text;
}

TEST(Comm, Columns) {
  EXPECT_EQ(comm("a\nc\n", "b\nc\nd\n"), "a\n\tb\n\t\tc\n\td\n");
  EXPECT_EQ(comm("a\nc\n", "b\nc\nd\n", false, false), "c\n");
  EXPECT_EQ(comm("a\nc\n", "b\nc\nd\n", true, true, false), "a\n\tb\n\td\n");
  EXPECT_EQ(comm("a\nc\n", "b\nc\nd\n", false), "b\n\tc\nd\n");
  EXPECT_EQ(comm("", "x\n"), "\tx\n");
  EXPECT_EQ(comm("a\na\n", "a\n"), "\t\ta\na\n");
}

TEST(Comm, OrderIsChecked) {
  std::string unsorted;
  EXPECT_EQ(comm("b\na\n", "b\nc\nd\n", true, true, true, &unsorted), "\t\tb\na\n\tc\n\td\n");
  EXPECT_EQ(unsorted, "1");
  comm("a\nb\n", "c\nb\n", true, true, true, &unsorted);
  EXPECT_EQ(unsorted, "2");
}

}  // namespace
