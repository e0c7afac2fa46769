// The entry of a program started from a file: reads the start message
// (abi/stellina/program.h) into a ProgramEnv and runs program_main. A malformed start ends
// the program with the Status as its exit code before program_main runs.

#include <new>

#include <stellina/program_main.h>

namespace stellina {

namespace {

constexpr uint64_t kStartPatienceNs = 10'000'000'000;  // the message is queued before we run

// The next Data message of the start channel into buffer (kMaxMessageData bytes); the
// handles it brought into handles. Returns its size.
Result<size_t> next_message(abi::Handle ch, void* buffer, abi::Handle* handles,
                            uint32_t* handle_count) {
  for (;;) {
    abi::MessageBuffer m{};
    m.data = buffer;
    m.data_capacity = abi::kMaxMessageData;
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    const int64_t r = sys::channel_recv(ch, &m);
    if (r == abi::kErrWouldBlock) {
      TRY(check_ok(sys::object_wait(ch, abi::kSignalReadable | abi::kSignalPeerClosed,
                                    sys::clock_now() + kStartPatienceNs)));
      continue;
    }
    if (r == abi::kErrPeerClosed) return abi::kErrInvalidArgument;  // it ended too soon
    TRY(check_ok(r));
    if (m.kind != abi::MessageKind::Data) {
      for (uint32_t i = 0; i < m.handle_count; ++i) sys::handle_close(handles[i]);
      return abi::kErrInvalidArgument;
    }
    *handle_count = m.handle_count;
    return m.data_size;
  }
}

}  // namespace

std::optional<lib::StringView> ProgramEnv::env(lib::StringView key) const {
  for (size_t i = 0; i < envc_; ++i) {
    const lib::StringView e = strings_[argc_ + i];
    if (e.size() > key.size() && e[key.size()] == '=' && e.starts_with(key))
      return e.substr(key.size() + 1);
  }
  return std::nullopt;
}

Result<Channel> ProgramEnv::open(lib::StringView uri, uint64_t timeout_ns) const {
  return open_through(names_.get(), uri, timeout_ns);
}

Result<void> ProgramEnv::pass_on(SpawnOptions& o) const {
  if (silo_.valid()) {
    abi::HandleInfo info{};
    TRY(check_ok(sys::handle_query(silo_.get(), &info)));
    o.silo = silo_.get();
    o.child_silo.reset(
        static_cast<abi::Handle>(TRY(check(sys::handle_duplicate(silo_.get(), info.rights)))));
  }
  if (names_.valid()) {
    o.files = TRY(open("file:"));
    o.names = TRY(open("namespace:"));
  }
  return {};
}

Result<void> ProgramEnv::load(const abi::StartupBlock& startup) {
  if (startup.handle_count < 1 || startup.handle_count > abi::kProgramMaxStartupHandles)
    return abi::kErrInvalidArgument;
  const OwnedHandle start(startup.handles[abi::kProgramStartHandle]);
  // The other startup handles are ours to close unless the ProgramStart names them.
  OwnedHandle given[abi::kProgramMaxStartupHandles];
  for (uint32_t i = 1; i < startup.handle_count; ++i) given[i].reset(startup.handles[i]);

  alignas(8) uint8_t message[abi::kMaxMessageData];
  abi::Handle handles[abi::kMaxMessageHandles];
  uint32_t handle_count = 0;
  size_t size = TRY(next_message(start.get(), message, handles, &handle_count));
  // Every handle the message brought is ours to close, whatever follows.
  Channel brought[abi::kMaxMessageHandles];
  for (uint32_t i = 0; i < handle_count; ++i) brought[i].reset(handles[i]);
  abi::ProgramStart header{};
  if (size < sizeof(header)) return abi::kErrInvalidArgument;
  __builtin_memcpy(&header, message, sizeof(header));
  if (header.magic != abi::kProgramStartMagic || header.version != abi::kProgramStartVersion ||
      header.reserved != 0)
    return abi::kErrInvalidArgument;
  if (header.argc < 1 || header.argc > abi::kProgramMaxArgs || header.envc > abi::kProgramMaxEnv ||
      header.strings_size > abi::kProgramMaxStrings)
    return abi::kErrTooLarge;
  // The strings: what follows the header, then whole messages until strings_size.
  size_t have = size - sizeof(header);
  if (have > header.strings_size) return abi::kErrInvalidArgument;
  __builtin_memcpy(bytes_, message + sizeof(header), have);
  while (have < header.strings_size) {
    uint32_t more_handles = 0;
    size = TRY(next_message(start.get(), message, handles, &more_handles));
    for (uint32_t i = 0; i < more_handles; ++i) sys::handle_close(handles[i]);
    if (more_handles || size == 0 || size > header.strings_size - have)
      return abi::kErrInvalidArgument;
    __builtin_memcpy(bytes_ + have, message, size);
    have += size;
  }
  // Exactly argc + envc strings, each ending in its NUL.
  const size_t count = header.argc + header.envc;
  size_t n = 0, begin = 0;
  for (size_t i = 0; i < have; ++i) {
    if (bytes_[i] != '\0') continue;
    if (n == count) return abi::kErrInvalidArgument;
    strings_[n++] = lib::StringView(bytes_ + begin, i - begin);
    begin = i + 1;
  }
  if (n != count || begin != have) return abi::kErrInvalidArgument;
  for (size_t i = header.argc; i < count; ++i) {
    const size_t eq = strings_[i].find('=');
    if (eq == lib::StringView::kNpos || eq == 0) return abi::kErrInvalidArgument;
  }
  argc_ = header.argc;
  envc_ = header.envc;

  const auto take = [&](uint32_t index, Channel* out) -> Result<void> {
    if (index == abi::kProgramNoHandle) return {};
    if (index >= handle_count || !brought[index].valid()) return abi::kErrInvalidArgument;
    *out = static_cast<Channel&&>(brought[index]);
    return {};
  };
  const auto take_given = [&](uint32_t index, OwnedHandle* out) -> Result<void> {
    if (index == abi::kProgramNoHandle) return {};
    if (index == 0 || index >= startup.handle_count || !given[index].valid())
      return abi::kErrInvalidArgument;
    *out = static_cast<OwnedHandle&&>(given[index]);
    return {};
  };
  Channel in, out, err, files;
  TRY(take(header.stdin_handle, &in));
  TRY(take(header.stdout_handle, &out));
  TRY(take(header.stderr_handle, &err));
  TRY(take(header.files_handle, &files));
  OwnedHandle log, names, silo;
  TRY(take_given(header.log_handle, &log));
  TRY(take_given(header.namespace_handle, &names));
  TRY(take_given(header.silo_handle, &silo));
  in_.reset(static_cast<Channel&&>(in));
  out_.reset(static_cast<Channel&&>(out));
  err_.reset(static_cast<Channel&&>(err));
  files_ = Files(static_cast<Channel&&>(files));
  log_ = log.release();
  names_ = static_cast<OwnedHandle&&>(names);
  silo_ = static_cast<OwnedHandle&&>(silo);
  if (const std::optional<lib::StringView> pwd = env("PWD")) files_.set_cwd(*pwd);
  return {};
}

}  // namespace stellina

int64_t stellina_main(const stellina::abi::StartupBlock& startup) {
  // Made in the bss, whose pages are charged only as they are touched (the strings' 64 KiB
  // cost what they hold), and never destroyed: the process ends with it.
  alignas(stellina::ProgramEnv) static unsigned char storage[sizeof(stellina::ProgramEnv)];
  auto* env = new (storage) stellina::ProgramEnv;
  const stellina::Result<void> loaded = env->load(startup);
  if (!loaded.ok()) return loaded.error();
  return program_main(*env);
}
