# Pipelines, redirections and $?.
echo hello | tr a-z A-Z
printf 'b\na\nc\n' | sort | head -n 2
echo one two three | wc -w
printf 'x\ny\n' | while read line; do echo "got $line"; done
echo in-group | { read v; echo "group read: $v"; }
echo text > out.txt
cat out.txt
echo more >> out.txt
cat out.txt
wc -l < out.txt
ls nonexistent_file 2>/dev/null; echo "ls status $?"
ls nonexistent_file 2>&1 | sed 's/.*nonexistent_file.*/error line/'
{ echo to-stderr >&2; } 2>&1
{ echo a; echo b; } > group.txt
cat group.txt
(echo sub1; echo sub2) | cat
false | true; echo "pipe status $?"
true | false; echo "pipe status $?"
! true | false; echo "negated $?"
echo x | cat | cat | cat | tr x y
cat <<EOF
here document
  with $HOME expansion: $((1 + 1))
EOF
cat <<'EOF'
literal $HOME $((1 + 1))
EOF
cat <<-EOF
	stripped tabs
	EOF
tr a-z A-Z <<EOF | cat
piped here-doc
EOF
cat <<A; cat <<B
first doc
A
second doc
B
exec 3>fd3.txt
echo via-fd3 >&3
cat fd3.txt
echo err 2>err.txt >&2
cat err.txt
echo both > both.txt 2>&1
cat both.txt
: > truncated.txt
wc -c < truncated.txt
echo "$(echo inner | tr a-z A-Z) outer"
read first < out.txt; echo "read from file: $first"
while read l; do echo "line: $l"; done < out.txt
cat < /nonexistent/file
echo "redirect status $?"
echo after-redirect-error
x=$(false); echo "assignment status $?"
x=$(exit 7); echo "assignment status $?"
seq 1 100000 | head -n 2
yes | head -n 3
printf 'c\nb\na\n' | sort | tr '\n' ' '; echo
echo "$(printf 'x\ny\n' | while read v; do echo "[$v]"; done)"
{ echo out; echo err >&2; } > both2.txt 2>&1; sort both2.txt
ls /nonexistent 2>&1 >/dev/null | wc -l
echo to-null > /dev/null
cat < /dev/null; echo "null status $?"
