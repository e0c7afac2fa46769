;; A trap chosen by the number of startup handles it is given: 1, unreachable; 2, a load past
;; the end of memory; 3, unbounded recursion (call stack exhausted); 4, a loop that never
;; ends and never calls the host (only a kill ends it).
(module
  (memory (export "memory") 1)
  (func (export "stellina_startup_block") (result i32) (i32.const 1024))
  (func $recurse (result i64) (i64.add (call $recurse) (i64.const 1)))
  (func (export "stellina_main") (result i64)
    (block $forever
      (block $recursion
        (block $out_of_bounds
          (block $unreachable
            (br_table $unreachable $unreachable $out_of_bounds $recursion $forever
              (i32.load (i32.const 1024))))
          (unreachable))
        (return (i64.load (i32.const 65533))))
      (return (call $recurse)))
    (loop $again (br $again))
    (i64.const 0)))
