// The file protocol as a file server serves it (servers/fs/core/file_server.h), over ramfs.
#include "servers/fs/core/file_server.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "servers/fs/core/memory.h"
#include "servers/fs/ramfs/ramfs.h"

namespace stellina::fs {
namespace {

class FileServerTest : public ::testing::Test {
 protected:
  FileServerTest() : fs(make_ramfs(8 << 20).value()), server(*fs, false) {}
  ~FileServerTest() override { destroy(fs); }

  // A request (header r, then names, then payload); returns the reply's status.
  Status node(abi::FileRequest r, const std::string& name = "", const std::string& name2 = "") {
    r.name_size = static_cast<uint16_t>(name.size());
    r.name2_size = static_cast<uint16_t>(name2.size());
    std::vector<uint8_t> m(sizeof(r));
    std::memcpy(m.data(), &r, sizeof(r));
    m.insert(m.end(), name.begin(), name.end());
    m.insert(m.end(), name2.begin(), name2.end());
    opened_file = false;
    return finish(server.node_request(m.data(), m.size(), out, &opened, &opened_file));
  }
  Status file(OpenFile& f, abi::FileRequest r, const std::string& payload = "") {
    std::vector<uint8_t> m(sizeof(r));
    std::memcpy(m.data(), &r, sizeof(r));
    m.insert(m.end(), payload.begin(), payload.end());
    return finish(server.file_request(f, m.data(), m.size(), out));
  }
  Status finish(size_t n) {
    abi::FileReply reply{};
    std::memcpy(&reply, out, sizeof(reply));
    value = reply.value;
    body.assign(out + sizeof(reply), out + n);
    return static_cast<Status>(reply.status);
  }
  uint64_t create(const std::string& name, uint32_t mode) {
    abi::FileRequest r{};
    r.op = abi::FileOp::Create;
    r.node = fs->root();
    r.mode = mode;
    EXPECT_EQ(node(r, name), abi::kOk);
    abi::FileStat st{};
    std::memcpy(&st, body.data(), sizeof(st));
    return st.node;
  }
  OpenFile open(uint64_t n, uint32_t flags) {
    abi::FileRequest r{};
    r.op = abi::FileOp::OpenNode;
    r.node = n;
    r.flags = flags;
    EXPECT_EQ(node(r), abi::kOk);
    EXPECT_TRUE(opened_file);
    return opened;
  }

