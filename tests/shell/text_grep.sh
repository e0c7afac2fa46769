# grep: basic and extended expressions, its options, exit statuses.
LC_ALL=C
export LC_ALL
printf 'apple pie\nBanana split\ncherry tart\n42 apples\npineapple\nthe end\n' > /tmp/text_grep_a.txt
printf 'one\ntwo apples\nthree\n' > /tmp/text_grep_b.txt
echo '== basic'
grep apple /tmp/text_grep_a.txt; echo "status $?"
grep '^[[:digit:]]\{2\} ' /tmp/text_grep_a.txt; echo "status $?"
grep 'an*a' /tmp/text_grep_a.txt; echo "status $?"
grep 'e$' /tmp/text_grep_a.txt; echo "status $?"
grep 'a\(pp\|n\)' /tmp/text_grep_a.txt; echo "status $?"
grep 'x*' /tmp/text_grep_b.txt; echo "status $?"
grep nothing /tmp/text_grep_a.txt; echo "status $?"
echo '== extended'
grep -E '^(apple|cherry) ' /tmp/text_grep_a.txt; echo "status $?"
grep -E 'p{2}' /tmp/text_grep_a.txt; echo "status $?"
grep -E '[0-9]+ [a-z]+s$' /tmp/text_grep_a.txt; echo "status $?"
grep -E 'e(nd)?$' /tmp/text_grep_a.txt; echo "status $?"
grep -E 'a.?p' /tmp/text_grep_a.txt; echo "status $?"
echo '== options'
grep -i banana /tmp/text_grep_a.txt; echo "status $?"
grep -v a /tmp/text_grep_a.txt; echo "status $?"
grep -n apple /tmp/text_grep_a.txt; echo "status $?"
grep -c apple /tmp/text_grep_a.txt; echo "status $?"
grep -c zebra /tmp/text_grep_a.txt; echo "status $?"
grep -w apple /tmp/text_grep_a.txt; echo "status $?"
grep -x 'the end' /tmp/text_grep_a.txt; echo "status $?"
grep -F 'a.' /tmp/text_grep_a.txt; echo "status $?"
grep -F -e end -e 42 /tmp/text_grep_a.txt; echo "status $?"
grep -e tart -e split /tmp/text_grep_a.txt; echo "status $?"
grep -q cherry /tmp/text_grep_a.txt; echo "status $?"
grep -q zebra /tmp/text_grep_a.txt; echo "status $?"
echo '== several files'
grep apple /tmp/text_grep_a.txt /tmp/text_grep_b.txt; echo "status $?"
grep -h apple /tmp/text_grep_a.txt /tmp/text_grep_b.txt; echo "status $?"
grep -H three /tmp/text_grep_b.txt; echo "status $?"
grep -l apple /tmp/text_grep_a.txt /tmp/text_grep_b.txt; echo "status $?"
grep -c -n apple /tmp/text_grep_a.txt /tmp/text_grep_b.txt; echo "status $?"
grep -s apple /tmp/text_grep_missing.txt; echo "status $?"
grep -s apple /tmp/text_grep_missing.txt /tmp/text_grep_b.txt; echo "status $?"
grep -q -s apple /tmp/text_grep_missing.txt /tmp/text_grep_b.txt; echo "status $?"
echo '== stdin'
cat /tmp/text_grep_b.txt | grep -n t; echo "status $?"
printf 'no newline at the end' | grep end; echo "status $?"
echo '== recursive'
printf 'needle here\n' > text_grep_r.txt
grep -r needle .; echo "status $?"
grep -r needle text_grep_r.txt; echo "status $?"
grep -rl needle; echo "status $?"
