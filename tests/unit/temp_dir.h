#pragma once
// A fresh directory under /tmp for a test, removed with everything in it at the end.

#include <cstdlib>
#include <string>

#include <stdlib.h>

namespace test {

class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/stellina_test_XXXXXX";
    const char* dir = mkdtemp(templ);
    path_ = dir ? dir : "";
  }
  ~TempDir() {
    if (!path_.empty()) std::system(("rm -rf '" + path_ + "'").c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace test
