// speccc --out DIR SPEC...: checks the component specs, the silo specs (NAME.silo.toml) and
// the system file (system.toml, at most one) and writes, into DIR, each component's <name>_env.h,
// manifest.bin and start_order.txt. Exit status: 0 when every spec is valid, 1 with every error
// listed on stderr, 2 on a usage error.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

#include "spec.h"

namespace {

constexpr int kInvalid = 1;
constexpr int kUsage = 2;

// Writes the file only when its content changes, so that what includes it is not rebuilt.
bool write_file(const std::filesystem::path& path, std::string_view content) {
  std::ifstream old(path, std::ios::binary);
  if (old) {
    const std::string current{std::istreambuf_iterator<char>(old), {}};
    if (current == content) return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) std::fprintf(stderr, "speccc: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

// The names in a file, one a line; nullopt (said on stderr) when it cannot be read.
std::optional<std::vector<std::string>> read_names(const char* path) {
  std::ifstream list(path);
  if (!list) {
    std::fprintf(stderr, "speccc: cannot read %s\n", path);
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (std::string name; std::getline(list, name);)
    if (!name.empty()) names.push_back(name);
  return names;
}

int usage() {
  std::fputs(
      "usage: speccc --out DIR [--kernel-components FILE] [--wasm-components FILE] SPEC.toml... "
      "[NAME.silo.toml...] [system.toml]\n",
      stderr);
  return kUsage;
}

int run(int argc, char** argv) {
  std::filesystem::path out_dir;
  std::vector<std::string> files;
  std::optional<std::vector<std::string>> built_in;  // components built into the kernel
  std::optional<std::vector<std::string>> wasm;      // components built for wasm32
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--out" && i + 1 < argc) {
      out_dir = argv[++i];
    } else if ((arg == "--kernel-components" || arg == "--wasm-components") && i + 1 < argc) {
      auto names = read_names(argv[++i]);
      if (!names) return kUsage;
      (arg == "--wasm-components" ? wasm : built_in) = std::move(names);
    } else if (arg.starts_with("-")) {
      return usage();
    } else {
      files.emplace_back(arg);
    }
  }
  if (out_dir.empty() || files.empty()) return usage();

  speccc::Diagnostics diag;
  std::vector<speccc::Spec> specs;
  std::vector<speccc::Silo> silos;
  speccc::System system;  // without a system file: no mounts
  for (const std::string& file : files) {
    if (speccc::is_system_file(file)) {
      if (!system.file.empty()) {
        diag.error({file}, "a second system file; the first is " + system.file,
                   "one system.toml at most");
      } else if (auto parsed = speccc::parse_system(file, diag)) {
        system = std::move(*parsed);
      }
    } else if (speccc::is_silo_file(file)) {
      if (auto silo = speccc::parse_silo(file, diag)) silos.push_back(std::move(*silo));
    } else if (auto spec = speccc::parse_spec(file, diag)) {
      specs.push_back(std::move(*spec));
    }
  }
  const std::vector<size_t> order = speccc::resolve(specs, diag);
  if (built_in) speccc::check_kernel_isolation(specs, *built_in, diag);
  if (wasm) speccc::check_wasm_isolation(specs, *wasm, diag);
  const std::vector<size_t> silo_order = speccc::resolve_silos(specs, silos, diag);
  speccc::check_mounts(specs, system, silos, diag);
  if (diag.count() != 0) {
    for (const std::string& line : diag.lines()) std::fprintf(stderr, "%s\n", line.c_str());
    std::fprintf(stderr, "speccc: %zu error%s\n", diag.count(), diag.count() == 1 ? "" : "s");
    return kInvalid;
  }

  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    std::fprintf(stderr, "speccc: cannot create %s: %s\n", out_dir.c_str(),
                 error.message().c_str());
    return kInvalid;
  }
  bool ok = true;
  std::string start_order;
  for (const size_t i : order) {
    const speccc::Spec& spec = specs[i];
    ok &= write_file(out_dir / (spec.name.text + "_env.h"), speccc::env_header(spec));
    // What the boot archive must hold for it: its program, or its wasm module.
    start_order += spec.name.text + (spec.isolation == speccc::Isolation::kWasm ? ".wasm\n" : "\n");
  }
  ok &= write_file(out_dir / "start_order.txt", start_order);
  const std::vector<uint8_t> bytes = speccc::manifest(specs, order, silos, silo_order, system);
  ok &= write_file(out_dir / "manifest.bin",
                   std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  return ok ? 0 : kInvalid;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "speccc: %s\n", e.what());
    return kInvalid;
  }
}