  FileSystem* fs;
  FileServer server;
  uint8_t out[abi::kMaxMessageData];
  std::vector<uint8_t> body;
  uint64_t value = 0;
  OpenFile opened;
  bool opened_file = false;
};

TEST_F(FileServerTest, ReadsWritesAndAppends) {
  const uint64_t n = create("f", abi::kModeRegular | 0644);
  OpenFile w = open(n, abi::kOpenWrite);
  abi::FileRequest r{};
  r.op = abi::FileOp::Write;
  r.offset = 3;
  ASSERT_EQ(file(w, r, "abc"), abi::kOk);
  EXPECT_EQ(value, 3u);
  r.op = abi::FileOp::Read;
  r.offset = 0;
  r.size = 100;
  EXPECT_EQ(file(w, r), abi::kErrAccessDenied);  // not opened for reading
  OpenFile a = open(n, abi::kOpenRead | abi::kOpenWrite | abi::kOpenAppend);
  abi::FileRequest append{};
  append.op = abi::FileOp::Write;
  append.offset = 0;  // ignored: appends go at the end
  ASSERT_EQ(file(a, append, "de"), abi::kOk);
  ASSERT_EQ(file(a, r), abi::kOk);
  EXPECT_EQ(value, 8u);
  EXPECT_EQ(std::string(body.begin(), body.end()), std::string("\0\0\0abcde", 8));
  OpenFile ro = open(n, abi::kOpenRead);
  EXPECT_EQ(file(ro, append, "x"), abi::kErrReadOnly);
  r.size = abi::kFileMaxInline + 1;
  EXPECT_EQ(file(ro, r), abi::kErrTooLarge);
}

TEST_F(FileServerTest, ReadDirSpansMessagesAndListsEachEntryOnce) {
  std::set<std::string> made;
  for (int i = 0; i < 600; ++i) {
    const std::string name = "entry-with-a-long-name-" + std::to_string(i);
    create(name, abi::kModeRegular | 0644);
    made.insert(name);
  }
  OpenFile dir = open(fs->root(), abi::kOpenRead);
  EXPECT_TRUE(dir.directory);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int messages = 0;
  do {
    abi::FileRequest r{};
    r.op = abi::FileOp::ReadDir;
    r.offset = cursor;
    ASSERT_EQ(file(dir, r), abi::kOk);
    ++messages;
    cursor = value;
    for (size_t at = 0; at < body.size();) {
      abi::FileDirEntry e{};
      std::memcpy(&e, body.data() + at, sizeof(e));
      const std::string name(reinterpret_cast<const char*>(body.data()) + at + sizeof(e),
                             e.name_size);
      EXPECT_TRUE(seen.insert(name).second) << name;
      EXPECT_EQ(e.mode, abi::kModeRegular);
      at += (sizeof(e) + e.name_size + 7) & ~size_t{7};
    }
  } while (cursor);
  EXPECT_EQ(seen, made);
  EXPECT_GT(messages, 1);
}

TEST_F(FileServerTest, FolioTransfersStayInsideTheFolio) {
  const uint64_t n = create("big", abi::kModeRegular | 0644);
  OpenFile f = open(n, abi::kOpenRead | abi::kOpenWrite);
  std::vector<uint8_t> folio(1 << 16);
  for (size_t i = 0; i < folio.size(); ++i) folio[i] = static_cast<uint8_t>(i * 13);
  abi::FileRequest r{};
  r.op = abi::FileOp::WriteFolio;
  r.size = folio.size();
  EXPECT_EQ(file(f, r), abi::kErrInvalidArgument);  // nothing attached
  f.folio = folio.data();
  f.folio_size = folio.size();
  ASSERT_EQ(file(f, r), abi::kOk);
  EXPECT_EQ(value, folio.size());
  std::vector<uint8_t> copy = folio;
  std::fill(folio.begin(), folio.end(), 0);
  r.op = abi::FileOp::ReadFolio;
  ASSERT_EQ(file(f, r), abi::kOk);
  EXPECT_EQ(folio, copy);
  r.folio_offset = 1;  // one byte past the folio's end
  EXPECT_EQ(file(f, r), abi::kErrInvalidArgument);
  r.folio_offset = ~uint64_t{0};
  r.size = 2;
  EXPECT_EQ(file(f, r), abi::kErrInvalidArgument);
}

// Create on a name that is there: the entry itself unless exclusive or of the other type,
// on a read-only server too; a new name on a read-only server: kErrReadOnly.
TEST_F(FileServerTest, CreateOfAnExistingName) {
  const uint64_t file = create("f", abi::kModeRegular | 0644);
  const uint64_t dir = create("d", abi::kModeDirectory | 0755);
  abi::FileRequest r{};
  r.op = abi::FileOp::Create;
  r.node = fs->root();
  r.mode = abi::kModeRegular | 0600;
  const auto node_of = [&] {
    abi::FileStat st{};
    std::memcpy(&st, body.data(), sizeof(st));
    return st.node;
  };
  ASSERT_EQ(node(r, "f"), abi::kOk);
  EXPECT_EQ(node_of(), file);
  EXPECT_EQ(node(r, "d"), abi::kErrIsDirectory);
  r.mode = abi::kModeDirectory | 0755;
  ASSERT_EQ(node(r, "d"), abi::kOk);
  EXPECT_EQ(node_of(), dir);
  EXPECT_EQ(node(r, "f"), abi::kErrNotDirectory);
  r.flags = abi::kOpenExclusive;
  EXPECT_EQ(node(r, "d"), abi::kErrExists);
  r.flags = 0;
  FileServer ro(*fs, true);
  std::vector<uint8_t> m(sizeof(r) + 1);
  r.name_size = 1;
  std::memcpy(m.data(), &r, sizeof(r));
  m[sizeof(r)] = 'd';
  ASSERT_EQ(finish(ro.node_request(m.data(), m.size(), out, &opened, &opened_file)), abi::kOk);
  EXPECT_EQ(node_of(), dir);
}

TEST_F(FileServerTest, NamesAndRequestsAreChecked) {
  abi::FileRequest r{};
  r.op = abi::FileOp::Lookup;
  r.node = fs->root();
  EXPECT_EQ(node(r, ".."), abi::kErrInvalidArgument);
  EXPECT_EQ(node(r, "a/b"), abi::kErrInvalidArgument);
  EXPECT_EQ(node(r, std::string("a\0b", 3)), abi::kErrInvalidArgument);
  EXPECT_EQ(node(r, std::string(256, 'x')), abi::kErrNameTooLong);
  EXPECT_EQ(node(r, "missing"), abi::kErrNotFound);
  r.op = abi::FileOp::Create;
  r.mode = abi::kModeSymlink | 0777;
  EXPECT_EQ(node(r, "l"), abi::kErrInvalidArgument);
  r.op = abi::FileOp::Read;  // a file op on the service channel
  EXPECT_EQ(node(r), abi::kErrNotSupported);
  uint8_t two[2] = {};
  opened_file = false;
  EXPECT_EQ(finish(server.node_request(two, 2, out, &opened, &opened_file)),
            abi::kErrInvalidArgument);
  FileServer ro(*fs, true);
  r = {};
  r.op = abi::FileOp::Create;
  r.node = fs->root();
  r.mode = abi::kModeRegular | 0644;
  std::vector<uint8_t> m(sizeof(r) + 1);
  r.name_size = 1;
  std::memcpy(m.data(), &r, sizeof(r));
  m[sizeof(r)] = 'z';
  EXPECT_EQ(finish(ro.node_request(m.data(), m.size(), out, &opened, &opened_file)),
            abi::kErrReadOnly);
}

}  // namespace
}  // namespace stellina::fs
