# Pathname expansion in the script's own (empty) directory.
mkdir sub sub/deep other
: > a.txt
: > b.txt
: > c.log
: > .hidden
: > sub/one.txt
: > sub/two.txt
: > sub/deep/three.txt
: > 'with space.txt'
echo *.txt
echo *.log
echo ?.txt
echo [ab].txt
echo [!a].txt

echo [a-b]*
echo sub/*.txt
echo */*.txt
echo */
echo sub/*/*.txt
echo *.none
echo "*.txt"
echo '*'.txt
echo \*.txt
for f in *; do echo "file: $f"; done
echo .h*
x='*.txt'
echo $x
echo "$x"
set -f
echo *.txt
set +f
echo [z]*
echo sub/[ot]*
echo "$(ls *.txt | wc -l) files"
case a.txt in *.txt) echo case-glob ;; esac
echo ./*.log
echo "$PWD" | sed "s|$HOME|HOME|"
cd sub
echo *
cd ..
echo [[:alpha:]].txt
