// Runs the WebAssembly specification's test suite, converted by wast2json, against the
// engine: every command of every file given on the command line. Prints the failures and
// the totals, and exits non-zero if any assertion failed.
//
// usage: wasm_spec_runner [--results FILE] DIR|FILE.json...
// A directory stands for every .json file in it.
//
// Counted: assert_return, assert_trap, assert_exhaustion, assert_invalid, assert_malformed
// over binary modules, assert_uninstantiable, assert_unlinkable and bare actions.
// assert_malformed over text modules tests a text parser, not an engine: counted apart.

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "json.h"
#include "malloc_allocator.h"
#include "wasm/instance.h"
#include "wasm/module.h"

namespace wasm_test {
namespace {

using wasm::Extern;
using wasm::ExternKind;
using wasm::Trap;
using wasm::ValType;

struct Totals {
  uint64_t passed = 0;
  uint64_t total = 0;
  uint64_t skipped_text = 0;
};

bool read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

ValType type_of(const std::string& name) {
  if (name == "i32") return ValType::I32;
  if (name == "i64") return ValType::I64;
  if (name == "f32") return ValType::F32;
  if (name == "f64") return ValType::F64;
  if (name == "funcref") return ValType::FuncRef;
  if (name == "externref") return ValType::ExternRef;
  return ValType::Unknown;
}

// A value from the JSON: integers and floats as the decimal of their bits; references as
// null or a number (an externref N is N+1 in the engine: 0 is null).
bool value_of(const Json& j, uint64_t* out) {
  std::string type = j.str("type");
  std::string v = j.str("value");
  if (type == "externref" || type == "funcref") {
    *out = v == "null" ? 0 : std::stoull(v) + 1;
    return true;
  }
  if (type_of(type) == ValType::Unknown) return false;
  *out = std::stoull(v);
  return true;
}

// The spectest module the suite imports from.
class SpecTest {
 public:
  explicit SpecTest(wasm::Store* store) : store_(store) {
    static constexpr ValType kI32[] = {ValType::I32};
    static constexpr ValType kI64[] = {ValType::I64};
    static constexpr ValType kF32[] = {ValType::F32};
    static constexpr ValType kF64[] = {ValType::F64};
    static constexpr ValType kI32F32[] = {ValType::I32, ValType::F32};
    static constexpr ValType kF64F64[] = {ValType::F64, ValType::F64};
    types_[0] = {0, 0, nullptr, nullptr, 0};
    types_[1] = {1, 0, kI32, nullptr, 0};
    types_[2] = {1, 0, kI64, nullptr, 0};
    types_[3] = {1, 0, kF32, nullptr, 0};
    types_[4] = {1, 0, kF64, nullptr, 0};
    types_[5] = {2, 0, kI32F32, nullptr, 0};
    types_[6] = {2, 0, kF64F64, nullptr, 0};
    const char* names[] = {"print",     "print_i32",     "print_i64",    "print_f32",
                           "print_f64", "print_i32_f32", "print_f64_f64"};
    for (int i = 0; i < 7; ++i) {
      Extern e;
      e.kind = ExternKind::Func;
      e.func = store->create_host_function(&types_[i], &SpecTest::print, nullptr);
      exports_[names[i]] = e;
    }
    add_global("global_i32", ValType::I32, 666);
    add_global("global_i64", ValType::I64, 666);
    add_global("global_f32", ValType::F32, 0x4426A666);  // 666.6
    add_global("global_f64", ValType::F64, 0x4084D4CCCCCCCCCD);
    Extern t;
    t.kind = ExternKind::Table;
    t.table = store->create_table({ValType::FuncRef, {10, 20, true}}, 0);
    exports_["table"] = t;
    Extern m;
    m.kind = ExternKind::Memory;
    m.memory = store->create_memory({1, 2, true});
    exports_["memory"] = m;
  }
  bool find(const std::string& field, Extern* out) const {
    auto it = exports_.find(field);
    if (it == exports_.end()) return false;
    *out = it->second;
    return true;
  }

 private:
  static Trap print(wasm::HostCall&) { return Trap::None; }
  void add_global(const char* name, ValType type, uint64_t bits) {
    Extern e;
    e.kind = ExternKind::Global;
    e.global = store_->create_global({type, false}, bits);
    exports_[name] = e;
  }

