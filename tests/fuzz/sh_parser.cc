// The shell's parser and arithmetic (programs/sh) on any text: the parser must take the
// whole script command by command, each call making progress or ending in End, NeedMore or
// Error (never looping, never past its arena's bound); then the text as an arithmetic
// expression ($((...))), whose variables all read as a number from the input.
#include <cstring>

#include "programs/sh/arithmetic.h"
#include "programs/sh/parser.h"
#include "tests/fuzz/script.h"

namespace {

namespace sh = stellina::sh;

class Scope final : public sh::ArithmeticScope {
 public:
  bool lookup(sh::StringView name, sh::StringView* value) override {
    if (name.size() % 3 == 0) return false;  // unset
    *value =
        name.size() % 3 == 1 ? sh::StringView("42", 2) : sh::StringView("0x7fffffffffffffff", 18);
    return true;
  }
  bool assign(sh::StringView, int64_t, sh::Message&) override { return true; }
};

void parse(const char* text, size_t size) {
  sh::Arena arena;
  sh::Parser parser(arena, sh::StringView(text, size));
  parser.set_complete();
  size_t last = 0;
  for (;;) {
    sh::Node* node = nullptr;
    const sh::ParseStatus status = parser.next(&node);
    if (status != sh::ParseStatus::Ok) return;
    fuzz::check(node != nullptr);
    fuzz::check(parser.position() > last && parser.position() <= size);
    last = parser.position();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* text = reinterpret_cast<const char*>(data);
  parse(text, size);
  Scope scope;
  int64_t result = 0;
  sh::Message error;
  (void)sh::evaluate_arithmetic(sh::StringView(text, size), scope, &result, error);
  return 0;
}
