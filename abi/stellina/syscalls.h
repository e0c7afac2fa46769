#pragma once
// System call numbers. Calling convention (x86_64): `syscall` with the number in rax and
// arguments in rdi, rsi, rdx, r10, r8, r9; the result comes back in rax: a Status (< 0) or a
// non-negative value. rcx and r11 are clobbered.
//
// Each entry says what the call does, the rights it needs, and the errors it can return
// besides kErrBadHandle / kErrWrongType / kErrAccessDenied for its handle arguments and
// kErrFault for unreadable or unwritable pointers.

#include <stdint.h>

namespace stellina::abi {

enum Syscall : uint64_t {
  // log_write(Handle log, const char* text, uint64_t size): appends a record to the kernel
  // log, tagged with the process name. Rights: kRightWrite on a Log.
  // Errors: kErrTooLarge (size > 255).
  kSysLogWrite = 0,

  // handle_close(Handle h): closes the handle. Closing the last handle to a channel end
  // tells the peer (kSignalPeerClosed).
  kSysHandleClose = 1,

  // handle_duplicate(Handle h, uint32_t rights) -> Handle: a new handle to the same object
  // with the given rights, which must be a subset of h's. Rights: kRightDuplicate.
  // Errors: kErrInvalidArgument (rights not a subset), kErrNoResources (handle table full).
  kSysHandleDuplicate = 2,

  // handle_query(Handle h, HandleInfo* out): the object's type, the handle's rights and the
  // object's id. Rights: none.
  kSysHandleQuery = 3,

  // channel_create(Handle out[2]): a connected pair of channel ends, each with all rights.
  // Errors: kErrNoMemory, kErrNoResources, kErrQuotaExceeded.
  kSysChannelCreate = 4,

  // channel_send(Handle ch, const MessageBuffer* msg): queues the message at the peer
  // without blocking. The handles in msg->handles move with it (closed in the sender) only
  // if the send succeeds. Rights: kRightWrite on ch, kRightTransfer on every moved handle.
  // Errors: kErrWouldBlock (the peer's queue holds kChannelQueueLimit messages; wait for
  // kSignalWritable), kErrPeerClosed, kErrTooLarge (data > kMaxMessageData or more than
  // kMaxMessageHandles handles), kErrInvalidArgument (bad kind, the channel itself or a
  // duplicate among the handles, or a channel end that would end up in its own queue,
  // directly or through other queued channel ends: such a cycle could never be closed),
  // kErrNoMemory, kErrQuotaExceeded (a queued message is charged to the sender's silo until
  // it is received or destroyed).
  kSysChannelSend = 5,

  // channel_recv(Handle ch, MessageBuffer* msg): takes the next message without blocking and
  // installs its handles in this process. Rights: kRightRead on ch.
  // Errors: kErrWouldBlock (queue empty; wait for kSignalReadable), kErrPeerClosed (empty
  // and the peer is gone), kErrBufferTooSmall (the message stays queued; data_size and
  // handle_count report what it needs), kErrNoResources (no room for its handles).
  kSysChannelRecv = 6,

  // channel_call(Handle ch, MessageBuffer* msg, uint64_t deadline_ns): sends msg, then
  // blocks until a message with the same call_id arrives and receives it into msg. Other
  // messages that arrive meanwhile stay queued. Rights: kRightRead | kRightWrite.
  // Errors: those of send and receive, kErrTimedOut (deadline passed; 0 means none).
  kSysChannelCall = 7,

  // object_wait(Handle h, uint32_t signals, uint64_t deadline_ns, uint32_t* observed):
  // blocks until one of the signals is raised on the object or the deadline passes (0: no
  // deadline), and reports the object's signals. Rights: kRightWait.
  // Errors: kErrTimedOut, kErrInvalidArgument (no signals asked for).
  kSysObjectWait = 8,

  // clock_now() -> uint64_t: nanoseconds since boot on the monotonic clock.
  kSysClockNow = 9,

  // process_exit(int64_t code): ends the calling process; does not return.
  kSysProcessExit = 10,

