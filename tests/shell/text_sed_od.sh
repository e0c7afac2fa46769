# sed, od, expr and the small text commands (rev, nl, paste, comm, fold).
LC_ALL=C
export LC_ALL
printf 'one\ntwo\nthree\nfour\nfive\n' > /tmp/text_sed_5.txt
printf 'key=value\nname = Stellina\n# comment\n\nlast=1' > /tmp/text_sed_conf.txt
echo '== sed'
sed -n '2,4p' /tmp/text_sed_5.txt; echo "status $?"
sed '2d;4q' /tmp/text_sed_5.txt; echo "status $?"
sed -n '/^t/p' /tmp/text_sed_5.txt; echo "status $?"
sed 's/o/0/g;s/e/E/2' /tmp/text_sed_5.txt; echo "status $?"
sed -e 's/^/[/' -e 's/$/]/' /tmp/text_sed_5.txt; echo "status $?"
sed -E 's/^([a-z]+) *= *(.*)$/\2 <- \1/' /tmp/text_sed_conf.txt; echo "status $?"
sed 's/\(.*\)=\(.*\)/\2=\1/;/^#/d;/^$/d' /tmp/text_sed_conf.txt; echo "status $?"
sed -n '$=' /tmp/text_sed_5.txt; echo "status $?"
sed '1!G;h;$!d' /tmp/text_sed_5.txt; echo "status $?"
sed -n '$!N;s/\n/ + /p' /tmp/text_sed_5.txt; echo "status $?"
sed ':a;N;$!ba;s/\n/,/g' /tmp/text_sed_5.txt; echo "status $?"
sed '/two/,/four/{s/^/  /;/three/d}' /tmp/text_sed_5.txt; echo "status $?"
sed '0,/o/s/o/O/' /tmp/text_sed_5.txt; echo "status $?"
sed -n '1~2p' /tmp/text_sed_5.txt; echo "status $?"
sed '2i\
inserted
4a appended
$c\
changed' /tmp/text_sed_5.txt; echo "status $?"
sed 'y/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJKLMNOPQRSTUVWXYZ/' /tmp/text_sed_5.txt; echo "status $?"
sed 's/e/\n/;P;D' /tmp/text_sed_5.txt; echo "status $?"
sed -n 'l' /tmp/text_sed_conf.txt; echo "status $?"
printf 'a\tb\001\n' | sed -n l; echo "status $?"
echo 'hello world' | sed 's/\w\+/\u&/g'; echo "status $?"
echo 'Hello World' | sed -E 's/(\w+) (\w+)/\U\2\E \L\1/'; echo "status $?"
echo 'baaac' | sed 's/a*/x/g'; echo "status $?"
echo 'path/to/file' | sed 's|/|\\|g'; echo "status $?"
echo 'abc' | sed 's/b/[&]/;s/c/\&/'; echo "status $?"
echo 'aaa' | sed 's/a/b/3'; echo "status $?"
echo 'x' | sed 's/x/a/;ta;s/$/-no/;:a;s/$/-end/'; echo "status $?"
echo 'x' | sed -n '/x/{p;p}'; echo "status $?"
sed '3q5' /tmp/text_sed_5.txt; echo "status $?"
sed 2Q /tmp/text_sed_5.txt; echo "status $?"
printf 'no newline' | sed p; echo; echo "status $?"
printf '#n\n/f/p\n' > /tmp/text_sed_script.sed
sed -f /tmp/text_sed_script.sed /tmp/text_sed_5.txt; echo "status $?"
sed -s -n '$p' /tmp/text_sed_5.txt /tmp/text_sed_conf.txt; echo; echo "status $?"
cp /tmp/text_sed_5.txt /tmp/text_sed_edit.txt
sed -i 's/five/5/;1d' /tmp/text_sed_edit.txt; echo "status $?"
cat /tmp/text_sed_edit.txt
sed -n 'w /tmp/text_sed_w.txt' /tmp/text_sed_5.txt; cat /tmp/text_sed_w.txt; echo "status $?"
sed 'p' /tmp/nonexistent_file_sed /tmp/text_sed_5.txt 2>/dev/null | head -2; echo "status $?"
sed 's/a/b' 2>&1; echo "status $?"
sed 'k' 2>&1; echo "status $?"
sed -e p -e 'b nowhere' 2>&1; echo "status $?"
sed 'y/ab/c/' 2>&1; echo "status $?"
echo '== od'
printf 'hello world\n\001\200\377' > /tmp/text_od.bin
od /tmp/text_od.bin; echo "status $?"
od -c /tmp/text_od.bin; echo "status $?"
od -An -c /tmp/text_od.bin; echo "status $?"
od -t x1 /tmp/text_od.bin; echo "status $?"
od -A x -t x1z /tmp/text_od.bin; echo "status $?"
od -A d -t d1 -t c /tmp/text_od.bin; echo "status $?"
od -t a /tmp/text_od.bin; echo "status $?"
od -t u2 -t o4 /tmp/text_od.bin; echo "status $?"
od -x /tmp/text_od.bin; echo "status $?"
od -b -N 4 -j 2 /tmp/text_od.bin; echo "status $?"
od -d /tmp/text_od.bin; echo "status $?"
od -w8 -t x2 /tmp/text_od.bin; echo "status $?"
od -t x8 -t d4 /tmp/text_od.bin; echo "status $?"
printf '%064d' 0 | od -c; echo "status $?"
printf '%064d' 0 | od -v -A n -t x4; echo "status $?"
printf '' | od; echo "status $?"
echo "IFS back: [ 	
]" | od -c | head -1; echo "status $?"
od -t x3 /tmp/text_od.bin 2>&1; echo "status $?"
echo '== expr'
expr 1 + 2; echo "status $?"
expr 7 '*' 6 - 2; echo "status $?"
expr 17 / 5 '+' 17 % 5; echo "status $?"
expr 3 '<' 10; echo "status $?"
expr abc '<' abd; echo "status $?"
expr 5 = 5 '&' 0; echo "status $?"
expr '' '|' fallback; echo "status $?"
expr hello : 'h\(.*\)o'; echo "status $?"
expr hello : '.*'; echo "status $?"
expr hello : 'x'; echo "status $?"
expr length 'some text'; echo "status $?"
expr substr abcdef 2 3; echo "status $?"
expr index abcdef dc; echo "status $?"
expr '(' 2 + 3 ')' '*' 4; echo "status $?"
expr 1 / 0 2>&1; echo "status $?"
expr a + 1 2>&1; echo "status $?"
expr 1 + 2>&1; echo "status $?"
echo '== rev nl paste comm fold'
rev /tmp/text_sed_5.txt; echo "status $?"
printf 'abc\ndef' | rev; echo; echo "status $?"
nl /tmp/text_sed_conf.txt; echo; echo "status $?"
nl -ba -w3 -s': ' /tmp/text_sed_5.txt; echo "status $?"
nl -nrz -v10 -i5 /tmp/text_sed_5.txt; echo "status $?"
printf 'a\nb\nc\n' > /tmp/text_col_1.txt
printf '1\n2\n' > /tmp/text_col_2.txt
paste /tmp/text_col_1.txt /tmp/text_col_2.txt; echo "status $?"
paste -d, /tmp/text_col_1.txt /tmp/text_col_2.txt /tmp/text_col_1.txt; echo "status $?"
paste -s /tmp/text_col_1.txt /tmp/text_col_2.txt; echo "status $?"
paste -sd+ /tmp/text_col_2.txt; echo "status $?"
cat /tmp/text_sed_5.txt | paste - - ; echo "status $?"
printf 'apple\nbanana\ncherry\n' > /tmp/text_comm_1.txt
printf 'banana\ncherry\ndate\n' > /tmp/text_comm_2.txt
comm /tmp/text_comm_1.txt /tmp/text_comm_2.txt; echo "status $?"
comm -12 /tmp/text_comm_1.txt /tmp/text_comm_2.txt; echo "status $?"
comm -3 /tmp/text_comm_1.txt /tmp/text_comm_2.txt; echo "status $?"
comm -23 /tmp/text_comm_1.txt /tmp/text_comm_2.txt; echo "status $?"
echo 'the quick brown fox jumps over the lazy dog' | fold -w 10; echo "status $?"
echo 'the quick brown fox jumps over the lazy dog' | fold -s -w 10; echo "status $?"
printf 'a\tb\tc\n' | fold -w 6; echo "status $?"
printf 'abcdefghij' | fold -b -w 3; echo; echo "status $?"
