// The VFS's path resolution and namespaces, over ramfs engines served by FileServer (the
// same code the components run), with the transport replaced by direct calls.
#include "servers/fs/vfs/vfs.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "servers/fs/core/file_server.h"
#include "servers/fs/core/memory.h"
#include "servers/fs/ramfs/ramfs.h"

namespace stellina::fs {
namespace {

// A file server reached by calling it; an OpenNode's "handle" is an index into files.
class DirectLink final : public FsLink {
 public:
  DirectLink() : fs_(make_ramfs(1 << 20).value()), server_(*fs_, false) {}
  ~DirectLink() { destroy(fs_); }
  Result<size_t> call(const void* request, size_t size, uint8_t* reply,
                      abi::Handle* handle) override {
    ++calls;
    OpenFile opened;
    bool open = false;
    const size_t n = server_.node_request(request, size, reply, &opened, &open);
    *handle = abi::kInvalidHandle;
    if (open) {
      files.push_back(opened);
      *handle = static_cast<abi::Handle>(files.size());
    }
    return n;
  }
  FileServer& server() { return server_; }
  std::vector<OpenFile> files;
  int calls = 0;

 private:
  FileSystem* fs_;
  FileServer server_;
};

class VfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mount("/", &root);
    mount("/tmp", &tmp);
  }
  void mount(const char* path, FsLink* fs, const char* subtree = "", bool read_only = false) {
    Mount& m = ns.mounts[ns.count++];
    m.path = path;
    m.fs = fs;
    m.subtree = subtree;
    m.read_only = read_only;
  }

  // One namespace request; returns its status, the body in body, a handle in handle.
  Status request(Namespace& space, abi::FileOp op, const std::string& name,
                 const std::string& name2 = "", uint32_t flags = 0, uint32_t mode = 0644) {
    abi::FileRequest r{};
    r.op = op;
    r.flags = flags;
    r.mode = mode;
    r.name_size = static_cast<uint16_t>(name.size());
    r.name2_size = static_cast<uint16_t>(name2.size());
    std::vector<uint8_t> message(sizeof(r));
    std::memcpy(message.data(), &r, sizeof(r));
    message.insert(message.end(), name.begin(), name.end());
    message.insert(message.end(), name2.begin(), name2.end());
    uint8_t out[abi::kMaxMessageData];
    const size_t n = vfs.request(space, message.data(), message.size(), out, &handle);
    abi::FileReply reply{};
    std::memcpy(&reply, out, sizeof(reply));
    body.assign(out + sizeof(reply), out + n);
    return static_cast<Status>(reply.status);
  }
  Status request(abi::FileOp op, const std::string& name, const std::string& name2 = "",
                 uint32_t flags = 0) {
    return request(ns, op, name, name2, flags);
  }
  abi::FileStat stat_body() const {
    abi::FileStat st{};
    EXPECT_GE(body.size(), sizeof(st));
    std::memcpy(&st, body.data(), sizeof(st));
    return st;
  }
  // Writes text into the file an OpenPath just opened on link.
  void write_opened(DirectLink& link, const std::string& text) {
    ASSERT_NE(handle, abi::kInvalidHandle);
    OpenFile& f = link.files.at(handle - 1);
    abi::FileRequest r{};
    r.op = abi::FileOp::Write;
    std::vector<uint8_t> message(sizeof(r));
    std::memcpy(message.data(), &r, sizeof(r));
    message.insert(message.end(), text.begin(), text.end());
    uint8_t out[abi::kMaxMessageData];
    link.server().file_request(f, message.data(), message.size(), out);
    abi::FileReply reply{};
    std::memcpy(&reply, out, sizeof(reply));
    ASSERT_EQ(reply.status, abi::kOk);
    ASSERT_EQ(reply.value, text.size());
  }

  DirectLink root, tmp;
  Namespace ns;
  Vfs vfs;
  std::vector<uint8_t> body;
  abi::Handle handle = abi::kInvalidHandle;
};

constexpr uint32_t kCreate = abi::kOpenWrite | abi::kOpenCreate;

