// The state of the WASI layer (wasi_host.h): descriptors, preopens, paths, errno values.
// The calls themselves are in wasi_calls.cc (the process and the streams) and
// wasi_files.cc (descriptors and paths).
#include "wasi_host.h"

#include "wasi_functions.h"

namespace wasi_host {

namespace wasi = wasm::wasi;
namespace abi = stellina::abi;

WasiHost::WasiHost(stellina::ProgramEnv& p, const StringView* args, size_t arg_count)
    : p_(p), args_(args), arg_count_(arg_count) {
  for (size_t i = 0; i < p.env_count(); ++i) env_[env_count_++] = p.env_entry(i);
  descriptors_[0].kind = Descriptor::Kind::Stdin;
  descriptors_[0].readable = true;
  descriptors_[1].kind = Descriptor::Kind::Stdout;
  descriptors_[1].writable = true;
  descriptors_[2].kind = Descriptor::Kind::Stderr;
  descriptors_[2].writable = true;
}

stellina::Result<void> WasiHost::preopen(StringView directory, StringView guest_name) {
  if (preopens_ == kMaxPreopens) return abi::kErrNoResources;
  if (guest_name.size() >= abi::kFileMaxPath) return abi::kErrNameTooLong;
  // The directory as an absolute path: a relative one joined to PWD, then resolved from
  // the root as a module's path would be ("." and ".." taken away; ".." above the root is
  // refused).
  char joined[2 * abi::kFileMaxPath];
  size_t n = 0;
  const StringView cwd = p_.files().cwd();
  if (!directory.starts_with("/") && !cwd.empty()) {
    __builtin_memcpy(joined, cwd.data(), cwd.size());
    n = cwd.size();
    joined[n++] = '/';
  }
  if (n + directory.size() > sizeof(joined)) return abi::kErrNameTooLong;
  __builtin_memcpy(joined + n, directory.data(), directory.size());
  n += directory.size();
  StringView path(joined, n);
  while (path.starts_with("/")) path = path.substr(1);
  char absolute[abi::kFileMaxPath];
  uint16_t size = 0;
  switch (resolve_path("/", path, absolute, &size)) {
    case wasi::kSuccess: break;
    case wasi::kNameTooLong: return abi::kErrNameTooLong;
    default: return abi::kErrInvalidArgument;  // ".." above the root
  }
  const abi::FileStat st = TRY(p_.files().stat(StringView(absolute, size)));
  if ((st.mode & abi::kModeTypeMask) != abi::kModeDirectory) return abi::kErrNotDirectory;
  uint32_t fd = 0;
  Descriptor* d = allocate(&fd);
  if (d == nullptr) return abi::kErrNoResources;
  d->kind = Descriptor::Kind::Directory;
  d->preopen = true;
  d->readable = true;
  __builtin_memcpy(d->path, absolute, size);
  d->path_size = size;
  __builtin_memcpy(d->guest_name, guest_name.data(), guest_name.size());
  d->guest_name_size = static_cast<uint16_t>(guest_name.size());
  ++preopens_;
  return {};
}

Descriptor* WasiHost::descriptor(uint32_t fd) {
  if (fd >= kMaxDescriptors || descriptors_[fd].kind == Descriptor::Kind::Free) return nullptr;
  return &descriptors_[fd];
}

Descriptor* WasiHost::allocate(uint32_t* fd) {
  for (uint32_t i = 0; i < kMaxDescriptors; ++i) {
    if (descriptors_[i].kind != Descriptor::Kind::Free) continue;
    Descriptor& d = descriptors_[i];
    d.file.reset();
    d.readable = d.writable = d.append = d.preopen = false;
    d.offset = 0;
    d.path_size = d.guest_name_size = 0;
    *fd = i;
    return &d;
  }
  return nullptr;
}

void WasiHost::release(uint32_t fd) {
  Descriptor& d = descriptors_[fd];
  d.file.reset();
  d.kind = Descriptor::Kind::Free;
}

wasi::Errno errno_of(stellina::Status s) {
  switch (s) {
    case abi::kOk: return wasi::kSuccess;
    case abi::kErrNotFound: return wasi::kNoEnt;
    case abi::kErrExists: return wasi::kExist;
    case abi::kErrNotDirectory: return wasi::kNotDir;
    case abi::kErrIsDirectory: return wasi::kIsDir;
    case abi::kErrNotEmpty: return wasi::kNotEmpty;
    case abi::kErrNameTooLong: return wasi::kNameTooLong;
    case abi::kErrNoSpace: return wasi::kNoSpc;
    case abi::kErrReadOnly: return wasi::kRofs;
    case abi::kErrAccessDenied: return wasi::kAccess;
    case abi::kErrLoop: return wasi::kLoop;
    case abi::kErrCrossDevice: return wasi::kXdev;
    case abi::kErrBusy: return wasi::kBusy;
    case abi::kErrInvalidArgument: return wasi::kInval;
    case abi::kErrTooLarge: return wasi::kFbig;
    case abi::kErrNoMemory: return wasi::kNoMem;
    case abi::kErrQuotaExceeded: return wasi::kDquot;
    case abi::kErrPeerClosed: return wasi::kPipe;
    case abi::kErrNotSupported: return wasi::kNotSup;
    default: return wasi::kIo;
  }
}

namespace {

// Each function with its type, as the ABI gives it: parameters, ':', results; 'i' an i32,
// 'I' an i64. An import of the name but another type links to not_implemented instead.
struct Binding {
  StringView name;
  StringView type;
  wasm::HostFunction function;
};

wasm::ValType value_type(char letter) {
  return letter == 'I' ? wasm::ValType::I64 : wasm::ValType::I32;
}

bool has_type(const wasm::FuncType& t, StringView type) {
  const size_t colon = type.find(':');
  const StringView params = type.substr(0, colon);
  const StringView results = type.substr(colon + 1);
  if (t.param_count != params.size() || t.result_count != results.size()) return false;
  for (size_t i = 0; i < params.size(); ++i)
    if (t.params[i] != value_type(params[i])) return false;
  for (size_t i = 0; i < results.size(); ++i)
    if (t.results[i] != value_type(results[i])) return false;
  return true;
}

constexpr Binding kBindings[] = {
    {"args_get", "ii:i", calls::args_get},
    {"args_sizes_get", "ii:i", calls::args_sizes_get},
    {"environ_get", "ii:i", calls::environ_get},
    {"environ_sizes_get", "ii:i", calls::environ_sizes_get},
    {"clock_res_get", "ii:i", calls::clock_res_get},
    {"clock_time_get", "iIi:i", calls::clock_time_get},
    {"random_get", "ii:i", calls::random_get},
    {"sched_yield", ":i", calls::sched_yield},
    {"poll_oneoff", "iiii:i", calls::poll_oneoff},
    {"proc_exit", "i:", calls::proc_exit},
    {"fd_read", "iiii:i", calls::fd_read},
    {"fd_pread", "iiiIi:i", calls::fd_pread},
    {"fd_write", "iiii:i", calls::fd_write},
    {"fd_pwrite", "iiiIi:i", calls::fd_pwrite},
    {"fd_seek", "iIii:i", calls::fd_seek},
    {"fd_tell", "ii:i", calls::fd_tell},
    {"fd_close", "i:i", calls::fd_close},
    {"fd_sync", "i:i", calls::fd_sync},
    {"fd_datasync", "i:i", calls::fd_sync},
    {"fd_fdstat_get", "ii:i", calls::fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii:i", calls::fd_fdstat_set_flags},
    {"fd_filestat_get", "ii:i", calls::fd_filestat_get},
    {"fd_filestat_set_size", "iI:i", calls::fd_filestat_set_size},
    {"fd_prestat_get", "ii:i", calls::fd_prestat_get},
    {"fd_prestat_dir_name", "iii:i", calls::fd_prestat_dir_name},
    {"fd_readdir", "iiiIi:i", calls::fd_readdir},
    {"path_open", "iiiiiIIii:i", calls::path_open},
    {"path_filestat_get", "iiiii:i", calls::path_filestat_get},
    {"path_create_directory", "iii:i", calls::path_create_directory},
    {"path_unlink_file", "iii:i", calls::path_unlink_file},
    {"path_remove_directory", "iii:i", calls::path_remove_directory},
    {"path_rename", "iiiiii:i", calls::path_rename},
    {"path_symlink", "iiiii:i", calls::path_symlink},
    {"path_readlink", "iiiiii:i", calls::path_readlink},
    {"fd_filestat_set_times", "iIIi:i", calls::fd_filestat_set_times},
    {"path_filestat_set_times", "iiiiIIi:i", calls::path_filestat_set_times},
};

}  // namespace

wasm::HostFunction WasiHost::find(StringView name, const wasm::FuncType& type) {
  for (const Binding& b : kBindings)
    if (b.name == name) return has_type(type, b.type) ? b.function : nullptr;
  return nullptr;
}

wasm::Trap not_implemented(wasm::HostCall& c) {
  const auto* type = static_cast<const wasm::FuncType*>(c.context);
  for (uint32_t i = 0; i < type->result_count; ++i) c.slots[i] = 0;
  if (type->result_count > 0) c.slots[0] = wasi::kNoSys;
  return wasm::Trap::None;
}

}  // namespace wasi_host
