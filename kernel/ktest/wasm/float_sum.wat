;; Sums i*i for i below 100,000 twice, in f64 and in i64, and exits with their difference
;; (0 when the FPU state was kept across every preemption: the float sum is exact, below
;; 2^53). The loop is long enough to be preempted many times under QEMU.
(module
  (import "stellina" "syscall" (func $sys (param i32 i64 i64 i64 i64 i64 i64) (result i64)))
  (memory (export "memory") 1)
  (func (export "stellina_startup_block") (result i32) (i32.const 1024))
  (func (export "stellina_main") (result i64)
    (local $i i64) (local $int i64) (local $float f64)
    (loop $next
      (local.set $int (i64.add (local.get $int) (i64.mul (local.get $i) (local.get $i))))
      (local.set $float (f64.add (local.get $float)
        (f64.mul (f64.convert_i64_u (local.get $i)) (f64.convert_i64_u (local.get $i)))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $next (i64.lt_u (local.get $i) (i64.const 100000))))
    (i64.sub (i64.trunc_f64_u (local.get $float)) (local.get $int))))
