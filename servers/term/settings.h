#pragma once
// term's remote-shell settings. The spec's [config] gives them (remote shells off); a file on
// the disk may override them at boot, when the spec names one (`settings`), since a spec value
// is compiled in and cannot change from one boot to the next: `make run` writes that file to
// turn the remote shells on for its run (tools/remote_shells.py). The file holds lines of
//
//   telnet_port = 23          # 0..65535; 0: no telnet
//   web = true                # the web terminal (httpd hands it /terminal/ws)
//   password = "pbkdf2-sha256$20000$SALT$HASH"   # a record of lib/password.h
//   login_timeout = 60        # seconds a connection has to give the password, 1..3600
//
// each key at most once, in any order, with blank lines and `#` comments; a key not given
// keeps the spec's value. A file with any error is refused whole (the spec's values stay).

#include <stddef.h>
#include <stdint.h>

#include <lib/password.h>
#include <lib/string_view.h>

namespace term {

struct Settings {
  int64_t telnet_port = 0;
  bool web = false;
  char password[lib::kPasswordRecordMax + 1] = {};  // NUL-terminated; empty: no password
  int64_t login_timeout_s = 60;

  bool set_password(lib::StringView record);
  lib::StringView password_record() const { return lib::StringView(password); }
  // Remote shells need a password: without one, neither telnet nor the web terminal opens.
  bool telnet_on() const { return telnet_port != 0 && password[0] != '\0'; }
  bool web_on() const { return web && password[0] != '\0'; }
};

// Applies the file's lines to `settings` (left as it was on an error). Returns 0, or the
// number of the first line in error.
size_t parse_settings(lib::StringView text, Settings& settings);

}  // namespace term
