# Errors: the shell reports them and goes on.
nosuchcommand
echo "not found status $?"
./nonexistent_program
echo "path status $?"
echo data > plain.txt
./plain.txt
echo "not executable status $?"
cd /nonexistent/dir
echo "cd status $?"
(exit 3); echo "subshell exit $?"
( echo in-subshell; exit 4 ); echo "status $?"
(eval 'if true') 2>/dev/null; echo "eval syntax error in subshell: $?"
(echo $((1 / 0))); echo "division by zero in subshell: $?"
(echo ${unset_var?custom message}); echo "unset error in subshell: $?"
(set -u; echo $unset_var; echo never); echo "set -u in subshell: $?"
(shift 5); echo "shift error: $?"
false
echo "still going after false: $?"
(set -e; echo before; false; echo never); echo "set -e: $?"
(set -e; false || true; echo survives-or; if false; then :; fi; echo survives-if; ! true; echo survives-bang); echo "status $?"
(set -e; f() { false; echo not-reached; }; f); echo "set -e in function: $?"
(readonly r=1; r=2; echo never); echo "readonly: $?"
(exit 300); echo "exit 300: $?"
echo end
