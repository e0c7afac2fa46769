# cp, mv and ln -s: files, directories into directories, trees, and the refusals (a
# directory without -r, into itself, onto itself, several sources and no directory).
d=/tmp/stellina_files_copy
e=/tmp/stellina_files_copy.err
rm -rf $d
mkdir -p $d/src/in/deep $d/dst
echo alpha >$d/src/a
echo beta >$d/src/in/b
echo gamma >$d/src/in/deep/c
echo "-- cp file"
cp $d/src/a $d/a2; echo "cp $?"
cat $d/a2
echo "-- cp over a file"
cp $d/src/in/b $d/a2; echo "cp over $?"
cat $d/a2
echo "-- cp into a directory"
cp $d/src/a $d/src/in/b $d/dst; echo "cp into $?"
ls $d/dst
cat $d/dst/a $d/dst/b
cp $d/src/a $d/src/in/b $d/a2 2>$e; echo "cp several to a file $?"
cp $d/src $d/nowhere 2>$e; echo "cp directory without -r $?"
cp $d/src/a $d/src/a 2>$e; echo "cp onto itself $?"
cp $d/none $d/x 2>$e; echo "cp missing $?"
echo "-- cp -r"
cp -r $d/src $d/copy; echo "cp -r $?"
ls -R $d/copy
cat $d/copy/in/deep/c
cp -R $d/src/in $d/dst; echo "cp -R into $?"
ls -R $d/dst
cp -r $d/src $d/src/in/deep/loop 2>$e; echo "cp -r into itself $?"
echo "-- cp -p and -f"
cp -p $d/src/a $d/kept; echo "cp -p $?"
cat $d/kept
cp -f $d/src/in/b $d/kept; echo "cp -f $?"
cat $d/kept
echo "-- a large file"
printf '0123456789abcdefghijklmnopqrstu\n' >$d/big
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do cat $d/big $d/big >$d/big2; cat $d/big2 >$d/big; done
cp $d/big $d/big3; echo "cp large $?"
find $d -name 'big3' -size 524288c
find $d -name 'big3' -size 1024
echo "-- mv"
mv $d/a2 $d/moved; echo "mv $?"
ls $d/a2 2>$e; echo "old name $?"
cat $d/moved
mv $d/moved $d/copy $d/dst; echo "mv into $?"
ls $d/dst
ls -R $d/dst/copy
mv $d/dst $d/dst/copy 2>$e; echo "mv into itself $?"
mv $d/none $d/x 2>$e; echo "mv missing $?"
echo "-- ln -s"
ln -s a $d/src/link; echo "ln -s $?"
cat $d/src/link
ls -F $d/src
ln -s b $d/src/link 2>$e; echo "ln -s taken $?"
ln -sf in/b $d/src/link; echo "ln -sf $?"
cat $d/src/link
ln -s /nowhere $d/dst; echo "ln -s into $?"
ls -F $d/dst
echo "-- cp follows a link operand, cp -r copies links as links"
cp $d/src/link $d/plain; echo "cp link $?"
ls -F $d/plain
cp -r $d/src $d/copy2; echo "cp -r with a link $?"
ls -F $d/copy2
cat $d/copy2/link
rm -r $d; echo "rm -r $?"
rm -f $e