  // poll_create() -> Handle: an empty wait set (all rights). Errors: kErrNoMemory,
  // kErrNoResources, kErrQuotaExceeded.
  kSysPollCreate = 11,

  // poll_add(Handle poll, Handle h, uint32_t signals, uint64_t key): watches h for the
  // signals; poll_wait reports it under key. The poll keeps the object alive until removed.
  // Rights: kRightWrite on poll, kRightWait on h. Errors: kErrInvalidArgument (no signals,
  // the poll itself, or the key is in use), kErrNoResources (kMaxPollEntries entries).
  kSysPollAdd = 12,

  // poll_remove(Handle poll, uint64_t key): stops watching. Rights: kRightWrite.
  // Errors: kErrNotFound.
  kSysPollRemove = 13,

  // poll_wait(Handle poll, PollEvent* events, uint64_t max, uint64_t deadline_ns) -> count:
  // blocks until at least one watched object has one of its signals (level-triggered), or
  // the deadline passes (0: none), and reports up to max of them (at most kMaxPollEvents),
  // beginning after the last entry the previous wait reported, so that every ready entry
  // gets its turn. Rights: kRightRead. Errors: kErrTimedOut, kErrInvalidArgument (max 0).
  kSysPollWait = 14,

  // timer_create() -> Handle: a one-shot timer (all rights); raises kSignalReadable when it
  // fires. Errors: kErrNoMemory, kErrNoResources, kErrQuotaExceeded.
  kSysTimerCreate = 15,

  // timer_set(Handle timer, uint64_t deadline_ns): (re)arms it for the monotonic-clock time
  // deadline_ns and clears kSignalReadable; 0 disarms it. Rights: kRightWrite.
  kSysTimerSet = 16,

  // folio_create(uint64_t size) -> Handle: zeroed physical pages (size rounded up to whole
  // pages, at most 16 MiB), all rights. Errors: kErrInvalidArgument (0 or too large),
  // kErrNoMemory, kErrNoResources, kErrQuotaExceeded (its pages are charged to the caller's
  // silo while the folio exists).
  kSysFolioCreate = 17,

  // folio_map(Handle folio, uint64_t writable, uint64_t* address): maps the whole folio into
  // the caller's address space and writes where to *address (an out argument, not the
  // return value: a kernel address would read as a status); the same folio mapped by two
  // processes is shared memory.
  // Rights: kRightMap, and kRightWrite for a writable mapping.
  // A component built into the kernel has no address space of its own: its folios are
  // mapped in the kernel half, where every address space sees them (only its code has the
  // address). Errors: kErrNoResources (too many mappings), kErrAccessDenied (writable, of a
  // folio the kernel lends only to be read, as the boot archive: whatever the handle's
  // rights), kErrNoMemory, kErrFault (address not writable: nothing stays mapped).
  kSysFolioMap = 18,

  // folio_unmap(uint64_t address): removes the mapping folio_map returned.
  // Errors: kErrNotFound.
  kSysFolioUnmap = 19,

  // interrupt_ack(Handle irq): the driver has handled its device: clears kSignalReadable and
  // lets the line interrupt again. Rights: kRightWrite on an Interrupt (made by
  // interrupt_create, or by the kernel for its own tests).
  kSysInterruptAck = 20,

  // thread_create(uint64_t entry, uint64_t stack_top, uint64_t arg) -> Handle: a new thread
  // of the calling process, starting at entry with arg in the first argument register and
  // the stack pointer at stack_top (16-byte aligned by the caller). The handle (kRightRead |
  // kRightWait) raises kSignalTerminated when the thread ends. In a component built into
  // the kernel the thread runs on a kernel stack of its own (16 KiB below a guard page) and
  // stack_top is ignored; returning from entry ends it as thread_exit(0) would.
  // Errors: kErrInvalidArgument (an address outside user space, for a user process),
  // kErrNoMemory, kErrNoResources, kErrQuotaExceeded (the silo's thread or memory limit).
  kSysThreadCreate = 21,

