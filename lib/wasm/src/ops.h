#pragma once
// The interpreter's internal instruction set. A translated function is an array of 32-bit
// words: an instruction (stored as its handler's address, relative to the interpreter's first
// handler: Interpreter::handlers()), then its operands. An operand is a frame slot index (the frame
// is an array of 64-bit slots: parameters, locals, constants, then the operand stack), an
// immediate, or a code offset (branch targets are resolved at translation). Numeric
// instructions name their sources and destination slots directly, so `local.get`,
// constants and most copies cost no instruction of their own.

#include <stdint.h>

namespace wasm {

// Numeric instructions that map one wasm opcode to one internal one: X(Name, wasm opcode,
// operand type, result type). I: integer or bit operations. F: they compute with floating
// point (a build without it traps on them). T: they can trap.
#define WASM_UNARY_I(X)            \
  X(I32Eqz, 0x45, I32, I32)        \
  X(I64Eqz, 0x50, I64, I32)        \
  X(I32Clz, 0x67, I32, I32)        \
  X(I32Ctz, 0x68, I32, I32)        \
  X(I32Popcnt, 0x69, I32, I32)     \
  X(I64Clz, 0x79, I64, I64)        \
  X(I64Ctz, 0x7A, I64, I64)        \
  X(I64Popcnt, 0x7B, I64, I64)     \
  X(F32Abs, 0x8B, F32, F32)        \
  X(F32Neg, 0x8C, F32, F32)        \
  X(F64Abs, 0x99, F64, F64)        \
  X(F64Neg, 0x9A, F64, F64)        \
  X(I32WrapI64, 0xA7, I64, I32)    \
  X(I64ExtendI32S, 0xAC, I32, I64) \
  X(I64ExtendI32U, 0xAD, I32, I64) \
  X(I32Extend8S, 0xC0, I32, I32)   \
  X(I32Extend16S, 0xC1, I32, I32)  \
  X(I64Extend8S, 0xC2, I64, I64)   \
  X(I64Extend16S, 0xC3, I64, I64)  \
  X(I64Extend32S, 0xC4, I64, I64)

#define WASM_BINARY_I(X)         \
  X(I32Eq, 0x46, I32, I32)       \
  X(I32Ne, 0x47, I32, I32)       \
  X(I32LtS, 0x48, I32, I32)      \
  X(I32LtU, 0x49, I32, I32)      \
  X(I32GtS, 0x4A, I32, I32)      \
  X(I32GtU, 0x4B, I32, I32)      \
  X(I32LeS, 0x4C, I32, I32)      \
  X(I32LeU, 0x4D, I32, I32)      \
  X(I32GeS, 0x4E, I32, I32)      \
  X(I32GeU, 0x4F, I32, I32)      \
  X(I64Eq, 0x51, I64, I32)       \
  X(I64Ne, 0x52, I64, I32)       \
  X(I64LtS, 0x53, I64, I32)      \
  X(I64LtU, 0x54, I64, I32)      \
  X(I64GtS, 0x55, I64, I32)      \
  X(I64GtU, 0x56, I64, I32)      \
  X(I64LeS, 0x57, I64, I32)      \
  X(I64LeU, 0x58, I64, I32)      \
  X(I64GeS, 0x59, I64, I32)      \
  X(I64GeU, 0x5A, I64, I32)      \
  X(I32Add, 0x6A, I32, I32)      \
  X(I32Sub, 0x6B, I32, I32)      \
  X(I32Mul, 0x6C, I32, I32)      \
  X(I32And, 0x71, I32, I32)      \
  X(I32Or, 0x72, I32, I32)       \
  X(I32Xor, 0x73, I32, I32)      \
  X(I32Shl, 0x74, I32, I32)      \
  X(I32ShrS, 0x75, I32, I32)     \
  X(I32ShrU, 0x76, I32, I32)     \
  X(I32Rotl, 0x77, I32, I32)     \
  X(I32Rotr, 0x78, I32, I32)     \
  X(I64Add, 0x7C, I64, I64)      \
  X(I64Sub, 0x7D, I64, I64)      \
  X(I64Mul, 0x7E, I64, I64)      \
  X(I64And, 0x83, I64, I64)      \
  X(I64Or, 0x84, I64, I64)       \
  X(I64Xor, 0x85, I64, I64)      \
  X(I64Shl, 0x86, I64, I64)      \
  X(I64ShrS, 0x87, I64, I64)     \
  X(I64ShrU, 0x88, I64, I64)     \
  X(I64Rotl, 0x89, I64, I64)     \
  X(I64Rotr, 0x8A, I64, I64)     \
  X(F32Copysign, 0x98, F32, F32) \
  X(F64Copysign, 0xA6, F64, F64)

#define WASM_BINARY_T(X)     \
  X(I32DivS, 0x6D, I32, I32) \
  X(I32DivU, 0x6E, I32, I32) \
  X(I32RemS, 0x6F, I32, I32) \
  X(I32RemU, 0x70, I32, I32) \
  X(I64DivS, 0x7F, I64, I64) \
  X(I64DivU, 0x80, I64, I64) \
  X(I64RemS, 0x81, I64, I64) \
  X(I64RemU, 0x82, I64, I64)

#define WASM_UNARY_F(X) WASM_UNARY_F_PLAIN(X) WASM_UNARY_F_SAT(X)

#define WASM_UNARY_F_PLAIN(X)       \
  X(F32Ceil, 0x8D, F32, F32)        \
  X(F32Floor, 0x8E, F32, F32)       \
  X(F32Trunc, 0x8F, F32, F32)       \
  X(F32Nearest, 0x90, F32, F32)     \
  X(F32Sqrt, 0x91, F32, F32)        \
  X(F64Ceil, 0x9B, F64, F64)        \
  X(F64Floor, 0x9C, F64, F64)       \
  X(F64Trunc, 0x9D, F64, F64)       \
  X(F64Nearest, 0x9E, F64, F64)     \
  X(F64Sqrt, 0x9F, F64, F64)        \
  X(F32ConvertI32S, 0xB2, I32, F32) \
  X(F32ConvertI32U, 0xB3, I32, F32) \
  X(F32ConvertI64S, 0xB4, I64, F32) \
  X(F32ConvertI64U, 0xB5, I64, F32) \
  X(F32DemoteF64, 0xB6, F64, F32)   \
  X(F64ConvertI32S, 0xB7, I32, F64) \
  X(F64ConvertI32U, 0xB8, I32, F64) \
  X(F64ConvertI64S, 0xB9, I64, F64) \
  X(F64ConvertI64U, 0xBA, I64, F64) \
  X(F64PromoteF32, 0xBB, F32, F64)

#define WASM_UNARY_F_SAT(X)            \
  X(I32TruncSatF32S, 0xFC00, F32, I32) \
  X(I32TruncSatF32U, 0xFC01, F32, I32) \
  X(I32TruncSatF64S, 0xFC02, F64, I32) \
  X(I32TruncSatF64U, 0xFC03, F64, I32) \
  X(I64TruncSatF32S, 0xFC04, F32, I64) \
  X(I64TruncSatF32U, 0xFC05, F32, I64) \
  X(I64TruncSatF64S, 0xFC06, F64, I64) \
  X(I64TruncSatF64U, 0xFC07, F64, I64)

#define WASM_BINARY_F(X)    \
  X(F32Eq, 0x5B, F32, I32)  \
  X(F32Ne, 0x5C, F32, I32)  \
  X(F32Lt, 0x5D, F32, I32)  \
  X(F32Gt, 0x5E, F32, I32)  \
  X(F32Le, 0x5F, F32, I32)  \
  X(F32Ge, 0x60, F32, I32)  \
  X(F64Eq, 0x61, F64, I32)  \
  X(F64Ne, 0x62, F64, I32)  \
  X(F64Lt, 0x63, F64, I32)  \
  X(F64Gt, 0x64, F64, I32)  \
  X(F64Le, 0x65, F64, I32)  \
  X(F64Ge, 0x66, F64, I32)  \
  X(F32Add, 0x92, F32, F32) \
  X(F32Sub, 0x93, F32, F32) \
  X(F32Mul, 0x94, F32, F32) \
  X(F32Div, 0x95, F32, F32) \
  X(F32Min, 0x96, F32, F32) \
  X(F32Max, 0x97, F32, F32) \
  X(F64Add, 0xA0, F64, F64) \
  X(F64Sub, 0xA1, F64, F64) \
  X(F64Mul, 0xA2, F64, F64) \
  X(F64Div, 0xA3, F64, F64) \
  X(F64Min, 0xA4, F64, F64) \
  X(F64Max, 0xA5, F64, F64)

#define WASM_UNARY_FT(X)          \
  X(I32TruncF32S, 0xA8, F32, I32) \
  X(I32TruncF32U, 0xA9, F32, I32) \
  X(I32TruncF64S, 0xAA, F64, I32) \
  X(I32TruncF64U, 0xAB, F64, I32) \
  X(I64TruncF32S, 0xAE, F32, I64) \
  X(I64TruncF32U, 0xAF, F32, I64) \
  X(I64TruncF64S, 0xB0, F64, I64) \
  X(I64TruncF64U, 0xB1, F64, I64)

// Loads and stores: X(Name, wasm opcode, value type, bytes accessed, natural alignment log2).
#define WASM_LOADS(X)            \
  X(I32Load, 0x28, I32, 4, 2)    \
  X(I64Load, 0x29, I64, 8, 3)    \
  X(F32Load, 0x2A, F32, 4, 2)    \
  X(F64Load, 0x2B, F64, 8, 3)    \
  X(I32Load8S, 0x2C, I32, 1, 0)  \
  X(I32Load8U, 0x2D, I32, 1, 0)  \
  X(I32Load16S, 0x2E, I32, 2, 1) \
  X(I32Load16U, 0x2F, I32, 2, 1) \
  X(I64Load8S, 0x30, I64, 1, 0)  \
  X(I64Load8U, 0x31, I64, 1, 0)  \
  X(I64Load16S, 0x32, I64, 2, 1) \
  X(I64Load16U, 0x33, I64, 2, 1) \
  X(I64Load32S, 0x34, I64, 4, 2) \
  X(I64Load32U, 0x35, I64, 4, 2)

#define WASM_STORES(X)           \
  X(I32Store, 0x36, I32, 4, 2)   \
  X(I64Store, 0x37, I64, 8, 3)   \
  X(F32Store, 0x38, F32, 4, 2)   \
  X(F64Store, 0x39, F64, 8, 3)   \
  X(I32Store8, 0x3A, I32, 1, 0)  \
  X(I32Store16, 0x3B, I32, 2, 1) \
  X(I64Store8, 0x3C, I64, 1, 0)  \
  X(I64Store16, 0x3D, I64, 2, 1) \
  X(I64Store32, 0x3E, I64, 4, 2)

// An i32 operation whose right operand is a constant, as an immediate: X(Name, operation).
// Operands: dst a imm.
#define WASM_BINARY_IMM(X) \
  X(I32AndImm, I32And)     \
  X(I32OrImm, I32Or)       \
  X(I32XorImm, I32Xor)     \
  X(I32ShlImm, I32Shl)     \
  X(I32ShrSImm, I32ShrS)   \
  X(I32ShrUImm, I32ShrU)   \
  X(I32MulImm, I32Mul)

// The other internal instructions, with their operands.
#define WASM_CONTROL_OPS(X)                                                      \
  X(Unreachable)  /* */                                                          \
  X(Br)           /* target */                                                   \
  X(BrIf)         /* cond target */                                              \
  X(BrUnless)     /* cond target */                                              \
  X(BrTable)      /* index count target*count default */                         \
  X(Return)       /* */                                                          \
  X(Copy)         /* dst src */                                                  \
  X(Const32)      /* dst value */                                                \
  X(Const64)      /* dst low high */                                             \
  X(Call)         /* defined-function arg-base */                                \
  X(CallImport)   /* function arg-base */                                        \
  X(CallIndirect) /* type table arg-base index */                                \
  X(Select)       /* dst a b cond */                                             \
  X(GlobalGet)    /* dst global */                                               \
  X(GlobalSet)    /* global src */                                               \
  X(MemorySize)   /* dst */                                                      \
  X(MemoryGrow)   /* dst delta */                                                \
  X(MemoryInit)   /* segment d s n */                                            \
  X(DataDrop)     /* segment */                                                  \
  X(MemoryCopy)   /* d s n */                                                    \
  X(MemoryFill)   /* d value n */                                                \
  X(TableGet)     /* dst table index */                                          \
  X(TableSet)     /* table index value */                                        \
  X(TableSize)    /* dst table */                                                \
  X(TableGrow)    /* dst table init n */                                         \
  X(TableFill)    /* table i value n */                                          \
  X(TableCopy)    /* dst-table src-table d s n */                                \
  X(TableInit)    /* table segment d s n */                                      \
  X(ElemDrop)     /* segment */                                                  \
  X(RefFunc)      /* dst function */                                             \
  X(Fuel)         /* */                                                          \
  X(BrIfI32Eqz)   /* cond target: branch when cond is zero (same as BrUnless) */ \
  X(BrIfI32LtS)   /* a b target */                                               \
  X(BrIfI32LtU)   /* a b target */                                               \
  X(BrIfI32GeS)   /* a b target */                                               \
  X(BrIfI32GeU)   /* a b target */                                               \
  X(BrIfI32GtS)   /* a b target */                                               \
  X(BrIfI32GtU)   /* a b target */                                               \
  X(BrIfI32LeS)   /* a b target */                                               \
  X(BrIfI32LeU)   /* a b target */                                               \
  X(BrIfI32Eq)    /* a b target */                                               \
  X(BrIfI32Ne)    /* a b target */                                               \
  X(I32AddImm)    /* dst a imm */                                                \
  X(I64AddImm)    /* dst a imm(sign-extended 32) */

enum Op : uint32_t {
#define WASM_OP_ENUM(name, ...) k##name,
#define WASM_OP_ENUM1(name) k##name,
  WASM_CONTROL_OPS(WASM_OP_ENUM1) WASM_UNARY_I(WASM_OP_ENUM) WASM_BINARY_I(WASM_OP_ENUM)
      WASM_BINARY_T(WASM_OP_ENUM) WASM_UNARY_F(WASM_OP_ENUM) WASM_BINARY_F(WASM_OP_ENUM)
          WASM_UNARY_FT(WASM_OP_ENUM) WASM_LOADS(WASM_OP_ENUM) WASM_STORES(WASM_OP_ENUM)
              WASM_BINARY_IMM(WASM_OP_ENUM)
#undef WASM_OP_ENUM
#undef WASM_OP_ENUM1
                  kOpCount
};

}  // namespace wasm