  wasm::Store* store_;
  wasm::FuncType types_[7];
  std::map<std::string, Extern> exports_;
};

class Runner {
 public:
  Runner(const std::string& dir, const std::string& file, Totals* totals)
      : dir_(dir), file_(file), totals_(totals) {
    store_ = wasm::Store::create(&allocator_, limits_);
    spectest_ = std::make_unique<SpecTest>(store_);
  }
  ~Runner() {
    spectest_.reset();
    wasm::Store::destroy(store_);
    for (wasm::Module* m : modules_) wasm::Module::destroy(m);
    if (allocator_.outstanding() != 0) {
      std::printf("%s: %zu bytes not given back\n", file_.c_str(), allocator_.outstanding());
      ++leaks_;
    }
  }
  void run(const Json& commands) {
    for (const Json& c : commands.items) command(c);
  }
  int leaks() const { return leaks_; }

 private:
  void fail(const Json& c, const std::string& why) {
    if (failures_++ < 30) {
      std::printf("%s:%s: %s: %s\n", file_.c_str(), c.get("line")->text.c_str(),
                  c.str("type").c_str(), why.c_str());
    }
  }
  void count(const Json& c, bool ok, const std::string& why) {
    ++totals_->total;
    if (ok) {
      ++totals_->passed;
    } else {
      fail(c, why);
    }
  }

  wasm::Module* load(const std::string& filename, wasm::Fail* why) {
    std::string bytes;
    if (!read_file(dir_ + "/" + filename, &bytes)) {
      *why = {"cannot read the module file", 0};
      return nullptr;
    }
    wasm::Module* m = wasm::Module::decode(
        &allocator_, limits_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), why);
    if (m != nullptr) modules_.push_back(m);
    return m;
  }

  // Resolves imports by name; false with the reason when one is missing.
  bool link(const wasm::Module& m, std::vector<Extern>* out, std::string* why) {
    for (uint32_t i = 0; i < m.import_count; ++i) {
      const wasm::Import& im = m.imports[i];
      std::string module(im.module.data, im.module.size);
      std::string field(im.field.data, im.field.size);
      Extern e;
      bool found = false;
      if (module == "spectest") {
        found = spectest_->find(field, &e);
      } else {
        auto it = registered_.find(module);
        found = it != registered_.end() && it->second->find_export(field.data(), field.size(), &e);
      }
      if (!found) {
        *why = "unknown import ";
        *why += module;
        *why += ".";
        *why += field;
        return false;
      }
      out->push_back(e);
    }
    return true;
  }

  // Instantiates; `kind` says how it failed: 0 ok, 1 decode, 2 link, 3 trap.
  wasm::Instance* instantiate(const std::string& filename, int* kind, std::string* why) {
    wasm::Fail f;
    wasm::Module* m = load(filename, &f);
    if (m == nullptr) {
      *kind = 1;
      *why = f.message;
      return nullptr;
    }
    std::vector<Extern> imports;
    if (!link(*m, &imports, why)) {
      *kind = 2;
      return nullptr;
    }
    Trap trap;
    wasm::Instance* inst =
        store_->instantiate(*m, imports.data(), static_cast<uint32_t>(imports.size()), &f, &trap);
    if (inst == nullptr) {
      *kind = trap != Trap::None ? 3 : 2;
      *why = f.message;
      return nullptr;
    }
    *kind = 0;
    return inst;
  }

  wasm::Instance* target(const Json& action) {
    std::string name = action.str("module");
    if (name.empty()) return current_;
    auto it = named_.find(name);
    return it == named_.end() ? nullptr : it->second;
  }