  // thread_exit(int64_t code): ends the calling thread; does not return. When the last
  // thread of a process ends, the process ends with that code. When a process ends
  // (process_exit, a fault), all its threads end, including blocked ones.
  kSysThreadExit = 22,

  // silo_create(Handle parent, const SiloLimits* limits) -> Handle: a new silo below parent
  // (all rights), charged to the caller's silo. Processes are put in it when they are
  // spawned. Rights: kRightManage on parent. Errors: kErrInvalidArgument (cpu_percent above
  // 100, or a limit above the parent's where the parent has one: unlimited counts as above),
  // kErrNoResources (deeper than kMaxSiloDepth, or the handle table is full),
  // kErrQuotaExceeded, kErrNoMemory.
  kSysSiloCreate = 23,

  // silo_set_limits(Handle silo, const SiloLimits* limits): replaces the silo's limits. Limits
  // below the current usage are allowed: they only refuse new charges. Rights: kRightManage.
  // Errors: kErrInvalidArgument (as for silo_create, against the silo's parent).
  kSysSiloSetLimits = 24,

  // silo_stats(Handle silo, SiloStats* out): the silo's limits and usage (abi/stellina/silo.h).
  // Rights: kRightRead.
  kSysSiloStats = 25,

  // process_spawn(Handle silo, const SpawnRequest* request) -> Handle: starts a program from
  // the boot archive (isolation user) or a component built into the kernel (isolation
  // kernel) in the silo, with request->handles, in order, as its StartupBlock. The handles move
  // to the new process (closed in the caller) only if the spawn succeeds. The returned
  // Process handle (kRightRead | kRightWait | kRightManage | kRightDuplicate |
  // kRightTransfer) raises kSignalTerminated when the process ends. Rights: kRightManage on
  // the silo (the authority to spawn), kRightTransfer on every handle given.
  // Errors: kErrNotFound (no such program or component), kErrInvalidArgument (bad isolation,
  // a name of 0 or more than 31 bytes, a duplicate handle, an image that is not a loadable
  // ELF), kErrTooLarge (more than kMaxStartupHandles handles), kErrQuotaExceeded (the silo's
  // memory or threads), kErrNoMemory, kErrNoResources.
  kSysProcessSpawn = 26,

  // process_kill(Handle process): ends the process as if it had faulted (ExitReason::Killed);
  // nothing happens if it has ended already. Its handles close at once; its threads end when
  // they next run, and only when the last is gone has the process ended (kSignalTerminated,
  // process_info's running 0): its silo has its threads back by then. Rights: kRightManage.
  kSysProcessKill = 27,

  // process_info(Handle process, ProcessInfo* out): whether the process is running and, once
  // it has ended, how (a ProcessExit). Rights: kRightRead.
  kSysProcessInfo = 28,

  // platform_info(Handle platform, PlatformInfo* out): what the firmware says about the
  // machine's devices (abi/stellina/platform.h). Rights: kRightRead on the Platform.
  kSysPlatformInfo = 29,

  // device_map(Handle platform, uint64_t phys, uint64_t size) -> Handle: a Folio (all rights)
  // over the device memory [phys, phys + size), size rounded up to whole pages. folio_map maps
  // it uncached; its pages are the device's, never RAM, and are not charged to the silo as
  // memory (the Folio object itself is). Only memory that the firmware's memory map does not
  // list as RAM may be mapped. Rights: kRightManage on the Platform.
  // Errors: kErrInvalidArgument (phys not page-aligned, size 0, the range wraps, or it
  // overlaps RAM (usable, ACPI-reclaimable or ACPI NVS), the kernel image or a boot module),
  // kErrTooLarge (more than 4096 pages), kErrNoMemory, kErrNoResources, kErrQuotaExceeded.
  kSysDeviceMap = 30,

  // folio_physical(Handle folio, uint64_t page_index) -> uint64_t: the physical address of
  // the folio's page, for DMA: drivers give devices the physical addresses of their folios'
  // pages. Rights: kRightMap. Errors: kErrInvalidArgument (page_index out of range).
  kSysFolioPhysical = 31,

