# Odds and ends: special parameters, IFS and "$*", redirection order, exec, set.
set -- a b c
IFS=,
echo "$*"
echo $*
unset IFS
echo "$*"
f() { echo "$# [$*]"; }
f
f ""
f "$@"
f "$*"
x=$(false) y=set; echo "status $? y=$y"
echo "$(true)$(false)" "$?"
: ${defaulted:=value}; echo $defaulted
echo ${#defaulted}
case "$-" in *f*) echo f-on ;; *) echo f-off ;; esac
set -f; case "$-" in *f*) echo f-on ;; esac; set +f
ls /nonexistent_dir 2>&1 >/dev/null | wc -l
ls /nonexistent_dir >/dev/null 2>&1 | wc -l
{ echo one; echo two >&2; } 2>/dev/null
(exec >exec-out.txt; echo into-file; echo also)
cat exec-out.txt
v=1
v=2 true
echo "v=$v"
unset -v v; echo "[${v-unset}]"
a=1 b=2; echo $a$b
echo "${unset_var:-}" "${unset_var:+x}" end
echo $(( 010 + 0x10 ))
echo "$(( 1 ))$(( 2 ))"
n=0; until [ $n -ge 3 ]; do n=$((n+1)); done; echo "n=$n"
str="hello world"
echo ${str#* } ${str% *}
echo "${str}" | tr ' ' '\n' | wc -l
for i in $(seq 3); do printf '%s,' $i; done; echo
set -- "a b" c
for arg; do echo "[$arg]"; done
echo "${1}x" "${2}y"
echo $((${#1} + ${#2}))
q="quoted 'single' inside"
echo "$q"
echo "a"'b'"c"
echo \$ \' \" \\ 
printf '%s\n' "back\\slash"
echo -- -n
eval "set -- 1 2 3"; echo $#
