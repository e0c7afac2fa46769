# Quoting: single, double, backslashes, and what each leaves alone.
echo 'single $HOME `x` "quoted"'
echo "double: one  two   three"
echo a\ b "c\"d" 'e'\''f'
x='a   b'
echo $x
echo "$x"
echo "\$x is \\ and \`"
echo '' "" x
printf '%s|' "" '' a "$x" $x; echo
printf '%s|' a"b"'c'd; echo
echo "tab	inside"
echo # a comment
echo not#a#comment
echo "multi
line"
empty=
printf '[%s]' $empty "$empty"; echo