  // interrupt_create(Handle platform, uint32_t gsi, uint32_t flags, MsiMessage* msi) ->
  // Handle: claims a device interrupt line for a driver. gsi is a global system interrupt, numbered
  // as the I/O APICs
  // number their inputs (the MADT's GSI base of each I/O APIC plus the pin), not an ISA IRQ: a
  // PCI INTx line or a microvm virtio-mmio slot is named by its GSI directly; an ISA IRQ is its
  // GSI only where the MADT has no override for it (the kernel applies overrides to its own
  // lines, not to this argument). flags (abi/stellina/platform.h) give the trigger mode and
  // polarity of the line: 0 is edge-triggered, active high (ISA); kInterruptLevel |
  // kInterruptActiveLow is PCI INTx. The Interrupt (kRightRead | kRightWrite | kRightWait |
  // kRightDuplicate | kRightTransfer) raises kSignalReadable when the line fires, masked until
  // interrupt_ack; the line is released when the last handle to it is closed. With
  // kInterruptMsi (gsi 0, no other flag) it is a message-signalled interrupt on a vector of
  // its own instead, and *msi says what the device must write where; it is not masked, and
  // one that fires again before interrupt_ack leaves the signal raised. msi is ignored
  // otherwise. Rights: kRightManage on the Platform.
  // Errors: kErrInvalidArgument (no I/O APIC serves gsi, or unknown flags), kErrWouldBlock
  // (the line is claimed already: by another Interrupt, or by the kernel itself (the PIT's
  // and the console's COM1 lines); closing the other Interrupt frees it; the code is shared
  // with "try again later" and means here "busy"), kErrNoMemory, kErrQuotaExceeded,
  // kErrNoResources (MSI: every vector taken), kErrFault (msi not writable).
  kSysInterruptCreate = 32,

  // folio_size(Handle folio) -> uint64_t: the folio's size in bytes (whole pages), e.g. of a
  // device folio a driver was given or a folio a client shared. Rights: none beyond holding
  // it. Errors: kErrBadHandle, kErrWrongType.
  kSysFolioSize = 33,

  // pci_config(Handle platform, uint32_t function, uint32_t offset, uint64_t value) ->
  // uint32_t: reads (value > 0xffffffff) or writes (value <= 0xffffffff, returns 0) one
  // 32-bit register of a PCI function's configuration space through the legacy configuration
  // ports, for machines without an ECAM window (PlatformInfo.ecam_base 0). function is bus <<
  // 8 | device << 3 | function; offset is 4-byte aligned and below 256. A function that does
  // not exist reads as 0xffffffff. Rights: kRightManage on the Platform.
  // Errors: kErrInvalidArgument (function above 0xffff, a bad offset), kErrNotSupported
  // (the machine has an ECAM window: use it).
  kSysPciConfig = 34,

  // log_read(Handle log, uint64_t from, LogEntry* out, uint64_t max, uint64_t* next) -> count:
  // copies the kernel log's records (abi/stellina/sysinfo.h), oldest first, from sequence
  // number `from` on: at most max (at most kMaxLogRead) of those the ring still holds (if
  // `from` is older than the oldest it holds, from the oldest: the caller sees the gap in
  // their seq), and returns how many. If next is not null, *next is the sequence number the
  // next record will get, so log_read(log, 0, nullptr, 0, &next) asks only that, and reading
  // from next - N gives the last N records. Nothing is removed: every reader reads the same
  // records. Rights: kRightRead on the Log (the startup server's log handle has it; the
  // copies it gives components do not). Errors: kErrInvalidArgument (max above kMaxLogRead,
  // or out null with max above 0), kErrFault (out or next not writable; records copied
  // before the fault stay copied).
  kSysLogRead = 35,

  // memory_info(Handle silo, MemoryInfo* out): the machine's memory (abi/stellina/sysinfo.h):
  // usable RAM, free physical memory now, the kernel heap. Rights: kRightRead on the root
  // silo (the whole machine; its holder, the startup server, sees every silo anyway); any
  // other silo is kErrAccessDenied, whatever its rights.
  kSysMemoryInfo = 36,

  kSysCount = 37,
};

}  // namespace stellina::abi