  // Performs an action: invoke or get. Returns false (with why) if it could not be done.
  bool perform(const Json& action, Trap* trap, std::vector<uint64_t>* results,
               std::vector<ValType>* types, std::string* why) {
    wasm::Instance* inst = target(action);
    if (inst == nullptr) {
      *why = "no module";
      return false;
    }
    std::string field = action.str("field");
    Extern e;
    if (!inst->find_export(field.data(), field.size(), &e)) {
      *why = "no export " + field;
      return false;
    }
    *trap = Trap::None;
    if (action.str("type") == "get") {
      if (e.kind != ExternKind::Global) {
        *why = "not a global";
        return false;
      }
      results->push_back(e.global->value);
      types->push_back(e.global->type.type);
      return true;
    }
    if (e.kind != ExternKind::Func) {
      *why = "not a function";
      return false;
    }
    std::vector<uint64_t> args;
    for (const Json& a : action.get("args")->items) {
      uint64_t v;
      if (!value_of(a, &v)) {
        *why = "unsupported argument type " + a.str("type");
        return false;
      }
      args.push_back(v);
    }
    const wasm::FuncType& t = *e.func->type;
    if (args.size() != t.param_count) {
      *why = "wrong argument count";
      return false;
    }
    results->assign(t.result_count + 1, 0);
    *trap = store_->invoke(e.func, args.data(), results->data());
    results->resize(t.result_count);
    types->assign(t.results, t.results + t.result_count);
    return true;
  }

  static bool matches(const Json& expected, ValType type, uint64_t bits, std::string* why) {
    std::string etype = expected.str("type");
    std::string v = expected.str("value");
    char got[64];
    std::snprintf(got, sizeof got, "0x%" PRIx64, bits);
    if (type_of(etype) != type) {
      *why = "result type " + etype + " expected";
      return false;
    }
    bool ok;
    if (etype == "f32" && v.rfind("nan:", 0) == 0) {
      uint32_t b = static_cast<uint32_t>(bits);
      ok = v == "nan:canonical" ? (b & 0x7FFFFFFF) == 0x7FC00000 : (b & 0x7FC00000) == 0x7FC00000;
    } else if (etype == "f64" && v.rfind("nan:", 0) == 0) {
      ok = v == "nan:canonical" ? (bits & 0x7FFFFFFFFFFFFFFF) == 0x7FF8000000000000
                                : (bits & 0x7FF8000000000000) == 0x7FF8000000000000;
    } else if (etype == "funcref" && v != "null") {
      ok = bits != 0;
    } else {
      uint64_t want;
      value_of(expected, &want);
      if (etype == "i32" || etype == "f32") {
        ok = static_cast<uint32_t>(bits) == static_cast<uint32_t>(want);
      } else {
        ok = bits == want;
      }
    }
    if (!ok) *why = std::string("got ") + got + ", expected " + v;
    return ok;
  }

  // The suite's trap texts sometimes carry more words than the engine's message.
  static bool same_trap(Trap trap, const std::string& text) {
    std::string mine = wasm::trap_message(trap);
    return text.rfind(mine, 0) == 0 || mine.rfind(text, 0) == 0;
  }

