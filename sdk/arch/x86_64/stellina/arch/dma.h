#pragma once
// Ordering between plain stores to DMA memory and the device, on x86_64.

namespace stellina::arch {

// Keeps memory accesses from moving across it: plain stores to DMA memory (buffers,
// descriptors) before the register write that hands them to the device, and the device's
// status before the data it describes. x86 keeps stores in order and its DMA is coherent, so
// only the compiler needs holding back; a CPU with weaker ordering puts a fence here.
inline void dma_barrier() { asm volatile("" ::: "memory"); }

}  // namespace stellina::arch
