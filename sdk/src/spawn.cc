#include <stellina/spawn.h>

#include <lib/elf_marks.h>

namespace stellina {

namespace {

constexpr uint64_t kTimeoutNs = 30'000'000'000;  // as Files' calls: a server this slow failed

abi::FileRequest request(abi::FileOp op) {
  abi::FileRequest r{};
  r.op = op;
  return r;
}

// One request on an open file with a handle moved along (Attach), and its FileReply.
Result<uint64_t> call_with_handle(const File& file, const abi::FileRequest& r, abi::Handle moved) {
  alignas(8)
      uint8_t buffer[sizeof(abi::FileReply) > sizeof(r) ? sizeof(abi::FileReply) : sizeof(r)];
  __builtin_memcpy(buffer, &r, sizeof(r));
  abi::Handle handles[abi::kMaxMessageHandles] = {moved};
  abi::MessageBuffer m{};
  m.kind = abi::MessageKind::Data;
  m.call_id = 1;
  m.data = buffer;
  m.data_size = sizeof(r);
  m.data_capacity = sizeof(buffer);
  m.handles = handles;
  m.handle_count = 1;
  m.handle_capacity = abi::kMaxMessageHandles;
  const int64_t sent = sys::channel_call(file.get(), &m, sys::clock_now() + kTimeoutNs);
  if (sent < 0) {
    if (m.handle_count == 1 && handles[0] == moved) sys::handle_close(moved);
    return static_cast<Status>(sent);
  }
  for (uint32_t i = 0; i < m.handle_count; ++i) sys::handle_close(handles[i]);
  abi::FileReply reply{};
  if (m.data_size < sizeof(reply)) return abi::kErrInvalidArgument;
  __builtin_memcpy(&reply, buffer, sizeof(reply));
  if (reply.status != abi::kOk) return static_cast<Status>(reply.status);
  return reply.value;
}

// The file's size bytes in a fresh folio: through the bulk path (Attach, ReadFolio) when the
// folio is small enough to attach, else mapped here and read message by message.
Result<OwnedHandle> read_image(const File& file, uint64_t size) {
  OwnedHandle folio(static_cast<abi::Handle>(TRY(check(sys::folio_create(size)))));
  if (size <= abi::kFileMaxFolioBytes) {
    const int64_t lent = sys::handle_duplicate(
        folio.get(), abi::kRightMap | abi::kRightWrite | abi::kRightRead | abi::kRightTransfer);
    TRY(call_with_handle(file, request(abi::FileOp::Attach),
                         static_cast<abi::Handle>(TRY(check(lent)))));
    abi::FileRequest r = request(abi::FileOp::ReadFolio);
    r.size = size;
    alignas(8) uint8_t buffer[abi::kMaxMessageData];
    uint64_t got = 0;
    TRY(file.call(r, {}, buffer, &got));
    if (got != size) return abi::kErrInvalidArgument;  // the file changed under us
    return folio;
  }
  uint64_t address = 0;
  TRY(check_ok(sys::folio_map(folio.get(), true, &address)));
  const Result<size_t> got = file.read(0, reinterpret_cast<void*>(address), size);
  ignore(check_ok(sys::folio_unmap(address)), "the mapping was made above");
  if (!got.ok()) return got.error();
  if (got.value() != size) return abi::kErrInvalidArgument;
  return folio;
}

struct ProgramImage {
  OwnedHandle folio;
  uint64_t size;
};

// The program at path in a fresh folio, once it is known to be a regular file of a size a
// program can have (the file closed again: the file server lets its mapping of the folio go).
Result<ProgramImage> read_program(const Files& files, lib::StringView path) {
  File file = TRY(files.open(path, abi::kOpenRead));
  const abi::FileStat st = TRY(file.stat());
  if ((st.mode & abi::kModeTypeMask) == abi::kModeDirectory) return abi::kErrIsDirectory;
  if ((st.mode & abi::kModeTypeMask) != abi::kModeRegular || st.size == 0)
    return abi::kErrInvalidArgument;
  if (st.size > abi::kProgramMaxImage) return abi::kErrTooLarge;
  return ProgramImage{TRY(read_image(file, st.size)), st.size};
}

// The process's name: the path's last component, at most 31 bytes, NUL-terminated.
void name_of(lib::StringView path, char (&name)[32]) {
  size_t start = 0;
  for (size_t i = 0; i < path.size(); ++i)
    if (path[i] == '/') start = i + 1;
  size_t n = 0;
  for (size_t i = start; i < path.size() && n < sizeof(name) - 1; ++i) name[n++] = path[i];
  if (n == 0) name[n++] = '?';
  name[n] = '\0';
}

// Checks the strings against abi/stellina/program.h's limits; returns strings_size.
Result<uint32_t> check_strings(lib::StringView path, const SpawnOptions& o) {
  if (1 + o.args.size() > abi::kProgramMaxArgs || o.env.size() > abi::kProgramMaxEnv)
    return abi::kErrTooLarge;
  uint64_t total = path.size() + 1;
  if (path.find('\0') != lib::StringView::kNpos) return abi::kErrInvalidArgument;
  for (const lib::StringView& a : o.args) {
    if (a.find('\0') != lib::StringView::kNpos) return abi::kErrInvalidArgument;
    total += a.size() + 1;
  }
  for (const lib::StringView& e : o.env) {
    const size_t eq = e.find('=');
    if (eq == lib::StringView::kNpos || eq == 0 || e.find('\0') != lib::StringView::kNpos)
      return abi::kErrInvalidArgument;
    total += e.size() + 1;
  }
  if (total > abi::kProgramMaxStrings) return abi::kErrTooLarge;
  return static_cast<uint32_t>(total);
}

// Writes the strings as the start messages carry them, the first message's header first:
// each message is filled, then sent on ch, without handles but for the first.
class StartWriter {
 public:
  StartWriter(abi::Handle ch, abi::Handle* handles, uint32_t handle_count)
      : ch_(ch), handles_(handles), handle_count_(handle_count) {}

