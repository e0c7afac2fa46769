# Constructs inside constructs.
for i in 1 2; do
  case $i in
    1) if [ $i = 1 ]; then
         for j in a b; do
           while read k; do echo "$i $j $k"; done <<EOF
line-$j
EOF
         done
       fi ;;
    2) { echo "group $i"; (echo "subshell $i"; echo "$(echo "subst $i")"); } ;;
  esac
done
f() {
  case "$1" in
    *.txt) echo "text $1" ;;
    *) echo "other $1" ;;
  esac
}
for n in a.txt b.sh; do f $n; done | sort -r
x=$(for i in 1 2 3; do echo $i; done | tr '\n' ,)
echo "$x"
if echo yes | grep -q y && [ "$(echo a)" = a ]; then echo compound-condition; fi
total=0
for n in $(seq 1 10); do
  if [ $((n % 2)) -eq 0 ]; then total=$((total + n)); fi
done
echo "even sum $total"
echo "$(echo "$(echo "$(echo triple)")")"
( ( ( echo deep subshell ) ) )
{ { { echo deep group; }; }; }
v=$( (echo sub-in-subst) )
echo $v
while true; do
  while true; do
    break 2
  done
done
echo out of both
fib() {
  if [ $1 -le 1 ]; then echo $1; return; fi
  echo $(( $(fib $(($1 - 1))) + $(fib $(($1 - 2))) ))
}
fib 10
