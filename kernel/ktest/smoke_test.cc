#include "kernel/ktest/ktest.h"

KTEST(boot_smoke) { KEXPECT(1 + 1 == 2); }
