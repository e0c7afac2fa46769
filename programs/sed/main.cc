// sed: the stream editor (POSIX, with GNU's additions: sed_script.h). The script and its
// cycles are sed_script.cc and sed_run.cc, plain code tested on the host; this file gives
// them the program's files, streams and memory.
#include <new>

#include <stellina/heap.h>
#include <stellina/memory.h>

#include "programs/lib/cmd.h"
#include "programs/lib/text_lines.h"
#include "programs/sed/sed_args.h"
#include "programs/sed/sed_run.h"
#include "programs/sed/sed_script.h"

namespace {

constexpr const char* kUsage =
    "usage: sed [-nEsu] [-i[SUFFIX]] [-l N] [-e SCRIPT]... [-f FILE]... [SCRIPT] [FILE...]\n"
    "  -n  no automatic printing of the pattern space   -E, -r  extended regexes\n"
    "  -e SCRIPT  a piece of script    -f FILE  a piece of script from FILE\n"
    "  -s  each FILE on its own ($, line numbers)     -i  edit the FILEs in place\n"
    "  -l N  the line length for l     -u  write each line out at once\n"
    "commands: s y p P d D n N g G h H x b t T : = l q Q a i c r w W z F { } !\n"
    "addresses: N, $, /RE/, \\cREc, A,B, 0,/RE/, A,+N, A,~N, FIRST~STEP\n"
    "  regexes match in linear time; back-references (\\1 in a regex) are not supported\n";

constexpr size_t kMaxOutputs = 32;
constexpr size_t kChunk = 16384;
char chunk[kChunk];

text::RegexScratch* scratch;

class ProgramIo final : public text::SedIo {
 public:
  ProgramIo(cmd::Command& c, const text::SedArgs& args) : c_(c), p_(c.env()), args_(args) {}

  // Input trouble (a file that could not be read): exit status 2, as GNU.
  bool trouble() const { return trouble_; }
  // -i: the last file's text written back.
  void finish() {
    if (args_.in_place) write_back();
  }
  void unbuffered(bool on) { unbuffered_ = on; }

  void* allocate(size_t size) override {
    if (size <= stellina::kHeapMaxAllocation) {
      const stellina::Result<void*> r = stellina::heap_allocate(size);
      return r.ok() ? r.value() : nullptr;
    }
    const stellina::Result<void*> r = stellina::allocate_pages(size);
    return r.ok() ? r.value() : nullptr;
  }
  void release(void* p, size_t size) override {
    if (size <= stellina::kHeapMaxAllocation) {
      stellina::heap_free(p);
    } else {
      stellina::ignore(stellina::free_pages(p), "the program is ending if this fails");
    }
  }

  bool next_line(lib::StringView* line, bool* newline, bool* new_file) override {
    const size_t files = args_.operand_count ? args_.operand_count : 1;
    for (;;) {
      if (!open_) {
        if (next_file_ >= files) return false;
        reading_ = next_file_++;
        if (!open(name(reading_))) continue;
      }
      const stellina::Result<bool> got = lines()->next(line);
      if (!got.ok()) {
        c_.error("read error on {}: {}", name(reading_), stellina::status_name(got.error()));
        trouble_ = true;
      }
      if (!got.ok() || !got.value()) {
        close();
        continue;
      }
      *newline = lines()->had_newline();
      *new_file = returned_ && reading_ != last_returned_;
      if (!returned_) current_ = reading_;
      returned_ = true;
      last_returned_ = reading_;
      return true;
    }
  }
  void file_changed() override {
    if (args_.in_place) write_back();
    current_ = last_returned_;
  }
  lib::StringView file_name() override {
    return args_.operand_count ? name(current_) : lib::StringView("-");
  }

  void write(lib::StringView data) override {
    if (args_.in_place) {
      if (!edited_.append(data).ok()) edit_failed_ = true;
      return;
    }
    c_.out().write(data);
    if (unbuffered_) c_.out().flush();
  }

