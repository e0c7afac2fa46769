#pragma once
// The machine-independent face of the CPU and platform. Everything here is implemented once
// per architecture under kernel/arch/<cpu>/; generic kernel code includes only this header.

#include <cstddef>
#include <cstdint>

#include <lib/date.h>
#include <lib/result.h>

#include "memory_layout.h"  // kernel/arch/<cpu>/: this CPU's address-space layout

namespace kernel {
struct BootInfo;
}

namespace arch {

constexpr size_t kPageSize = 4096;

// ---- early bring-up ----------------------------------------------------------------------
// Reads the boot loader's information (protocol-specific) into the normalized structure.
void parse_boot_info(uint32_t protocol, uintptr_t info_phys, kernel::BootInfo& out);
// Segment tables, exception and interrupt vectors. Needs nothing but the console.
void cpu_init();
// Interrupt controllers and the timer; needs ACPI and the heap.
void platform_init();

// ---- processors --------------------------------------------------------------------------
// The most CPUs the kernel runs; CPUs the firmware lists beyond it are reported and left out.
constexpr unsigned kMaxCpus = 16;
// Starts every other CPU the firmware lists and waits for each, a bounded time, to answer;
// one that does not is reported and left out. Each then waits for the scheduler to start
// (kernel::ap_enter_scheduler) and runs threads like the boot CPU (docs/smp.md). Needs
// platform_init and the heap.
void start_other_cpus();
// Starts the CPU the firmware names firmware_id (its local APIC ID on a PC) and returns its
// index. Errors: TimedOut (it did not answer: left out), NoResources (kMaxCpus run already),
// AlreadyExists (it runs already), NotSupported (no page to start it from), NoMemory (no
// stacks for it), Busy (another start is under way).
lib::Result<unsigned> start_cpu(uint32_t firmware_id);
// How many CPUs run: the boot CPU and every other that answered. Inline, as cpu_index: the
// scheduler asks at every switch.
inline unsigned cpu_count();
// The calling CPU's index: 0 for the boot CPU, then 1, 2, ... in the order the others came up.
inline unsigned cpu_index();
// What became of each CPU the firmware lists, in its order (for the console's `cpus`).
enum class CpuState : uint8_t {
  Running,   // the boot CPU, or one that answered
  NoAnswer,  // started, never answered: left out
  LeftOut,   // beyond kMaxCpus, or an ID this kernel cannot address
};
struct CpuRecord {
  uint32_t firmware_id;
  CpuState state;
  unsigned index;  // for a running CPU
};
// Copies up to max records and returns how many there are.
size_t cpu_records(CpuRecord* out, size_t max);
// The scheduler's slot for the thread the calling CPU runs (null before it starts).
inline void* cpu_current_thread();
inline void set_cpu_current_thread(void* thread);
// Interrupts CPU index (not the caller) so that it looks at its scheduler on the way out of
// the interrupt (kernel::on_interrupt_exit), and at its thread's state before user mode.
void cpu_kick(unsigned index);
// Stops every other CPU at once, whatever it runs (an NMI: interrupts off do not hold it
// back), for panics and shutdown.
void halt_other_cpus();

// ---- console -----------------------------------------------------------------------------
void console_init();
// Writes the bytes as they are, polling the UART: only when the kernel is stopping (the log
// queues everything else, see kernel/log.h).
void console_write_raw(const char* s, size_t n);
// Buffered output in bursts (the kernel log's queue): console_tx_idle says the transmitter
// has room for a whole burst of up to kConsoleBurst bytes, which console_tx_burst then
// writes without waiting (it never polls: interrupts may be off).
constexpr size_t kConsoleBurst = 16;
bool console_tx_idle();
void console_tx_burst(const char* s, size_t n);
// Bytes typed on the console arrive through this callback, from interrupt context. Returns
// whether any will: false when there is no serial port, or no interrupt for it.
bool console_set_input_handler(void (*handler)(char c));

// ---- interrupts --------------------------------------------------------------------------
using IrqState = uint64_t;  // nonzero: interrupts were enabled
constexpr IrqState kIrqsEnabled = 1;
inline IrqState irq_save();  // disables interrupts, returns the previous state
inline void irq_restore(IrqState state);
inline void irq_enable();
bool irqs_enabled();
// Enables interrupts and waits for one, atomically (no wake-up can be lost in between).
void enable_and_wait();
// Tells the CPU the caller is spinning on a lock (saves power, yields to a sibling thread).
void cpu_relax();
[[noreturn]] void halt_forever();

// ---- device interrupts ----------------------------------------------------------------
// A device interrupt line as ACPI numbers it: a global system interrupt (GSI; on x86 an
// I/O APIC's GSI base plus its pin, on an ARM GIC its interrupt ID), with the trigger mode
// and polarity the interrupt controller needs.
struct IrqLine {
  uint32_t gsi = 0;
  bool level = false;  // level-triggered; else edge
  bool active_low = false;
};
// The line ISA IRQ `isa_irq` (0-15) arrives on, after the firmware's overrides.
// Errors: NotFound (not an ISA IRQ, or a machine without ISA).
lib::Result<IrqLine> isa_irq_line(unsigned isa_irq);
// Whether the kernel keeps gsi for itself (its timer's and its console's lines, and on a PC
// the ISA cascade), whether or not it has attached a handler yet: such lines are never given
// to drivers.
bool irq_is_kernel_line(uint32_t gsi);
// Routes the line to handler(context), unmasked. The handler runs in interrupt context.
// Errors: Busy (already routed), NotFound (no interrupt controller serves the GSI, or it is
// beyond the vectors the kernel gives device interrupts).
lib::Result<void> irq_attach(const IrqLine& line, void (*handler)(void* context), void* context);
// Masks the line and forgets its handler: no interrupt reaches the handler after this.
void irq_detach(uint32_t gsi);
void irq_set_masked(uint32_t gsi, bool masked);

// Message-signalled interrupts (PCI MSI and MSI-X): a device raises one by writing `data` to
// `address`. Each takes a vector of its own, so nothing is shared and nothing needs masking at
// the controller: they are edge-triggered.
struct MsiMessage {
  uint64_t address;
  uint32_t data;
  uint32_t vector;  // what msi_detach takes
};
// Routes a free vector to handler(context). Errors: NoResources (every MSI vector is taken).
lib::Result<MsiMessage> msi_attach(void (*handler)(void* context), void* context);
void msi_detach(uint32_t vector);

// ---- PCI configuration space without ECAM ---------------------------------------------
// function: bus << 8 | device << 3 | function; offset: a 4-byte-aligned register below 256.
// A function that does not exist reads as all ones.
uint32_t pci_config_read(uint32_t function, uint16_t offset);
void pci_config_write(uint32_t function, uint16_t offset, uint32_t value);

// ---- memory ------------------------------------------------------------------------------
// All physical memory is mapped at a fixed offset (the direct map).
void* phys_to_virt(uintptr_t phys);
uintptr_t virt_to_phys(const void* virt);  // direct map and kernel image only
struct PhysRange {
  uintptr_t start, end;
};
PhysRange kernel_image();
// One past the highest physical address the CPU can address (its physical address width).
uintptr_t phys_address_limit();
// The pages paging_init took for page tables before the physical allocator existed.
PhysRange early_page_tables();
// The unmapped page below the boot thread's stack.
uintptr_t boot_stack_guard_page();

enum PageFlags : uint32_t {
  kPageRead = 0,  // every mapping is readable
  kPageWrite = 1u << 0,
  kPageExec = 1u << 1,
  kPageUser = 1u << 2,
  kPageUncached = 1u << 3,
  kPageOwned = 1u << 4,  // user pages: the frame is freed with the address space
  // User pages: the frame may be shared with another address space (a fork's): mapped
  // read-only whatever kPageWrite says, and copied at the first write (AddressSpace).
  kPageCopyOnWrite = 1u << 5,
};
// Builds the kernel's own page tables (direct map, kernel image with per-section rights)
// and switches to them, before the physical allocator exists.
void paging_init(const kernel::BootInfo& boot);
// Map, unmap, change rights and translate single pages in the kernel address space.
// Map fails with AlreadyExists if the page is mapped, unmap/protect with NotFound if not.
lib::Result<void> map_page(uintptr_t virt, uintptr_t phys, uint32_t flags);
lib::Result<uintptr_t> unmap_page(uintptr_t virt);
// Unmaps count pages from virt, writing each one's frame to frames[i] (0 where none was
// mapped). Every CPU forgets them before it returns (one shootdown for all of them).
void unmap_pages(uintptr_t virt, size_t count, uintptr_t* frames);
lib::Result<void> protect_page(uintptr_t virt, uint32_t flags);
lib::Result<uintptr_t> translate(uintptr_t virt);
// Maps device registers uncached in a dedicated kernel region.
lib::Result<void*> map_mmio(uintptr_t phys, size_t size);
// Kernel virtual regions handed out by generic code (kStackRegionBase, kStackRegionSize,
// kTestRegionBase, kFolioRegionBase, kFolioRegionSize) and the top of user space (kUserTop):
// memory_layout.h, per CPU.

// User address spaces: the lower half of their own top-level table, the kernel half shared.
lib::Result<uintptr_t> user_root_create();
// Frees every table of the lower half (straight to the physical allocator, not through a
// PageTableSource) and every frame mapped with kPageOwned.
void user_root_destroy(uintptr_t root);
// Where the tables below a user root come from and go back to: the address space, which
// charges them to its silo.
class PageTableSource {
 public:
  // A zeroed page. Errors: those of the source (QuotaExceeded, NoMemory).
  virtual lib::Result<uintptr_t> alloc_table() = 0;
  virtual void free_table(uintptr_t phys) = 0;

