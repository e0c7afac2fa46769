# Functions, local variables, return, positional parameters.
greet() { echo "hello $1"; }
greet world
greet "two words"
add() {
  echo $(($1 + $2))
}
add 2 3
count() { echo $#; }
count a b c
count
f() { return 3; }
f; echo "return status $?"
g() { false; }
g; echo "last status $?"
x=global
h() { x=changed; }
h; echo $x
l() { local x=local; echo "in: $x"; }
l; echo "out: $x"
rec() {
  if [ $1 -gt 0 ]; then
    echo "depth $1"
    rec $(($1 - 1))
  fi
}
rec 3
args() { for a; do echo "arg: $a"; done; }
args one "two three"
set -- outer1 outer2
p() { echo "$1 $#"; }
p inner
echo "$1 $#"
early() { echo before; return; echo never; }
early
loop() { for i in 1 2 3; do [ $i = 2 ] && return 5; echo "i=$i"; done; }
loop; echo "loop return $?"
redirected() { echo to-file; }
redirected > func.txt
cat func.txt
nested() { inner() { echo "inner defined"; }; inner; }
nested
inner
V=prefix greetv() { echo "$V"; } 2>/dev/null
envf() { sh -c 'echo "exported: $E"'; }
E=tmp envf
echo "E after: [$E]"
unset -f greet
greet 2>/dev/null || echo "greet is gone"