  void header(const abi::ProgramStart& start) {
    __builtin_memcpy(buffer_, &start, sizeof(start));
    used_ = sizeof(start);
  }
  Result<void> put(lib::StringView s) {
    TRY(bytes(s.data(), s.size()));
    const char nul = '\0';
    return bytes(&nul, 1);
  }
  Result<void> finish() { return used_ ? flush() : Result<void>{}; }
  // Whether the first message, with the handles, has been sent.
  bool handles_sent() const { return !first_; }

 private:
  Result<void> bytes(const char* p, size_t n) {
    for (size_t i = 0; i < n;) {
      if (used_ == sizeof(buffer_)) TRY(flush());
      const size_t room = sizeof(buffer_) - used_;
      const size_t chunk = n - i < room ? n - i : room;
      __builtin_memcpy(buffer_ + used_, p + i, chunk);
      used_ += static_cast<uint32_t>(chunk);
      i += chunk;
    }
    return {};
  }
  Result<void> flush() {
    abi::MessageBuffer m{};
    m.kind = abi::MessageKind::Data;
    m.data = buffer_;
    m.data_size = used_;
    m.handles = handles_;
    m.handle_count = first_ ? handle_count_ : 0;
    TRY(check_ok(sys::channel_send(ch_, &m)));
    first_ = false;  // the handles have moved
    used_ = 0;
    return {};
  }