TEST_F(VfsTest, PathsReachTheirMounts) {
  ASSERT_EQ(request(abi::FileOp::Mkdir, "/home"), abi::kOk);
  ASSERT_EQ(request(abi::FileOp::OpenPath, "/home/notes", "", kCreate), abi::kOk);
  EXPECT_EQ(root.files.size(), 1u);  // the file is the root server's
  write_opened(root, "hello");
  ASSERT_EQ(request(abi::FileOp::OpenPath, "/tmp/scratch", "", kCreate), abi::kOk);
  EXPECT_EQ(tmp.files.size(), 1u);
  ASSERT_EQ(request(abi::FileOp::StatPath, "//home/./notes/"), abi::kOk);
  EXPECT_EQ(stat_body().size, 5u);
  EXPECT_EQ(stat_body().device, 1u);  // the first mount
  ASSERT_EQ(request(abi::FileOp::StatPath, "/tmp/scratch"), abi::kOk);
  EXPECT_EQ(stat_body().device, 2u);
  EXPECT_EQ(request(abi::FileOp::StatPath, "/home/none"), abi::kErrNotFound);
  EXPECT_EQ(request(abi::FileOp::StatPath, "/home/notes/x"), abi::kErrNotDirectory);
  EXPECT_EQ(request(abi::FileOp::StatPath, "home"), abi::kErrInvalidArgument);  // relative
  EXPECT_EQ(request(abi::FileOp::OpenPath, "/home", "", abi::kOpenWrite), abi::kErrIsDirectory);
  EXPECT_EQ(request(abi::FileOp::OpenPath, "/home/notes", "", abi::kOpenDirectory),
            abi::kErrNotDirectory);
  EXPECT_EQ(request(abi::FileOp::OpenPath, "/home/notes", "", kCreate | abi::kOpenExclusive),
            abi::kErrExists);
}

TEST_F(VfsTest, NothingLeadsOutsideTheNamespace) {
  // A namespace whose root is a subtree of the server's: /srv of root's tree.
  ASSERT_EQ(request(abi::FileOp::Mkdir, "/srv"), abi::kOk);
  ASSERT_EQ(request(abi::FileOp::Mkdir, "/srv/www"), abi::kOk);
  ASSERT_EQ(request(abi::FileOp::OpenPath, "/secret", "", kCreate), abi::kOk);
  Namespace jail;
  jail.mounts[0].path = "/";
  jail.mounts[0].fs = &root;
  jail.mounts[0].subtree = "/srv";
  jail.count = 1;
  ASSERT_EQ(request(jail, abi::FileOp::StatPath, "/www"), abi::kOk);
  const uint64_t www = stat_body().node;
  EXPECT_EQ(request(jail, abi::FileOp::StatPath, "/secret"), abi::kErrNotFound);
  EXPECT_EQ(request(jail, abi::FileOp::StatPath, "/../secret"), abi::kErrNotFound);
  EXPECT_EQ(request(jail, abi::FileOp::StatPath, "/www/../../../secret"), abi::kErrNotFound);
  // Links, relative and absolute, that try to climb out.
  ASSERT_EQ(request(jail, abi::FileOp::Symlink, "../../..", "/www/up"), abi::kOk);
  ASSERT_EQ(request(jail, abi::FileOp::Symlink, "/../../secret", "/abs"), abi::kOk);
  EXPECT_EQ(request(jail, abi::FileOp::StatPath, "/www/up/secret"), abi::kErrNotFound);
  EXPECT_EQ(request(jail, abi::FileOp::StatPath, "/abs"), abi::kErrNotFound);
  ASSERT_EQ(request(jail, abi::FileOp::StatPath, "/www/up/www"), abi::kOk);
  EXPECT_EQ(stat_body().node, www);
  // The same server seen whole in ns still has its secret.
  EXPECT_EQ(request(abi::FileOp::StatPath, "/secret"), abi::kOk);
}

