#pragma once
// Three schemes the startup server serves itself (no component exports them): a component
// reaches them with Open{"status:"}, Open{"boot:PATH"} and Open{"serial:"} on its namespace
// channel, and only if its spec lists them in `requires` (`status = "status:"`,
// `files = "boot:"`, `serial = "serial:"`); otherwise the Open is refused with
// kErrAccessDenied. status: and boot: grant nothing but reading.
//
// status: live system information.
//   Open{"status:"} (nothing after the colon) gives a channel. On it, each Data message is
//   one text command (no NUL; at most kMaxStatusCommand bytes); the answer is one Data
//   message with the same call id, text, at most kMaxMessageData bytes, lines ending in '\n'.
//   The answer comes at once: the startup server never blocks on a status command. Fields
//   are separated by one space.
//
//   components  one line per component of the manifest, in start order:
//                 NAME STATE ISOLATION RESTARTS MEMORY_BYTES MEMORY_LIMIT_BYTES THREADS LAST_EXIT
//               STATE: waiting running backoff stopped exited no-device.
//               ISOLATION: user kernel.
//               MEMORY_BYTES: charged to its silo now; MEMORY_LIMIT_BYTES: its silo's limit
//               (0: none); THREADS: live threads in its silo.
//               LAST_EXIT: how it last ended, one word: `-` (never ended), `exit:CODE`
//               (process_exit), `fault`, `killed`, `quota`.
//   processes   one line per component, in start order, with what ps and top show:
//                 NAME STATE ISOLATION PID SILO RESTARTS MEMORY_BYTES MEMORY_LIMIT_BYTES
//                 THREADS THREAD_LIMIT PROCESSES CPU_NS LAST_EXIT
//               PID: its process's id while it runs, else 0. SILO: the declared silo it
//               belongs to, `-` for none. THREADS, THREAD_LIMIT (0: none), PROCESSES (live
//               processes: the component and the programs it started) and CPU_NS (CPU time
//               of its threads and of those below, since its silo was made) are its
//               silo's; the other fields as in components.
//   memory      lines `NAME VALUE`, values in bytes: total_bytes (usable RAM), free_bytes (free
//               physical memory now), kernel_heap_bytes (the kernel heap's live bytes),
//               kernel_heap_allocations, kernel_heap_pages_bytes (MemoryInfo,
//               abi/stellina/sysinfo.h).
//   silos       the table the control command `silos` answers (servers/startup/README.md):
//               a header line, then per declared silo its memory used of the limit (KiB),
//               its peak, threads, CPU cap, CPU time, charges refused, periods throttled.
//   uptime      `uptime_ms N`: milliseconds since boot (monotonic clock).
//   boot_id     `boot_id HEX`: 32 lowercase hex digits (128 bits) made when the startup server
//               began, different for every boot of the machine (not a secret).
//   log N       the last N records of the kernel log (1 <= N <= kMaxStatusLogLines), oldest
//               first, one per line as the serial console shows them:
//               `[SECONDS.MICROS] LEVEL: TEXT`. As many of the newest as fit in
//               kMaxMessageData bytes.
//   anything else: `error: unknown command`; bad arguments: `error: ...` (one line).
//
// boot: files of the boot archive.
//   Open{"boot:PATH"}, PATH as stored in the archive (`boot:manifest`, `boot:site/index.css`;
//   a leading '/' is ignored), gives a channel on which the startup server has sent exactly
//   one Data message and then closed its end: data is a BootFile (the file's size), and
//   handles[0] a Folio (kRightRead | kRightMap | kRightTransfer: it cannot be written)
//   holding the file's bytes from offset 0, zero after them to the end of its last page.
//   `boot:DIR/` (a PATH ending in '/', or empty for the whole archive) gives the same for a
//   text listing of the archive's paths that begin with DIR/, one per line (the full path,
//   sorted, each ending in '\n').
//   `boot:?archive` gives the whole archive the same way, in the kernel's own folio (never
//   writable, lent without a copy; the BootFile's size is the folio's): what the boot file
//   system reads (lib/archive.h gives its format). Archive paths never begin with '?'.
//   Errors (Abort): kErrNotFound (no such file, or no path under DIR/), kErrTooLarge (a
//   file above kMaxBootFile), kErrInvalidArgument (a path of more than 55 bytes), kErrNoMemory
//   or kErrQuotaExceeded (no memory for the copy), kErrNotSupported (no boot archive).

//
// serial: the serial port, as a terminal (the kernel console's port; docs/shell.md).
//   Open{"serial:"} (nothing after the colon) gives a channel that holds the port: every
//   byte typed on it comes as Data messages (raw: no echo, no line editing, CR and control
//   bytes as typed; what has arrived in one message), and the bytes of every Data message
//   sent on it are written to the port as they are (no CR added before LF), beside the
//   kernel log. Other kinds of message are ignored. When the queue is full, typed bytes are
//   dropped (the kernel console's `serial` command counts them). The newest Open holds the
//   port: the channel of the one before is closed (its holder sees kSignalPeerClosed), so a
//   restarted terminal server gets the port back. When the holder closes its end, the kernel
//   console has the port again. Ctrl-] (0x1d) is never forwarded: it shows the kernel
//   console, and a second Ctrl-] (or its command `exit`) gives the port back to the holder;
//   what is typed meanwhile goes to the console. Errors (Abort): kErrNotFound (anything
//   after the colon), kErrNotSupported (the machine has no serial console: no port, or no
//   interrupt for it), those of channel_create and channel_send.
//   (Between the startup server and the kernel: one Data message, no data, the kernel's end
//   as its one handle, on the serial control channel, the startup server's handle 6.)

#include <stdint.h>

namespace stellina::abi {

constexpr uint32_t kMaxStatusCommand = 64;
constexpr uint32_t kMaxStatusLogLines = 64;
constexpr uint64_t kMaxBootFile = uint64_t{4} << 20;  // a folio's largest size

// The data of the one Data message on a boot: channel.
struct BootFile {
  uint64_t size;  // bytes of the file (or listing); the folio holds at least this many
};

}  // namespace stellina::abi
