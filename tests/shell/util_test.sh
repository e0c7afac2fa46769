# test and [: strings, integers, files, ! -a -o and parentheses, errors.
t() { "$@"; echo "$* -> $?"; }
printf 'data\n' > /tmp/util_test_full
: > /tmp/util_test_empty
t test
t test ''
t test x
t test -n ''
t test -z ''
t test abc = abc
t test abc != abc
t test a '<' b
t test b '>' c
t test 5 -eq 5
t test 5 -ne 5
t test -3 -lt 2
t test 10 -le 9
t test 10 -gt 9
t test 7 -ge 8
t test ! x
t test ! ''
t test x -a ''
t test x -o ''
t test '(' x ')'
t test x -a y -o ''
t test '' -a y -o z
t test ! '(' a = b ')' -a 1 -eq 1
t [ x = x ]
t [ 1 -gt 2 ]
t [ ! -n x ]
t test -e /tmp/util_test_full
t test -e /tmp/util_test_none
t test -f /tmp/util_test_full
t test -f /tmp
t test -d /tmp
t test -s /tmp/util_test_full
t test -s /tmp/util_test_empty
t test -r /tmp/util_test_full
t test -L /tmp/util_test_full
t test -p /tmp/util_test_full
t test -d /tmp -a -f /tmp/util_test_full
t test abc -eq 1 2>/tmp/util_test_err
t test 1 -eq 2>/tmp/util_test_err
t test a b 2>/tmp/util_test_err
t [ x 2>/tmp/util_test_err
