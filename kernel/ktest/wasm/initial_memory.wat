;; Declares 32 pages (2 MiB) of linear memory at start: more than the 1 MiB silo the test
;; gives it, so it is refused before it runs (stellina_main would exit with 7).
(module
  (memory (export "memory") 32)
  (func (export "stellina_startup_block") (result i32) (i32.const 1024))
  (func (export "stellina_main") (result i64) (i64.const 7)))
