# Builtins: cd, pwd, export, unset, read, shift, set, eval, exec, ., true, false, :.
mkdir -p dir/inner
cd dir
pwd | sed "s|$HOME|HOME|"
cd inner
echo "$PWD" | sed "s|$HOME|HOME|"
cd ..
cd -  | sed "s|$HOME|HOME|"
echo "$OLDPWD" | sed "s|$HOME|HOME|"
cd
pwd | sed "s|$HOME|HOME|"
cd dir/inner/../..
pwd | sed "s|$HOME|HOME|"
X=not-exported
sh -c 'echo "child sees [$X]"'
export X
sh -c 'echo "child sees [$X]"'
export Y=direct
sh -c 'echo "child sees [$Y]"'
Z=prefix sh -c 'echo "prefix [$Z]"'
echo "after prefix [$Z]"
unset X
echo "unset [$X]"
sh -c 'echo "child after unset [$X]"'
read a b <<EOF
first second third
EOF
echo "a=$a b=$b"
read -r line <<'EOF'
back\slash
EOF
echo "$line"
read line <<'EOF'
back\slash
EOF
echo "$line"
IFS=: read x y <<EOF
1:2:3
EOF
echo "x=$x y=$y"
echo "IFS back: [$IFS]" | od -c | head -1
read one two
echo "stdin: $one / $two"
read rest
echo "stdin: $rest"
read gone; echo "eof status $? [$gone]"
set -- a b c d
shift
echo "$@"
shift 2
echo "$@"
set -- x y
echo $#
eval 'echo eval-ran; v=from-eval'
echo $v
cmd='echo composed'
eval "$cmd" "args"
echo 'echo sourced; sourced_var=yes' > lib.sh
. ./lib.sh
echo "sourced_var=$sourced_var"
true; echo $?
false; echo $?
: anything; echo $?
set -x
echo traced 2>/dev/null
set +x
(exec echo exec-replaces; echo never)
echo "exec status $?"
(exec sh -c 'exit 5'); echo "exec exit $?"
sh -c 'exit 4'; echo "sh -c status $?"
echo $((1+1)) > calc.txt; read n < calc.txt; echo "n=$n"
echo "$-" | grep -q x || echo "x is off"
readonly RO=fixed
echo "$RO"
export -p | grep -c 'export Y=' 
unset -v Y
echo "[${Y-unset}]"
