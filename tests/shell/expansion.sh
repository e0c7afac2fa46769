# Parameter expansion.
x=hello
echo $x ${x} "${x}world" ${x}_suffix
echo ${#x} ${unset_var:-default} "${unset_var-dash}" ${x:+alt} "[${unset_var:+alt}]"
empty=
echo "[${empty:-was empty}]" "[${empty-not unset}]" "[${empty:+x}]" "[${empty+set}]"
echo ${new:=assigned} $new
echo ${x#h} ${x#*l} ${x##*l} ${x%l*} ${x%%l*} ${x%o}
path=/usr/local/lib/file.tar.gz
echo ${path##*/} ${path%/*} ${path#*.} ${path%%.*}
echo "${path##*/}" "${x#"h"}" ${x#'*'}
set -- one "two words" three
echo $# $1 $2 $3
echo "$@"
for a in "$@"; do echo "[$a]"; done
for a in $@; do echo "<$a>"; done
for a in "$*"; do echo "{$a}"; done
echo ${#@} ${2} "${1}"
set --
for a in "$@"; do echo never; done
echo "none: [$*] [$@]" $#
set -- "" ""
echo $#
for a in "$@"; do echo "[$a]"; done
n=5
echo ${n}0 $n$n
echo "${x:-$n}" ${unset_var:-"$x and $n"}
y=${x}
echo "$y"
echo ~ ~/sub "~" x~
z=~/a:~/b
echo "$z" | sed "s|$HOME|HOME|g"
echo ${x:-a\ b} "${x:-"q"}"
v="a b c"
set -- ${v}
echo $#
set -- "${v}"
echo $#
unset v
echo "[${v}]"
echo $? 
IFS=:
s="a:b::c"
for f in $s; do echo "f=$f"; done
IFS=' :'
s=" a : b  c:"
for f in $s; do echo "g=$f"; done
unset IFS
s="  lead and trail  "
for f in $s; do echo "h=$f"; done