 protected:
  ~PageTableSource() = default;
};
// Map fails with AlreadyExists if the page is mapped, or with the source's error when a table
// it needs cannot be had (the tables it made for the attempt go back). Unmap fails with
// NotFound if the page is not mapped; a table it leaves empty goes back to the source, and so
// on up to (not including) the root: a user address space holds only the tables its mappings
// need.
lib::Result<void> user_map(uintptr_t root, uintptr_t virt, uintptr_t phys, uint32_t flags,
                           PageTableSource& tables);
lib::Result<uintptr_t> user_unmap(uintptr_t root, uintptr_t virt, PageTableSource& tables);
// The PageFlags a user page is mapped with (kPageUser always set). Errors: NotFound.
lib::Result<uint32_t> user_page_flags(uintptr_t root, uintptr_t virt);
// The frame a user page is mapped to. Errors: NotFound.
lib::Result<uintptr_t> user_page_frame(uintptr_t root, uintptr_t virt);
// Gives a mapped user page new rights (kPageWrite, kPageExec), its frame and its kPageOwned
// and kPageCopyOnWrite marks kept (a shared frame stays read-only). Errors: NotFound.
lib::Result<void> user_protect(uintptr_t root, uintptr_t virt, uint32_t flags);
// Points a mapped user page at a frame (another, or the same) with new flags (kPageWrite,
// kPageExec, kPageOwned, kPageCopyOnWrite). Errors: NotFound (not mapped).
lib::Result<void> user_remap(uintptr_t root, uintptr_t virt, uintptr_t phys, uint32_t flags);
// The first mapped user page at or above virt and below end, or end when there is none: loops
// over a range's pages cost what is mapped, not the range's size.
uintptr_t user_next_mapped(uintptr_t root, uintptr_t virt, uintptr_t end);
// Loads an address space (0: the kernel's own).
void switch_root(uintptr_t root);
// The kernel stack that traps and syscalls from user mode land on.
void set_kernel_stack(uintptr_t top);
// Leaves the kernel for user mode at pc with the stack pointer at sp and arg in the first
// argument register. Interrupts are enabled in user mode. A pc at or above kUserTop ends the
// process (kernel::kill_current_process) instead.
[[noreturn]] void enter_user(uintptr_t pc, uintptr_t sp, uint64_t arg);
// Copies between kernel memory and user addresses below kUserTop. Fails with Fault (having
// copied a prefix) when a user page is missing or lacks the access, never faulting the kernel.
// These are the only kernel code that may touch user pages: with user_pages_guarded, any
// other kernel access to a user page faults, and so does executing one.
lib::Result<void> copy_from_user(void* dst, uintptr_t src, size_t n);
lib::Result<void> copy_to_user(uintptr_t dst, const void* src, size_t n);

// Whether the CPU enforces that (SMEP and SMAP on).
bool user_pages_guarded();

// Reads or writes one byte at addr; returns false instead of faulting when the address is
// not mapped (or not writable). The basis for safe access to untrusted addresses.
bool probe_read(uintptr_t addr, uint8_t* out);
bool probe_write(uintptr_t addr, uint8_t value);
// Calls the code at addr, which must return at once (kReturnInstruction); returns false
// instead of faulting when it cannot be executed (not mapped, not executable, or a user page
// under SMEP).
bool probe_execute(uintptr_t addr);

// ---- time --------------------------------------------------------------------------------
// Nanoseconds since boot, monotonic.
uint64_t now_ns();
// Raw cycle counter for benchmarks, and its conversion to nanoseconds.
uint64_t cycles();
uint64_t cycles_to_ns(uint64_t cycles);
// Asks for a timer interrupt at (or soon after) deadline_ns; replaces any earlier request.
// UINT64_MAX cancels it.
void timer_set_deadline(uint64_t deadline_ns);
// The date and time (UTC, as PCs and QEMU keep it) on the machine's battery-backed real-time
// clock, to the second, decoded but not checked: the caller checks it (lib::seconds_since_epoch)
// and knows a machine whose fields read out of range has no usable clock. Needs now_ns.
// Errors: NotFound (the machine has no real-time clock), TimedOut (it never held still long
// enough to be read).
lib::Result<lib::DateTime> rtc_read();

// ---- threads -----------------------------------------------------------------------------
struct Context;  // saved callee-saved registers, on the thread's own stack
// Lays out a new thread's stack so that switching to it calls entry(arg) via
// kernel::thread_trampoline. Returns the context to switch to.
Context* context_init(uintptr_t stack_top, void (*entry)(void*), void* arg);
// Saves the current context into *save and resumes next.
extern "C" void context_switch(Context** save, Context* next);

// A user thread's registers as its system call found them, for a new thread that resumes
// where another made the call (Linux's fork and clone): opaque outside the arch code.
struct UserFrame {
  uint64_t words[22];
};
// The calling thread's registers at its system call (kernel_stack_top: its kernel stack's).
void syscall_user_frame(uintptr_t kernel_stack_top, UserFrame* out);
// The value the call returns in the copy (and, when sp is not 0, a new user stack pointer).
void set_user_frame_result(UserFrame* frame, uint64_t value, uintptr_t sp);
// exec: the calling thread's system call returns to pc with the stack pointer at sp and every
// other register cleared but the call's return value (kernel_stack_top: its kernel stack's).
// The way back is the syscall's own, with its checks.
void restart_syscall_frame(uintptr_t kernel_stack_top, uintptr_t pc, uintptr_t sp);
// Leaves the kernel to user mode with every register as frame holds them; a frame user mode
// cannot take ends the process (kernel::kill_current_process), as enter_user does.
[[noreturn]] void resume_user_frame(const UserFrame& frame);
// The frame the calling thread's system call will return through, on its kernel stack: what
// is changed there is what user mode resumes with (Linux's rt_sigreturn).
UserFrame* syscall_frame(uintptr_t kernel_stack_top);

// A user thread's registers in a frame, by name (x86_64's), for a Linux signal frame that
// saves them in user memory and restores them (kernel/linux/linux_signal.cc).
struct UserRegisters {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, rflags;
  uint64_t trap;   // the exception's number, or kTrapSyscall
  uint64_t error;  // the exception's error code
};
inline constexpr uint64_t kTrapSyscall = 0x100;
// The bytes of the system call instruction: a call restarted resumes this far back.
inline constexpr uint64_t kSyscallInstructionBytes = 2;
void user_registers(const UserFrame& frame, UserRegisters* out);
// Writes regs into frame, all but the flags user code may not change (interrupts, I/O
// privilege, virtual-8086 and the others stay as frame had them) and the selectors (always
// user mode's). Returns false, changing nothing, when rip is not a user address (a
// non-canonical one would fault in the kernel at iretq).
bool set_user_registers(UserFrame* frame, const UserRegisters& regs);

// The CPU's basic feature flags, as Linux reports them to programs in AT_HWCAP (on x86_64,
// CPUID leaf 1's EDX).
uint64_t cpu_feature_word();

// ---- thread-local storage ------------------------------------------------------------------
// The base of the segment user code addresses its thread-local storage through (on x86_64,
// FS), per user thread: the scheduler loads the next user thread's at each switch. 0 for
// threads that never set one. Only canonical user addresses are valid (kUserTop).
void set_user_tls_base(uint64_t base);

// ---- floating point and SIMD --------------------------------------------------------------
// The FPU/SIMD registers belong to user threads only (the kernel never touches them); they
// are saved and loaded by the scheduler (kernel/fpu.h).
inline constexpr size_t kFpuStateAlign = 64;
inline constexpr size_t kFpuStateMaxBytes = 1024;  // x87, SSE and AVX: 832 bytes
// Turns the FPU on for user code.
void fpu_init();
// Fills area (kFpuStateMaxBytes) with the state a new thread starts in.
void fpu_initial_state(void* area);
// Stores the registers into area, or loads them from it.
void fpu_save(void* area);
void fpu_load(const void* area);
// The bytes fpu_save writes (512 for FXSAVE's legacy area; XSAVE's size for the components
// it saves), and those components (XCR0; 0 without XSAVE).
size_t fpu_state_bytes();
uint64_t fpu_xfeatures();
// Whether area, state given by user code (a Linux signal frame's), can be loaded without
// a fault in the kernel: MXCSR's reserved bits clear. The XSAVE header is made loadable
// (components not enabled dropped, the compacted form and reserved bytes cleared).
bool fpu_state_make_loadable(void* area);

// ---- diagnostics -------------------------------------------------------------------------
// Return addresses of the callers, innermost first, starting from the caller of this one.
size_t backtrace(uintptr_t* out, size_t max);
size_t backtrace_from(uintptr_t frame, uintptr_t* out, size_t max);

// ---- power -------------------------------------------------------------------------------
// The machine's own way to reset when ACPI has none (on a PC: the legacy reset ports, then a
// triple fault).
[[noreturn]] void reset_fallback();
// Ends the emulator with a status for tests (QEMU's isa-debug-exit on a PC: 2*code+1); returns
// where the machine has no such device.
void debug_exit(uint8_t code);
// Accesses to ACPI's "system I/O" address space, which register descriptions may name (the
// PC's I/O ports; a machine without one never sees such a register).
void io_write(uint16_t port, uint32_t value, unsigned width_bytes);
uint32_t io_read(uint16_t port, unsigned width_bytes);
// The ACPI root pointer found by scanning firmware memory, or 0.
uintptr_t find_acpi_rsdp();

}  // namespace arch

#include "irq_inline.h"  // kernel/arch/<cpu>/: the inline definitions above
