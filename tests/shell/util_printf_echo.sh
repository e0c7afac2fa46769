# echo and printf: options, conversions, reuse of the format, escapes, bad numbers.
echo hello world
echo -n no newline; echo
echo a   b '' c
printf '%s-%s\n' a b c d
printf '%5d|%-5d|%05d|%+d|%.3d\n' 42 42 42 7 5
printf '%x %o %X %u\n' 255 8 255 7
printf '%d %d %d %i\n' 0x1f 017 "'A" -12
printf '%b|\n' 'a\tb' 'c\0101'
printf '%c%c\n' hello world
printf '%.3s|%5s|%-5s|\n' abcdef ab cd
printf '%*d|%-*d|\n' 4 7 3 8
printf 'a\\b\101\n'
printf '%%|%s|\n'
printf '%.2f %.1f %5.1f\n' 3.14159 2.25 9.96
printf '%d\n' 12abc 2>/tmp/util_printf_err
echo "status $?"
printf 'x%dy\n' abc 2>/tmp/util_printf_err
echo "status $?"
printf 'before\n' && printf '%b' 'stop\c' never
echo
