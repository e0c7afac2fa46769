// The spec compiler's reader (tools/speccc: TOML through toml++, then every key of a
// component spec, a silo spec and a system file checked) on any text. speccc reads files, so
// the input is written to one first; each of the three readers gets it. A bad spec must give
// errors with a position, never a crash or an exception that escapes.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "tests/fuzz/script.h"
#include "tools/speccc/spec.h"

namespace {

const std::string& scratch() {
  static const std::string path = "/dev/shm/stellina-fuzz-spec." + std::to_string(getpid());
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FILE* f = std::fopen(scratch().c_str(), "wb");
  fuzz::check(f != nullptr);
  fuzz::check(std::fwrite(data, 1, size, f) == size);
  std::fclose(f);
  speccc::Diagnostics spec_errors, silo_errors, system_errors;
  const bool spec = speccc::parse_spec(scratch(), spec_errors).has_value();
  const bool silo = speccc::parse_silo(scratch(), silo_errors).has_value();
  const bool system = speccc::parse_system(scratch(), system_errors).has_value();
  // A reader that refuses says why.
  fuzz::check(spec || spec_errors.count() > 0);
  fuzz::check(silo || silo_errors.count() > 0);
  fuzz::check(system || system_errors.count() > 0);
  return 0;
}
