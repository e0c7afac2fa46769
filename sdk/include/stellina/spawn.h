#pragma once
// Starting programs from files (docs/programs.md, abi/stellina/program.h): a component whose
// spec has a [spawn] table holds a silo it may spawn into (env().spawn_silo); spawn_program
// reads an ELF file through its Files, starts it in that silo with arguments, an
// environment, standard streams and a namespace, and returns the running Program.
//
//   lib::StringView args[] = {"hello", "world"};
//   SpawnOptions options;
//   options.silo = env().spawn_silo;
//   options.args = args;
//   options.files = TRY(open("file:"));  // the program sees this component's tree
//   Program p = TRY(spawn_program(files, "/bin/echo", options));
//   p.in.reset();                         // no input: it reads the end at once
//   ... read p.out and p.err (Stream), then p.wait().

#include <span>

#include <stellina/files.h>
#include <stellina/program.h>
#include <stellina/stream.h>

namespace stellina {

struct SpawnOptions {
  abi::Handle silo = abi::kInvalidHandle;  // where it runs (kRightManage): charged there
  std::span<const lib::StringView> args;   // argv[1...]; argv[0] is the path
  std::span<const lib::StringView> env;    // KEY=VALUE entries
  // The program's namespace: a file: session (moved to it). Invalid: it has none.
  Channel files;
  // The program's ends of its streams, moved to it. An invalid one is made: a fresh channel
  // whose other end Program returns.
  Channel in, out, err;
  // A log handle with kRightDuplicate, of which a copy (write only) goes to the program.
  // (A component's own log has no kRightDuplicate: its programs get none.)
  abi::Handle log = abi::kInvalidHandle;
  // A namespace channel for the program (abi/stellina/program.h), moved to it. Invalid: it
  // can open nothing beyond its files.
  Channel names;
  // A silo the program may start programs in (kRightManage), moved to it. Invalid: it may
  // start none.
  OwnedHandle child_silo;
  // A Linux program only: which of its descriptors 0, 1 and 2 are a terminal the kernel
  // makes for it (abi::SpawnRequest::linux_terminal; type at it with sys::linux_tty_input).
  uint32_t linux_terminal = 0;
};

// A program that was started.
struct Program {
  OwnedHandle process;  // kRightRead | kRightWait | kRightManage (process_kill)
  // The starter's ends of the streams it made (invalid where SpawnOptions gave one): write
  // the program's stdin on in (close it for the end of input); read its stdout and stderr.
  Channel in, out, err;

  // Waits until it has ended (or deadline_ns; 0: none) and says how. Errors: kErrTimedOut.
  Result<abi::ProcessExit> wait(uint64_t deadline_ns = 0) const;
};

// Opens path in files, checks it is a regular file of at most kProgramMaxImage bytes, reads
// it into a fresh folio, spawns it in options.silo named after the path's last component,
// and queues its start message (argv[0] = path). options' channels are left to the caller if
// it fails before the file is read; from then on they are taken (moved to the program, or
// closed on a failure). Errors: those of Files::open (kErrNotFound, kErrAccessDenied, ...),
// kErrIsDirectory, kErrInvalidArgument (not a regular file, empty, or not an ELF image the
// kernel can load, an environment entry without '=' or with an empty key, a NUL in a string),
// kErrTooLarge (more than kProgramMaxImage bytes, more than kProgramMaxArgs arguments or
// kProgramMaxEnv entries, more than kProgramMaxStrings bytes of strings),
// kErrQuotaExceeded (the silo cannot hold it, or the caller's cannot hold the image while it
// is read), kErrAccessDenied (silo without kRightManage), kErrNoMemory.
Result<Program> spawn_program(const Files& files, lib::StringView path, SpawnOptions& options);

// Whether an ELF header (and the program headers within its first size bytes) is a Linux
// program's: ELFOSABI_GNU, or a PT_INTERP, PT_NOTE, PT_TLS or PT_GNU_STACK header. Stellina's
// programs have none of them (the SDK's linker script keeps PT_LOAD segments only).
bool is_linux_image(const void* header, size_t size);

// Starts the static Linux program at path as spawn_program starts a Stellina one, with the
// Linux personality (docs/linux.md): argv is the path then options.args, envp options.env;
// its descriptors 0, 1 and 2 are options.in, out and err (made as spawn_program makes them
// when invalid), options.files becomes its file: namespace (abi::kLinuxFilesHandle) and,
// with files, options.names its namespace channel for sockets (abi::kLinuxNamesHandle).
// options.log and child_silo are not given to a Linux program. Errors: those of
// spawn_program, and kErrTooLarge past abi::kLinuxMaxStrings bytes of strings.
Result<Program> spawn_linux_program(const Files& files, lib::StringView path,
                                    SpawnOptions& options);

// Where a command name is found: name itself if it holds a '/', else the first regular file
// named so in search_path's directories (':' between them, as PATH; an empty entry is the
// current directory). Writes the path into out; returns its size. Errors: kErrNotFound,
// kErrNameTooLong.
Result<size_t> find_program(const Files& files, lib::StringView name, lib::StringView search_path,
                            char (&out)[abi::kFileMaxPath]);

}  // namespace stellina