TEST_F(VfsTest, DotDotCrossesBackOverAMountPoint) {
  ASSERT_EQ(request(abi::FileOp::Mkdir, "/etc"), abi::kOk);
  ASSERT_EQ(request(abi::FileOp::Mkdir, "/tmp/a"), abi::kOk);
  ASSERT_EQ(request(abi::FileOp::StatPath, "/tmp/a/../../etc"), abi::kOk);
  EXPECT_EQ(stat_body().device, 1u);
  ASSERT_EQ(request(abi::FileOp::Symlink, "../etc", "/tmp/link"), abi::kOk);
  ASSERT_EQ(request(abi::FileOp::StatPath, "/tmp/link"), abi::kOk);
  EXPECT_EQ(stat_body().device, 1u);
  ASSERT_EQ(request(abi::FileOp::StatPath, "/tmp/link", "", abi::kOpenNoFollow), abi::kOk);
  EXPECT_EQ(stat_body().mode & abi::kModeTypeMask, abi::kModeSymlink);
  ASSERT_EQ(request(abi::FileOp::Readlink, "/tmp/link"), abi::kOk);
  EXPECT_EQ(std::string(body.begin(), body.end()), "../etc");
}

TEST_F(VfsTest, MountPointsAndDevicesAreRespected) {
  EXPECT_EQ(request(abi::FileOp::Unlink, "/tmp", "", abi::kUnlinkDirectory), abi::kErrBusy);
  EXPECT_EQ(request(abi::FileOp::Unlink, "/", "", abi::kUnlinkDirectory), abi::kErrBusy);
  EXPECT_EQ(request(abi::FileOp::Rename, "/tmp", "/x"), abi::kErrBusy);
  ASSERT_EQ(request(abi::FileOp::OpenPath, "/f", "", kCreate), abi::kOk);
  EXPECT_EQ(request(abi::FileOp::Rename, "/f", "/tmp/f"), abi::kErrCrossDevice);
  EXPECT_EQ(request(abi::FileOp::Rename, "/f", "/g"), abi::kOk);
  EXPECT_EQ(request(abi::FileOp::StatPath, "/g"), abi::kOk);
  EXPECT_EQ(request(abi::FileOp::Mkdir, "/"), abi::kErrExists);
  EXPECT_EQ(request(abi::FileOp::Mkdir, "/tmp"), abi::kErrExists);
}

TEST_F(VfsTest, ReadOnlyMountsRefuseWrites) {
  DirectLink boot;
  mount("/boot", &boot, "", true);
  EXPECT_EQ(request(abi::FileOp::OpenPath, "/boot/x", "", kCreate), abi::kErrReadOnly);
  EXPECT_EQ(request(abi::FileOp::Mkdir, "/boot/d"), abi::kErrReadOnly);
  ASSERT_EQ(request(abi::FileOp::StatFs, "/boot"), abi::kOk);
  abi::FileSystemStat st{};
  std::memcpy(&st, body.data(), sizeof(st));
  EXPECT_EQ(st.read_only, 1u);
  EXPECT_EQ(request(abi::FileOp::OpenPath, "/boot", "", abi::kOpenRead), abi::kOk);
}

TEST_F(VfsTest, MountsListsTheTable) {
  DirectLink boot, site;
  mount("/boot", &boot, "", true);
  mount("/srv/www", &site, "/site", false);
  ns.mounts[2].service = "bootfs";
  ns.mounts[3].service = "rootfs";
  ASSERT_EQ(request(abi::FileOp::Mounts, ""), abi::kOk);
  EXPECT_EQ(std::string(body.begin(), body.end()),
            "- / rw\n- /tmp rw\nbootfs /boot ro\nrootfs:/site /srv/www rw\n");
  // A table whose lines do not all fit in a reply: whole lines, as many as fit.
  Namespace big;
  std::string paths[Namespace::kMaxMounts];
  for (size_t i = 0; i < Namespace::kMaxMounts; ++i) {
    paths[i] = "/" + std::string(400, static_cast<char>('a' + i));
    big.mounts[big.count++] = Mount{{paths[i].data(), paths[i].size()}, "svc", &boot, "", false, 0};
  }
  ASSERT_EQ(request(big, abi::FileOp::Mounts, ""), abi::kOk);
  const std::string text(body.begin(), body.end());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.size() % 409, 0u);  // "svc /" + 399 more + " rw\n"
  EXPECT_LT(text.size(), abi::kMaxMessageData);
}

