#include "servers/fs/procfs/procfs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "servers/fs/core/memory.h"

namespace stellina::fs {
namespace {

class Counter final : public ViewSource {
 public:
  Result<size_t> render(size_t view, char* out, size_t capacity) override {
    ++renders;
    if (view == 1) return abi::kErrPeerClosed;  // its source is not running
    std::string text = "renders " + std::to_string(renders) + "\n" + std::string(5000, 'x');
    text.resize(std::min(text.size(), capacity));
    std::copy(text.begin(), text.end(), out);
    return text.size();
  }
  int renders = 0;
};

class Names final : public DirVisitor {
 public:
  bool visit(InodeId, uint32_t, lib::StringView name, uint64_t) override {
    seen += std::string(name.data(), name.size()) + " ";
    return true;
  }
  std::string seen;
};

TEST(ProcFs, ViewsAreSnapshotsMadeAtOffsetZero) {
  Counter source;
  const char* names[] = {"components", "net"};
  FileSystem* fs = make_procfs(names, 2, source).value();
  const FileStat view = fs->lookup(fs->root(), "components").value();
  char buffer[6000];
  ASSERT_EQ(fs->read(view.node, 0, buffer, 100).value(), 100u);
  EXPECT_EQ(std::string(buffer, 10), "renders 1\n");
  ASSERT_EQ(fs->read(view.node, 100, buffer, sizeof(buffer)).value(), 4910u);  // the same text
  EXPECT_EQ(source.renders, 1);
  EXPECT_EQ(fs->read(view.node, 5010, buffer, 10).value(), 0u);
  ASSERT_EQ(fs->read(view.node, 0, buffer, 10).value(), 10u);
  EXPECT_EQ(std::string(buffer, 10), "renders 2\n");
  const FileStat net = fs->lookup(fs->root(), "net").value();
  EXPECT_EQ(fs->read(net.node, 0, buffer, 10).error(), abi::kErrPeerClosed);
  Names names_seen;
  EXPECT_EQ(fs->readdir(fs->root(), 0, names_seen).value(), 0u);
  EXPECT_EQ(names_seen.seen, "components net ");
  EXPECT_EQ(fs->lookup(fs->root(), "nothing").error(), abi::kErrNotFound);
  EXPECT_EQ(fs->write(view.node, 0, "x", 1).error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->create(fs->root(), "x", abi::kModeRegular).error(), abi::kErrReadOnly);
  EXPECT_EQ(fs->stat(99).error(), abi::kErrNotFound);
  EXPECT_EQ(fs->read(fs->root(), 0, buffer, 1).error(), abi::kErrIsDirectory);
  destroy(fs);
  const char* bad[] = {"a/b"};
  EXPECT_EQ(make_procfs(bad, 1, source).error(), abi::kErrInvalidArgument);
}

}  // namespace
}  // namespace stellina::fs
