# Control flow: if, while, until, for, case, break, continue, && ||, !.
if true; then echo then1; fi
if false; then echo no; else echo else1; fi
if false; then echo no; elif true; then echo elif1; else echo no; fi
if false; then echo no; elif false; then echo no; fi
echo "status after if: $?"
if ! false; then echo negated; fi
true && echo and1
false && echo no
false || echo or1
true || echo no
true && false || echo mixed
false; echo $?
! true; echo $?
for i in 1 2 3; do echo "for $i"; done
for i in a b c d e; do
  case $i in
    b) continue ;;
    d) break ;;
  esac
  echo "loop $i"
done
i=0
while [ $i -lt 3 ]; do echo "while $i"; i=$((i + 1)); done
until [ $i -eq 0 ]; do echo "until $i"; i=$((i - 1)); done
for a in 1 2; do
  for b in x y z; do
    if [ $b = y ]; then continue 2; fi
    echo "$a$b"
  done
done
for a in 1 2; do
  for b in x y; do
    [ $a = 2 ] && break 2
    echo "outer $a$b"
  done
done
echo after loops
case hello in
  h*o) echo "matched h*o" ;;
  *) echo no ;;
esac
case "x y" in "x y") echo quoted-case ;; esac
case abc in a|b) echo no ;; *b*) echo star-b ;; esac
case ab in [ab][ab]) echo bracket ;; esac
case c in [!ab]) echo negated-bracket ;; esac
case . in ?) echo question ;; esac
case 5 in [0-9]) echo digit ;; esac
case '*' in '*') echo literal-star ;; *) echo no ;; esac
case nomatch in a) echo no ;; esac
echo "case status $?"
case x in (x) echo paren-pattern ;; esac
case y in
  x) echo x
     ;;
  y) echo y1
     echo y2
esac
for w in; do echo never; done
for w do echo "no in: $w"; done
x=1; while :; do x=$((x+1)); [ $x -gt 4 ] && break; done; echo x=$x
while false; do echo no; done; echo "while status $?"