TEST_F(VfsTest, LinkLoopsAndLongNamesEnd) {
  ASSERT_EQ(request(abi::FileOp::Symlink, "/b", "/a"), abi::kOk);
  ASSERT_EQ(request(abi::FileOp::Symlink, "/a", "/b"), abi::kOk);
  EXPECT_EQ(request(abi::FileOp::StatPath, "/a"), abi::kErrLoop);
  EXPECT_EQ(request(abi::FileOp::OpenPath, "/a", "", abi::kOpenRead), abi::kErrLoop);
  EXPECT_EQ(request(abi::FileOp::StatPath, "/" + std::string(256, 'n')), abi::kErrNameTooLong);
  EXPECT_EQ(request(abi::FileOp::StatPath, std::string(1025, '/')), abi::kErrNameTooLong);
  // A long path of "." and "..": resolved without climbing out or overflowing.
  std::string path;
  for (int i = 0; i < 250; ++i) path += "/..";
  EXPECT_EQ(request(abi::FileOp::StatPath, path), abi::kOk);
  // Deep directories up to the path limit.
  std::string deep;
  while (deep.size() + 2 <= abi::kFileMaxPath) {
    deep += "/d";
    ASSERT_EQ(request(abi::FileOp::Mkdir, deep), abi::kOk) << deep.size();
  }
  EXPECT_EQ(request(abi::FileOp::StatPath, deep), abi::kOk);
}

TEST_F(VfsTest, AServerThatIsGoneGivesPeerClosed) {
  Namespace gone;
  gone.mounts[0].path = "/";
  gone.count = 1;  // its server is not running (fs null)
  EXPECT_EQ(request(gone, abi::FileOp::StatPath, "/"), abi::kErrPeerClosed);
  Namespace empty;
  EXPECT_EQ(request(empty, abi::FileOp::StatPath, "/"), abi::kErrNotFound);
}

TEST_F(VfsTest, OtherMountsServeWhileTheRootsServerIsAway) {
  Namespace ns2;
  ns2.mounts[0].path = "/";  // its server is not running (a disk not mounted yet)
  ns2.mounts[1].path = "/tmp";
  ns2.mounts[1].fs = &tmp;
  ns2.count = 2;
  ASSERT_EQ(request(ns2, abi::FileOp::Mkdir, "/tmp/site"), abi::kOk);
  EXPECT_EQ(request(ns2, abi::FileOp::StatPath, "/tmp/site"), abi::kOk);
  EXPECT_EQ(request(ns2, abi::FileOp::StatPath, "/tmp"), abi::kOk);
  EXPECT_EQ(request(ns2, abi::FileOp::StatPath, "/"), abi::kErrPeerClosed);
  EXPECT_EQ(request(ns2, abi::FileOp::StatPath, "/tmp/../etc"), abi::kErrPeerClosed);
  EXPECT_EQ(request(ns2, abi::FileOp::Mkdir, "/x"), abi::kErrPeerClosed);
}

TEST_F(VfsTest, MalformedRequestsAreRefused) {
  uint8_t out[abi::kMaxMessageData];
  uint8_t small[4] = {};
  vfs.request(ns, small, sizeof(small), out, &handle);
  abi::FileReply reply{};
  std::memcpy(&reply, out, sizeof(reply));
  EXPECT_EQ(reply.status, abi::kErrInvalidArgument);
  abi::FileRequest r{};
  r.op = abi::FileOp::StatPath;
  r.name_size = 100;  // more than the message holds
  vfs.request(ns, &r, sizeof(r), out, &handle);
  std::memcpy(&reply, out, sizeof(reply));
  EXPECT_EQ(reply.status, abi::kErrInvalidArgument);
  EXPECT_EQ(request(static_cast<abi::FileOp>(999), "/"), abi::kErrNotSupported);
}

}  // namespace
}  // namespace stellina::fs
