# Command substitution.
echo $(echo hello)
echo "$(echo "nested $(echo deeper)")"
x=$(printf 'a\nb\n\n\n')
echo "[$x]"
echo `echo backquote`
echo "`echo bq in dq`"
echo `echo \`echo nested bq\``
echo $(echo a; echo b)
echo "$(echo a; echo b)"
y=$(echo 'single )paren')
echo "$y"
z=$(case x in x) echo case-in-subst ;; esac)
echo $z
count=$(printf '1\n2\n3\n' | wc -l)
echo $count
echo $(( $(echo 2) + $(echo 3) ))
v=outer
w=$(v=inner; echo $v)
echo $v $w
echo $(exit 3) $?
files=$(echo a b c)
set -- $files
echo $#
echo "$(cd /; pwd)" "$(pwd | sed "s|$HOME|HOME|")"
echo $(echo "  spaced   out  ")
echo "$(echo "  spaced   out  ")"
