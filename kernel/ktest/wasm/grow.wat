;; Grows its memory a page at a time until memory.grow fails (the silo's quota, or the
;; component limit), touching each new page, and exits with the number of pages it has.
(module
  (memory (export "memory") 1)
  (func (export "stellina_startup_block") (result i32) (i32.const 1024))
  (func (export "stellina_main") (result i64)
    (local $old i32)
    (block $done
      (loop $more
        (local.set $old (memory.grow (i32.const 1)))
        (br_if $done (i32.eq (local.get $old) (i32.const -1)))
        (i32.store (i32.mul (local.get $old) (i32.const 65536)) (i32.const 1))
        (br $more)))
    (i64.extend_i32_u (memory.size))))
