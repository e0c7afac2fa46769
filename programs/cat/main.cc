// cat: the file named by its first argument (or stdin, without one) on stdout. Exit 1, with
// a line on stderr, when the file cannot be opened or read.
#include <stellina/program_main.h>

namespace {

uint8_t buffer[16384];

// "cat: PATH: WHY\n" on stderr, in one message.
void complain(stellina::ProgramEnv& p, lib::StringView path, stellina::Status why) {
  char line[512];
  size_t n = 0;
  for (const lib::StringView part :
       {lib::StringView("cat: "), path, lib::StringView(": "),
        lib::StringView(stellina::status_name(why)), lib::StringView("\n")}) {
    for (size_t i = 0; i < part.size() && n < sizeof(line); ++i) line[n++] = part[i];
  }
  stellina::ignore(p.err().write(stellina::Bytes{line, n}), "the exit code says it too");
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  if (p.argc() < 2) {
    for (;;) {
      const stellina::Result<size_t> n = p.in().read(buffer, sizeof(buffer));
      if (!n.ok()) return 1;
      if (n.value() == 0) return 0;
      if (!p.out().write(stellina::Bytes{buffer, n.value()}).ok()) return 1;
    }
  }
  const lib::StringView path = p.arg(1);
  stellina::Result<stellina::File> file = p.files().open(path);
  if (!file.ok()) {
    complain(p, path, file.error());
    return 1;
  }
  for (uint64_t at = 0;;) {
    const stellina::Result<size_t> n = file.value().read(at, buffer, sizeof(buffer));
    if (!n.ok()) {
      complain(p, path, n.error());
      return 1;
    }
    if (n.value() == 0) return 0;
    if (!p.out().write(stellina::Bytes{buffer, n.value()}).ok()) return 1;
    at += n.value();
  }
}
