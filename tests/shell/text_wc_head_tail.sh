# wc, head, tail, tee.
LC_ALL=C
export LC_ALL
printf 'one two three\nfour five\n\nsix\n' > /tmp/text_wc_a.txt
printf 'a b\n' > /tmp/text_wc_b.txt
printf 'no final newline' > /tmp/text_wc_c.txt
: > /tmp/text_wc_empty.txt
echo '== wc'
wc /tmp/text_wc_a.txt; echo "status $?"
wc -l /tmp/text_wc_a.txt; echo "status $?"
wc -w /tmp/text_wc_a.txt; echo "status $?"
wc -c /tmp/text_wc_a.txt; echo "status $?"
wc -m /tmp/text_wc_a.txt; echo "status $?"
wc -lc /tmp/text_wc_a.txt; echo "status $?"
wc /tmp/text_wc_a.txt /tmp/text_wc_b.txt /tmp/text_wc_c.txt; echo "status $?"
wc -l /tmp/text_wc_a.txt /tmp/text_wc_b.txt; echo "status $?"
wc /tmp/text_wc_empty.txt; echo "status $?"
cat /tmp/text_wc_a.txt | wc -l; echo "status $?"
i=1
: > /tmp/text_ht.txt
while [ $i -le 25 ]; do echo "line $i" >> /tmp/text_ht.txt; i=$((i + 1)); done
echo '== head'
head /tmp/text_ht.txt; echo "status $?"
head -n 3 /tmp/text_ht.txt; echo "status $?"
head -n3 /tmp/text_ht.txt /tmp/text_wc_b.txt; echo "status $?"
head -c 12 /tmp/text_ht.txt; echo; echo "status $?"
head -n -22 /tmp/text_ht.txt; echo "status $?"
head -c -170 /tmp/text_ht.txt; echo "status $?"
head -n 0 /tmp/text_ht.txt; echo "status $?"
head -n 99999999 /tmp/text_wc_b.txt; echo "status $?"
cat /tmp/text_ht.txt | head -n 2; echo "status $?"
echo '== tail'
tail /tmp/text_ht.txt; echo "status $?"
tail -n 3 /tmp/text_ht.txt; echo "status $?"
tail -n +23 /tmp/text_ht.txt; echo "status $?"
tail -c 8 /tmp/text_ht.txt; echo "status $?"
tail -c +180 /tmp/text_ht.txt; echo "status $?"
tail -n 2 /tmp/text_ht.txt /tmp/text_wc_a.txt; echo "status $?"
tail -n 1 /tmp/text_wc_c.txt; echo; echo "status $?"
cat /tmp/text_ht.txt | tail -n 2; echo "status $?"
cat /tmp/text_ht.txt | tail -n +24; echo "status $?"
cat /tmp/text_ht.txt | tail -c 5; echo "status $?"
tail -n 0 /tmp/text_ht.txt; echo "status $?"
tail -n 18446744073709551615 /tmp/text_wc_b.txt; echo "status $?"
tail -c 18446744073709551615 /tmp/text_wc_b.txt; echo "status $?"
head -c 18446744073709551615 /tmp/text_wc_b.txt; echo "status $?"
echo '== tee'
echo 'first' | tee /tmp/text_tee_1.txt /tmp/text_tee_2.txt; echo "status $?"
echo 'second' | tee -a /tmp/text_tee_1.txt; echo "status $?"
cat /tmp/text_tee_1.txt /tmp/text_tee_2.txt
echo 'third' | tee /tmp/text_tee_2.txt > /tmp/text_tee_3.txt; echo "status $?"
cat /tmp/text_tee_2.txt /tmp/text_tee_3.txt
echo '== obsolete -N'
head -4 /tmp/text_ht.txt; echo "status $?"
tail -2 /tmp/text_ht.txt; echo "status $?"
