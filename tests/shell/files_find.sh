# find and du on trees with one name in each directory (GNU find lists in the directory's
# order, Stellina's in name order: they agree when there is one), and the refusals.
d=/tmp/stellina_files_find
l=/tmp/stellina_files_find_links
e=/tmp/stellina_files_find.err
rm -rf $d $l
mkdir -p $d/a/b/c $l/l
printf 'abc' >$d/a/b/c/x.txt
ln -s ../a $l/l/up
echo "-- find"
find $d/a
echo "-- -type f, -type d, -type l"
find $d -type f
find $d/a -type d
find $l -type l
echo "-- -name"
find $d -name '*.txt'
find $d -name 'x.*' -print
find $d -name '[a-b]'
find $d -name '?'
find $d -name 'X*'
echo "-- ! and -not"
find $d/a ! -type d
find $d/a -not -name '[abc]'
echo "-- -maxdepth and -mindepth"
find $d/a -maxdepth 1
find $d/a/ -maxdepth 1
find $d/a -mindepth 2
find $d -mindepth 3 -maxdepth 3
find $d/a -maxdepth 0
echo "-- -size"
find $d -size 3c
find $d -type f -size -2
find $d -type f -size +0
find $d -type f -size +3c
find $l -type l -size 4c
find $l -type l -size -5c
echo "-- links are not followed"
find $l
echo "-- errors"
find $d/none 2>$e; echo "find missing $?"
find $d -bogus 2>$e; echo "find unknown $?"
find $d -type q 2>$e; echo "find bad type $?"
find $d -name 2>$e; echo "find no pattern $?"
echo "-- du of empty files"
touch $d/empty
du -s $d/empty
du -sh $d/empty
du $d/none 2>$e; echo "du missing $?"
rm -r $d $l
rm -f $e
