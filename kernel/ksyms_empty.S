// The first link's symbol table: empty (see kernel/CMakeLists.txt).
.section .ksyms, "a"
.global ksyms_blob
ksyms_blob:
  .long 0x4d59534b, 0