  abi::Handle ch_;
  abi::Handle* handles_;
  uint32_t handle_count_;
  bool first_ = true;
  uint32_t used_ = 0;
  uint8_t buffer_[abi::kMaxMessageData];
};

// A fresh pair for a stream the starter did not give: the program's end goes to *theirs,
// ours is returned.
Result<Channel> make_pair(Channel* theirs) {
  abi::Handle ends[2];
  TRY(check_ok(sys::channel_create(ends)));
  theirs->reset(ends[1]);
  return Channel(ends[0]);
}

}  // namespace

Result<abi::ProcessExit> Program::wait(uint64_t deadline_ns) const {
  TRY(check_ok(sys::object_wait(process.get(), abi::kSignalTerminated, deadline_ns)));
  abi::ProcessInfo info{};
  TRY(check_ok(sys::process_info(process.get(), &info)));
  if (info.running) return abi::kErrTimedOut;
  return info.exit;
}

Result<Program> spawn_program(const Files& files, lib::StringView path, SpawnOptions& options) {
  const uint32_t strings_size = TRY(check_strings(path, options));
  const ProgramImage image = TRY(read_program(files, path));

  // The streams the starter did not give are made here; ours are what Program returns.
  Program program;
  SpawnOptions& o = options;
  if (!o.in.valid()) program.in = TRY(make_pair(&o.in));
  if (!o.out.valid()) program.out = TRY(make_pair(&o.out));
  if (!o.err.valid()) program.err = TRY(make_pair(&o.err));

  // The start message, queued before the program runs. The program's ends of its streams
  // and its namespace go with the first message: from here on they are the start channel's,
  // whatever happens.
  abi::Handle start[2];
  TRY(check_ok(sys::channel_create(start)));
  OwnedHandle ours(start[0]), theirs(start[1]);
  // The startup handles beyond the start channel: the log's copy, the namespace, the silo.
  abi::Handle startup[abi::kProgramMaxStartupHandles] = {theirs.get()};
  uint32_t startup_count = 1;
  abi::ProgramStart header{};
  header.log_handle = header.namespace_handle = header.silo_handle = abi::kProgramNoHandle;
  if (o.log != abi::kInvalidHandle) {
    const int64_t log = sys::handle_duplicate(o.log, abi::kRightWrite | abi::kRightTransfer);
    TRY(check(log));
    header.log_handle = startup_count;
    startup[startup_count++] = static_cast<abi::Handle>(log);
  }
  if (o.names.valid()) {
    header.namespace_handle = startup_count;
    startup[startup_count++] = o.names.release();
  }
  if (o.child_silo.valid()) {
    header.silo_handle = startup_count;
    startup[startup_count++] = o.child_silo.release();
  }
  header.magic = abi::kProgramStartMagic;
  header.version = abi::kProgramStartVersion;
  header.argc = static_cast<uint32_t>(1 + o.args.size());
  header.envc = static_cast<uint32_t>(o.env.size());
  header.strings_size = strings_size;
  abi::Handle handles[abi::kMaxMessageHandles];
  uint32_t count = 0;
  const auto give = [&](Channel& ch) {
    if (!ch.valid()) return abi::kProgramNoHandle;
    handles[count] = ch.release();
    return count++;
  };
  header.stdin_handle = give(o.in);
  header.stdout_handle = give(o.out);
  header.stderr_handle = give(o.err);
  header.files_handle = give(o.files);
  StartWriter writer(ours.get(), handles, count);
  writer.header(header);
  Result<void> written = writer.put(path);
  for (const lib::StringView& a : o.args) written = written.ok() ? writer.put(a) : written;
  for (const lib::StringView& e : o.env) written = written.ok() ? writer.put(e) : written;
  if (written.ok()) written = writer.finish();
  if (!writer.handles_sent())
    for (uint32_t i = 0; i < count; ++i) sys::handle_close(handles[i]);
  if (!written.ok()) {
    for (uint32_t i = 1; i < startup_count; ++i) sys::handle_close(startup[i]);
    return written.error();
  }

  char name[32];
  name_of(path, name);
  const int64_t process =
      sys::process_spawn_image(o.silo, name, image.folio.get(), image.size, startup, startup_count);
  if (process < 0) {
    for (uint32_t i = 1; i < startup_count; ++i) sys::handle_close(startup[i]);
    return static_cast<Status>(process);
  }
  theirs.release();  // moved to the program, with the others
  program.process.reset(static_cast<abi::Handle>(process));
  return program;
}

namespace {

// Linux's argv (path first) and environment as process_spawn takes them: NUL-terminated
// strings one after the other, in out. Returns their size.
Result<uint64_t> linux_strings(lib::StringView path, const SpawnOptions& o, char* out,
                               uint64_t capacity) {
  uint64_t used = 0;
  const auto put = [&](lib::StringView s) {
    if (s.find('\0') != lib::StringView::kNpos) return false;
    if (used + s.size() + 1 > capacity) return false;
    __builtin_memcpy(out + used, s.data(), s.size());
    used += s.size();
    out[used++] = '\0';
    return true;
  };
  if (!put(path)) return abi::kErrTooLarge;
  for (const lib::StringView& a : o.args)
    if (!put(a)) return abi::kErrTooLarge;
  for (const lib::StringView& e : o.env)
    if (e.find('=') == lib::StringView::kNpos || !put(e)) return abi::kErrInvalidArgument;
  return used;
}

}  // namespace

bool is_linux_image(const void* header, size_t size) {
  return lib::is_linux_elf(static_cast<const uint8_t*>(header), size);
}

Result<Program> spawn_linux_program(const Files& files, lib::StringView path,
                                    SpawnOptions& options) {
  static char strings[abi::kLinuxMaxStrings];
  const uint64_t strings_size = TRY(linux_strings(path, options, strings, sizeof(strings)));
  if (1 + options.args.size() > abi::kProgramMaxArgs || options.env.size() > abi::kProgramMaxEnv)
    return abi::kErrTooLarge;
  const ProgramImage image = TRY(read_program(files, path));

  Program program;
  SpawnOptions& o = options;
  if (!o.in.valid()) program.in = TRY(make_pair(&o.in));
  if (!o.out.valid()) program.out = TRY(make_pair(&o.out));
  if (!o.err.valid()) program.err = TRY(make_pair(&o.err));
  char name[32];
  name_of(path, name);
  abi::SpawnRequest request{};
  request.name = name;
  while (request.name_size < 31 && name[request.name_size] != '\0') ++request.name_size;
  request.isolation = abi::Isolation::User;
  request.image = image.folio.get();
  request.image_size = image.size;
  request.personality = abi::Personality::Linux;
  request.linux_argc = static_cast<uint32_t>(1 + o.args.size());
  request.linux_envc = static_cast<uint32_t>(o.env.size());
  request.linux_strings = strings;
  request.linux_strings_size = strings_size;
  request.linux_terminal = o.linux_terminal;
  // Its streams, then its file namespace (abi::kLinuxFilesHandle) and its namespace channel
  // for sockets (abi::kLinuxNamesHandle), each if it has one (the second only after the first).
  Channel* given[] = {&o.in, &o.out, &o.err, &o.files, &o.names};
  static_assert(abi::kLinuxFilesHandle == 3 && abi::kLinuxNamesHandle == 4);
  const uint32_t count = !o.files.valid() ? 3 : (o.names.valid() ? 5 : 4);
  for (uint32_t i = 0; i < count; ++i) request.handles[request.handle_count++] = given[i]->get();
  const int64_t process = sys::process_spawn(o.silo, &request);
  if (process < 0) return static_cast<Status>(process);
  for (uint32_t i = 0; i < count; ++i) given[i]->release();  // moved to the program
  program.process.reset(static_cast<abi::Handle>(process));
  return program;
}

Result<size_t> find_program(const Files& files, lib::StringView name, lib::StringView search_path,
                            char (&out)[abi::kFileMaxPath]) {
  const auto is_program = [&](lib::StringView path) {
    const Result<abi::FileStat> st = files.stat(path);
    return st.ok() && (st.value().mode & abi::kModeTypeMask) == abi::kModeRegular;
  };
  if (name.empty()) return abi::kErrNotFound;
  if (name.size() > sizeof(out)) return abi::kErrNameTooLong;
  if (name.find('/') != lib::StringView::kNpos) {
    __builtin_memcpy(out, name.data(), name.size());
    return is_program(name) ? Result<size_t>(name.size()) : Result<size_t>(abi::kErrNotFound);
  }
  for (size_t at = 0; at <= search_path.size();) {
    size_t end = search_path.find(':', at);
    if (end == lib::StringView::kNpos) end = search_path.size();
    const lib::StringView dir = search_path.substr(at, end - at);
    at = end + 1;
    const bool slash = !dir.empty() && dir[dir.size() - 1] == '/';
    const size_t size = dir.size() + (dir.empty() || slash ? 0 : 1) + name.size();
    if (size > sizeof(out)) continue;
    __builtin_memcpy(out, dir.data(), dir.size());
    if (!dir.empty() && !slash) out[dir.size()] = '/';
    __builtin_memcpy(out + size - name.size(), name.data(), name.size());
    if (is_program(lib::StringView(out, size))) return size;
  }
  return abi::kErrNotFound;
}

}  // namespace stellina
