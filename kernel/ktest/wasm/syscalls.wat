;; Syscalls with good and bad pointers. Sends the four results as one Data message of 32
;; bytes on the channel in startup handle 1, then exits with 7:
;;   log_write of 5 bytes in memory, log_write running past the end of memory,
;;   thread_create (not for wasm), channel_send of a MessageBuffer past the end of memory.
(module
  (import "stellina" "syscall" (func $sys (param i32 i64 i64 i64 i64 i64 i64) (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (func (export "stellina_startup_block") (result i32) (i32.const 1024))
  (func $log (result i64) (i64.load32_u (i32.const 1032)))
  (func $channel (result i64) (i64.load32_u (i32.const 1036)))
  (func (export "stellina_main") (result i64)
    (i64.store (i32.const 2048) (call $sys (i32.const 0) (call $log) (i64.const 16) (i64.const 5)
      (i64.const 0) (i64.const 0) (i64.const 0)))
    (i64.store (i32.const 2056) (call $sys (i32.const 0) (call $log) (i64.const 65530)
      (i64.const 100) (i64.const 0) (i64.const 0) (i64.const 0)))
    (i64.store (i32.const 2064) (call $sys (i32.const 21) (i64.const 0) (i64.const 0)
      (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))
    (i64.store (i32.const 2072) (call $sys (i32.const 5) (call $channel) (i64.const 65520)
      (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))
    ;; A wasm32 MessageBuffer at 3000: kind Data (4), data at 2048, 32 bytes.
    (i32.store (i32.const 3000) (i32.const 4))
    (i32.store (i32.const 3016) (i32.const 2048))
    (i32.store (i32.const 3020) (i32.const 32))
    (drop (call $sys (i32.const 5) (call $channel) (i64.const 3000) (i64.const 0) (i64.const 0)
      (i64.const 0) (i64.const 0)))
    (i64.const 7)))
