# A syntax error ends a script where it is: what came before ran.
echo before
f() { echo in f; }
f
if true; then
  echo inside
fi
echo "status $?"
case x in
  x) echo bad ;;
esac )
echo never