  int open_output(lib::StringView path, const char** why) override {
    if (outputs_ == kMaxOutputs) {
      *why = "too many files";
      return -1;
    }
    Output& o = output_[outputs_];
    if (path == "/dev/stdout" || path == "/dev/stderr") {
      o.stream = path == "/dev/stdout" ? 1 : 2;
      return static_cast<int>(outputs_++);
    }
    stellina::Result<stellina::File> f =
        p_.files().open(path, stellina::abi::kOpenWrite | stellina::abi::kOpenCreate |
                                  stellina::abi::kOpenTruncate);
    if (!f.ok()) {
      *why = stellina::status_name(f.error());
      return -1;
    }
    o.file = static_cast<stellina::File&&>(f.value());
    o.stream = 0;
    return static_cast<int>(outputs_++);
  }
  void write_to(int id, lib::StringView data) override {
    Output& o = output_[id];
    if (o.stream == 1 && !args_.in_place) {
      write(data);
      return;
    }
    if (o.stream) {
      c_.out().flush();
      stellina::ignore(o.stream == 1 ? p_.out().write(data) : p_.err().write(data),
                       "as a closed stdout: nothing to tell");
      return;
    }
    const stellina::Result<size_t> n = o.file.write(o.at, data);
    if (n.ok()) o.at += n.value();
  }
  void copy_file(lib::StringView path) override {
    cmd::Input in(p_);
    if (path == "/dev/stdin" || path == "-" || !in.open(path).ok()) return;
    for (;;) {
      const stellina::Result<size_t> n = in.read(chunk, kChunk);
      if (!n.ok() || n.value() == 0) return;
      write(lib::StringView(chunk, n.value()));
    }
  }

 private:
  struct Output {
    stellina::File file;
    uint64_t at = 0;
    int stream = 0;  // 1: stdout, 2: stderr
  };

  lib::StringView name(size_t i) const {
    return args_.operand_count ? args_.operands[i] : lib::StringView("-");
  }
  text::FullLines* lines() { return reinterpret_cast<text::FullLines*>(lines_storage_); }
  cmd::Input* input() { return reinterpret_cast<cmd::Input*>(input_storage_); }

  bool open(lib::StringView path) {
    if (args_.in_place) {
      const stellina::Result<stellina::abi::FileStat> st = p_.files().stat(path);
      if (st.ok() &&
          (st.value().mode & stellina::abi::kModeTypeMask) != stellina::abi::kModeRegular) {
        c_.error("couldn't edit {}: not a regular file", path);
        trouble_ = true;
        return false;
      }
    }
    cmd::Input* in = new (input_storage_) cmd::Input(p_);
    const stellina::Result<void> opened = in->open(path);
    if (!opened.ok()) {
      c_.error("can't read {}: {}", path, stellina::status_name(opened.error()));
      trouble_ = true;
      in->~Input();
      return false;
    }
    new (lines_storage_) text::FullLines(*in);
    open_ = true;
    return true;
  }
  void close() {
    lines()->~FullLines();
    input()->~Input();
    open_ = false;
  }

  // -i: what sed wrote for the file it was reading replaces the file (the original kept
  // as FILE + SUFFIX when -i has one).
  void write_back() {
    if (!returned_ || written_back_ == current_ + 1) return;
    written_back_ = current_ + 1;
    const lib::StringView path = name(current_);
    if (edit_failed_) {
      c_.error("couldn't edit {}: {}", path, stellina::status_name(stellina::abi::kErrNoMemory));
      trouble_ = true;
      edited_.clear();
      edit_failed_ = false;
      return;
    }
    if (args_.suffix.size()) {
      char backup[stellina::abi::kFileMaxPath + 1];
      const size_t n = lib::format_to(backup, sizeof(backup), "{}{}", path, args_.suffix);
      const stellina::Result<void> moved =
          n < sizeof(backup) ? p_.files().rename(path, lib::StringView(backup, n))
                             : stellina::Result<void>(stellina::abi::kErrNameTooLong);
      if (!moved.ok()) {
        c_.error("couldn't keep {}: {}", path, stellina::status_name(moved.error()));
        trouble_ = true;
      }
    }
    stellina::Result<stellina::File> f =
        p_.files().open(path, stellina::abi::kOpenWrite | stellina::abi::kOpenCreate |
                                  stellina::abi::kOpenTruncate);
    stellina::Status why = stellina::abi::kOk;
    if (!f.ok()) {
      why = f.error();
    } else {
      for (size_t at = 0; at < edited_.size();) {
        const stellina::Result<size_t> n =
            f.value().write(at, lib::StringView(edited_.data() + at, edited_.size() - at));
        if (!n.ok() || n.value() == 0) {
          why = n.ok() ? stellina::abi::kErrNoSpace : n.error();
          break;
        }
        at += n.value();
      }
    }
    if (why != stellina::abi::kOk) {
      c_.error("couldn't edit {}: {}", path, stellina::status_name(why));
      trouble_ = true;
    }
    edited_.clear();
  }

