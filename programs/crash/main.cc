// crash: writes through a null pointer; the page fault ends it (ExitReason::Fault).
#include <stellina/program_main.h>

int64_t program_main(stellina::ProgramEnv& p) {
  stellina::ignore(p.out().write("about to fault\n"), "the fault is the point");
  volatile uint64_t* nowhere = nullptr;
  *nowhere = 1;
  return 0;
}
