;; A call server for the IPC benchmark (manual_ipc_bench's call_user_wasm): waits for a
;; message on the channel in startup handle 1 and sends it back with its call id, until the
;; channel's peer closes with nothing queued; then exits with 0. Syscall numbers:
;; channel_send 5, channel_recv 6, object_wait 8 (signals: readable 1, peer closed 4; the
;; signals seen are written at 4000).
(module
  (import "stellina" "syscall" (func $sys (param i32 i64 i64 i64 i64 i64 i64) (result i64)))
  (memory (export "memory") 1)
  (func (export "stellina_startup_block") (result i32) (i32.const 1024))
  (func (export "stellina_main") (result i64)
    (local $channel i64)
    (local.set $channel (i64.load32_u (i32.const 1036)))
    (loop $next
      ;; A wasm32 MessageBuffer at 3000: data at 2048, 64 bytes of room, no handles.
      (i32.store (i32.const 3016) (i32.const 2048))
      (i32.store (i32.const 3020) (i32.const 0))
      (i32.store (i32.const 3024) (i32.const 64))
      (if (i64.ge_s (call $sys (i32.const 6) (local.get $channel) (i64.const 3000) (i64.const 0)
                      (i64.const 0) (i64.const 0) (i64.const 0)) (i64.const 0))
        (then
          (drop (call $sys (i32.const 5) (local.get $channel) (i64.const 3000) (i64.const 0)
            (i64.const 0) (i64.const 0) (i64.const 0)))
          (br $next)))
      ;; Nothing queued: wait until something is, or the peer is gone.
      (drop (call $sys (i32.const 8) (local.get $channel) (i64.const 5) (i64.const 0)
        (i64.const 4000) (i64.const 0) (i64.const 0)))
      (br_if $next (i32.and (i32.load (i32.const 4000)) (i32.const 1))))
    (i64.const 0)))