  void command(const Json& c) {
    std::string type = c.str("type");
    std::string why;
    if (type == "module") {
      int kind;
      wasm::Instance* inst = instantiate(c.str("filename"), &kind, &why);
      if (inst == nullptr) {
        fail(c, "module failed: " + why);
        ++module_errors_;
      }
      current_ = inst;
      if (c.get("name") != nullptr) named_[c.str("name")] = inst;
      return;
    }
    if (type == "register") {
      wasm::Instance* inst = current_;
      if (c.get("name") != nullptr) inst = named_[c.str("name")];
      if (inst != nullptr) registered_[c.str("as")] = inst;
      return;
    }
    if (type == "action") {
      Trap trap;
      std::vector<uint64_t> results;
      std::vector<ValType> types;
      bool ok = perform(*c.get("action"), &trap, &results, &types, &why);
      if (ok && trap != Trap::None) why = std::string("trapped: ") + wasm::trap_message(trap);
      count(c, ok && trap == Trap::None, why);
      return;
    }
    if (type == "assert_return") {
      Trap trap;
      std::vector<uint64_t> results;
      std::vector<ValType> types;
      bool ok = perform(*c.get("action"), &trap, &results, &types, &why);
      if (ok && trap != Trap::None) {
        ok = false;
        why = std::string("trapped: ") + wasm::trap_message(trap);
      }
      const Json& expected = *c.get("expected");
      if (ok && expected.items.size() != results.size()) {
        ok = false;
        why = "wrong result count";
      }
      for (size_t i = 0; ok && i < results.size(); ++i) {
        ok = matches(expected.items[i], types[i], results[i], &why);
      }
      count(c, ok, why);
      return;
    }
    if (type == "assert_trap" || type == "assert_exhaustion") {
      std::string text = c.str("text");
      if (c.get("action") == nullptr) {  // a module whose instantiation traps
        int kind;
        wasm::Instance* inst = instantiate(c.str("filename"), &kind, &why);
        count(c, inst == nullptr && kind == 3, "instantiation did not trap: " + why);
        return;
      }
      Trap trap;
      std::vector<uint64_t> results;
      std::vector<ValType> types;
      bool ok = perform(*c.get("action"), &trap, &results, &types, &why);
      if (ok && trap == Trap::None) {
        ok = false;
        why = "did not trap";
      } else if (ok && !same_trap(trap, text)) {
        ok = false;
        why = std::string("trapped with \"") + wasm::trap_message(trap) + "\", expected \"" + text +
              "\"";
      }
      count(c, ok, why);
      return;
    }
    if (type == "assert_malformed" || type == "assert_invalid") {
      if (c.str("module_type") == "text") {
        ++totals_->skipped_text;
        return;
      }
      wasm::Fail f;
      wasm::Module* m = load(c.str("filename"), &f);
      count(c, m == nullptr, "module accepted; expected: " + c.str("text"));
      return;
    }
    if (type == "assert_uninstantiable" || type == "assert_unlinkable") {
      int kind;
      wasm::Instance* inst = instantiate(c.str("filename"), &kind, &why);
      int want = type == "assert_unlinkable" ? 2 : 3;
      count(c, inst == nullptr && kind == want,
            inst != nullptr ? "instantiated" : "failed otherwise: " + why);
      return;
    }
    fail(c, "unknown command");
  }

  std::string dir_;
  std::string file_;
  Totals* totals_;
  MallocAllocator allocator_;
  wasm::Limits limits_;
  wasm::Store* store_;
  std::unique_ptr<SpecTest> spectest_;
  std::vector<wasm::Module*> modules_;
  wasm::Instance* current_ = nullptr;
  std::map<std::string, wasm::Instance*> named_;
  std::map<std::string, wasm::Instance*> registered_;
  int failures_ = 0;
  int module_errors_ = 0;
  int leaks_ = 0;
};

}  // namespace
}  // namespace wasm_test

int main(int argc, char** argv) {
  using wasm_test::Json;
  wasm_test::Totals totals;
  std::string results_path;
  int files = 0;
  int errors = 0;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--results" && i + 1 < argc) {
      results_path = argv[++i];
    } else if (std::filesystem::is_directory(arg)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.path().extension() == ".json") found.push_back(entry.path().string());
      }
      std::sort(found.begin(), found.end());
      paths.insert(paths.end(), found.begin(), found.end());
    } else {
      paths.push_back(arg);
    }
  }
  for (const std::string& path : paths) {
    std::string text;
    Json doc;
    if (!wasm_test::read_file(path, &text) || !wasm_test::parse_json(text, &doc) ||
        doc.get("commands") == nullptr) {
      std::printf("%s: cannot read or parse\n", path.c_str());
      ++errors;
      continue;
    }
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    wasm_test::Runner runner(dir, name, &totals);
    runner.run(*doc.get("commands"));
    errors += runner.leaks();
    ++files;
  }
  std::printf("wasm spec: %" PRIu64 " of %" PRIu64 " assertions passed in %d files (%" PRIu64
              " assert_malformed over text modules skipped)\n",
              totals.passed, totals.total, files, totals.skipped_text);
  if (!results_path.empty()) {
    FILE* f = std::fopen(results_path.c_str(), "w");
    if (f != nullptr) {
      std::fprintf(f,
                   "{\"passed\": %" PRIu64 ", \"total\": %" PRIu64 ", \"skipped_text\": %" PRIu64
                   ", \"files\": %d}\n",
                   totals.passed, totals.total, totals.skipped_text, files);
      std::fclose(f);
    }
  }
  return (errors == 0 && files > 0 && totals.passed == totals.total) ? 0 : 1;
}
