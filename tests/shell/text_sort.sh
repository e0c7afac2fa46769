# sort, uniq: orders, keys, separators, duplicates.
LC_ALL=C
export LC_ALL
printf 'pear 3\napple 10\nfig 2\nBanana 7\napple 1\ncherry 10\n' > /tmp/text_sort_a.txt
printf '10\n9\n-3\n2.5\n0\n-0.5\n100\nabc\n' > /tmp/text_sort_n.txt
printf 'b:2:x\na:10:y\nc:1:x\na:2:z\n' > /tmp/text_sort_t.txt
echo '== sort'
sort /tmp/text_sort_a.txt; echo "status $?"
sort -r /tmp/text_sort_a.txt; echo "status $?"
sort -f /tmp/text_sort_a.txt; echo "status $?"
sort -n /tmp/text_sort_n.txt; echo "status $?"
sort -rn /tmp/text_sort_n.txt; echo "status $?"
sort -k2 -n /tmp/text_sort_a.txt; echo "status $?"
sort -k2,2n -k1,1r /tmp/text_sort_a.txt; echo "status $?"
sort -t: -k2,2n /tmp/text_sort_t.txt; echo "status $?"
sort -t: -k3,3 -k1,1 /tmp/text_sort_t.txt; echo "status $?"
sort -t: -k1,1 -u /tmp/text_sort_t.txt; echo "status $?"
sort -t: -s -k3,3 /tmp/text_sort_t.txt; echo "status $?"
sort -k1.2,1.3 /tmp/text_sort_a.txt; echo "status $?"
printf '  b\na\n c\n' | sort -b; echo "status $?"
printf 'b\na\nb\na\nc\n' | sort -u; echo "status $?"
sort /tmp/text_sort_t.txt /tmp/text_sort_n.txt; echo "status $?"
printf 'no newline' | sort; echo "status $?"
echo '== uniq'
printf 'a\na\nb\nc\nc\nc\nA\na\n' > /tmp/text_uniq.txt
uniq /tmp/text_uniq.txt; echo "status $?"
uniq -c /tmp/text_uniq.txt; echo "status $?"
uniq -d /tmp/text_uniq.txt; echo "status $?"
uniq -u /tmp/text_uniq.txt; echo "status $?"
uniq -i -c /tmp/text_uniq.txt; echo "status $?"
sort /tmp/text_uniq.txt | uniq -c; echo "status $?"
uniq /tmp/text_uniq.txt /tmp/text_uniq_out.txt; echo "status $?"
cat /tmp/text_uniq_out.txt
