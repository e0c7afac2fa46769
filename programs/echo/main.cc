// echo: its arguments, separated by spaces, then the GREETING variable, on stdout.
#include <stellina/program_main.h>

int64_t program_main(stellina::ProgramEnv& p) {
  stellina::Stream& out = p.out();
  for (size_t i = 1; i < p.argc(); ++i) {
    if (i > 1 && !out.write(" ").ok()) return 1;
    if (!out.write(p.arg(i)).ok()) return 1;
  }
  const std::optional<lib::StringView> greeting = p.env("GREETING");
  if (!out.write(" GREETING=").ok() || !out.write(greeting ? *greeting : "(unset)").ok() ||
      !out.write("\n").ok())
    return 1;
  return 0;
}
