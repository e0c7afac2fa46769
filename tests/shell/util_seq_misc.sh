# seq, basename, dirname, true, false, date with fixed times.
seq 5
seq 3 6
seq 1 3 10
seq 5 -2 0
seq -2 2
seq -s , 1 4
seq -w 8 11
seq -w -1 1
seq 1 0.5 3
seq 0 0.25 1
seq 5 1
echo "status $?"
basename /usr/lib/libc.so
basename /usr/lib/
basename file.txt .txt
basename .txt .txt
basename -a /a/b /c/d/
basename -s .c x.c /y/z.c
dirname /usr/lib/libc.so
dirname libc.so
dirname /
dirname a/b/ /c
true
echo "true $?"
false
echo "false $?"
date -u -d @0
date -u -d @1796558400 '+%Y-%m-%d %H:%M:%S %j %a %A %b %B %e %y %s'
date -u -d @1709251199 '+%F %T %D %Z %z %u %w %p %I %%'
date -u -d '2026-12-06 12:00' +%s
