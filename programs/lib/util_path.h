#pragma once
// Path names as basename and dirname cut them (POSIX), in plain code that builds on the host.

#include <lib/string_view.h>

namespace util {

// Everything before path's last component, as POSIX dirname: "a/b" gives "a", "a" and ""
// give ".", "/a" and "/" give "/", trailing slashes are ignored ("a/b//" gives "a").
lib::StringView dir_name(lib::StringView path);

// path's last component (cmd::base_name) without suffix, unless suffix is all of it.
lib::StringView strip_suffix(lib::StringView name, lib::StringView suffix);

}  // namespace util
