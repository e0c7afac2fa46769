# mkdir, touch, ls, cat, rm and rmdir on a small tree (one name a line, sorted). Errors go
# to a file: their wording differs from GNU's; their exit statuses must not.
d=/tmp/stellina_files_basic
e=/tmp/stellina_files_basic.err
rm -rf $d
mkdir $d; echo "mkdir $?"
mkdir -p $d/a/b/c; echo "mkdir -p $?"
mkdir $d/a 2>$e; echo "mkdir existing $?"
mkdir -p $d/a; echo "mkdir -p existing $?"
mkdir $d/x/y 2>$e; echo "mkdir without parent $?"
touch $d/a/f $d/a/g $d/a/.h; echo "touch $?"
touch -c $d/a/none; echo "touch -c $?"
ls $d/a/none 2>$e; echo "ls missing $?"
echo "-- ls"
ls $d/a
echo "-- ls -a"
ls -a $d/a
echo "-- ls -A"
ls -A $d/a
echo "-- ls -1F"
ls -1F $d/a
echo "-- ls -d"
ls -d $d/a $d/a/f
echo "-- ls files and a directory"
ls $d/a/g $d/a/b $d/a/f
echo "-- ls -R"
ls -R $d
echo "-- cat"
echo hello >$d/a/f
printf 'one\ntwo\nthree' >$d/a/g
cat $d/a/f $d/a/g
echo
cat - <$d/a/f
echo "-- cat -n"
cat -n $d/a/f $d/a/g
echo
cat $d/a/none 2>$e; echo "cat missing $?"
cat $d/a/f $d/a/none $d/a/f 2>$e; echo "cat one missing $?"
echo "-- rm and rmdir"
rm $d/a/b 2>$e; echo "rm directory $?"
rm $d/a/none 2>$e; echo "rm missing $?"
rm -f $d/a/none; echo "rm -f missing $?"
rm $d/a/f; echo "rm $?"
rmdir $d/a 2>$e; echo "rmdir not empty $?"
rmdir -p $d/a/b/c 2>$e; echo "rmdir -p up to a full one $?"
ls -R $d
rm -r $d/. 2>$e; echo "rm -r dot $?"
rm -r $d/a/.. 2>$e; echo "rm -r dotdot $?"
rm -r $d/a; echo "rm -r $?"
ls -A $d
rmdir $d; echo "rmdir $?"
ls $d 2>$e; echo "ls removed $?"
rm -f $e