  cmd::Command& c_;
  stellina::ProgramEnv& p_;
  const text::SedArgs& args_;
  alignas(cmd::Input) char input_storage_[sizeof(cmd::Input)];
  alignas(text::FullLines) char lines_storage_[sizeof(text::FullLines)];
  bool open_ = false;
  size_t next_file_ = 0;
  size_t reading_ = 0;        // the file being read
  size_t last_returned_ = 0;  // the file of the last line given out
  size_t current_ = 0;        // the file of the line sed works on
  size_t written_back_ = 0;   // -i: 1 + the last file written back
  bool returned_ = false;
  bool trouble_ = false;
  bool unbuffered_ = false;
  Output output_[kMaxOutputs];
  size_t outputs_ = 0;
  cmd::Buffer edited_;  // -i: the current file's new text
  bool edit_failed_ = false;
};

constinit text::SedArgs args;
alignas(ProgramIo) char io_storage[sizeof(ProgramIo)];

// -f FILE: its whole text ("-": stdin).
bool read_script(cmd::Command& c, lib::StringView path, cmd::Buffer& out) {
  cmd::Input in(c.env());
  stellina::Result<void> opened = in.open(path);
  if (!opened.ok()) {
    c.error("couldn't open file {}: {}", path, stellina::status_name(opened.error()));
    return false;
  }
  for (;;) {
    const stellina::Result<size_t> n = in.read(chunk, kChunk);
    if (!n.ok()) {
      c.error("couldn't read {}: {}", path, stellina::status_name(n.error()));
      return false;
    }
    if (n.value() == 0) return true;
    if (!out.append(lib::StringView(chunk, n.value())).ok()) {
      c.error("couldn't read {}: {}", path, stellina::status_name(stellina::abi::kErrNoMemory));
      return false;
    }
  }
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  static lib::StringView argv[text::kSedMaxArgs];
  size_t argn = 0;
  for (size_t i = 1; i < p.argc() && argn < text::kSedMaxArgs; ++i) argv[argn++] = p.arg(i);
  char error[160];
  if (!text::parse_sed_args(std::span<const lib::StringView>(argv, argn), &args, error,
                            sizeof(error))) {
    c.error("{}", lib::StringView(error));
    c.usage_error();
    return 1;
  }
  if (args.help) return c.help();
  if (args.version) {
    c.out().write(lib::StringView("sed (Stellina)\n"));
    return c.finish(0);
  }
  if (args.in_place && args.operand_count == 0) return c.fail("no input files");

  ProgramIo& io = *new (io_storage) ProgramIo(c, args);
  io.unbuffered(args.unbuffered);
  // -f FILEs' text, one at a time (the script keeps its own copy).
  alignas(cmd::Buffer) static char file_storage[sizeof(cmd::Buffer)];
  cmd::Buffer& file = *new (file_storage) cmd::Buffer();
  alignas(text::SedScript) static char script_storage[sizeof(text::SedScript)];
  text::SedScript& script = *new (script_storage) text::SedScript(io);
  for (size_t i = 0; i < args.piece_count; ++i) {
    const text::SedArgs::Piece& piece = args.pieces[i];
    if (!piece.file) {
      if (!script.add_expression(piece.text)) return c.fail("couldn't allocate memory");
      continue;
    }
    file.clear();
    if (!read_script(c, piece.text, file)) return c.finish(1);
    if (!script.add_file(piece.text, lib::StringView(file.data(), file.size())))
      return c.fail("couldn't allocate memory");
  }
  if (!script.parse(args.extended ? text::kExtended : 0)) {
    c.error("{}", script.error());
    return c.finish(script.error_status());
  }

  const stellina::Result<void*> memory = stellina::allocate_pages(sizeof(text::RegexScratch));
  if (!memory.ok()) return c.fail("couldn't allocate memory");
  scratch = new (memory.value()) text::RegexScratch();
  text::SedOptions options;
  options.quiet = args.quiet;
  options.separate = args.separate;
  options.line_length = args.line_length;
  text::SedRun run(script, io, *scratch, options);
  int status = run.run();
  io.finish();
  if (status == 4) c.error("{}", run.error());
  if (status == 0 && io.trouble()) status = 2;
  return c.finish(status);
}
