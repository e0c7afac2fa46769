# hexdump and diff.
LC_ALL=C
export LC_ALL
printf 'hello world\n' > /tmp/text_hex_a.bin
printf '0123456789abcdef0123456789abcdef0123456789abcdefXYZ' > /tmp/text_hex_b.bin
printf '\000\001\177\200\377 ~\t' > /tmp/text_hex_c.bin
: > /tmp/text_hex_empty.bin
echo '== hexdump'
hexdump -C /tmp/text_hex_a.bin; echo "status $?"
hexdump /tmp/text_hex_a.bin; echo "status $?"
hexdump -C /tmp/text_hex_b.bin; echo "status $?"
hexdump /tmp/text_hex_b.bin; echo "status $?"
hexdump -C -v /tmp/text_hex_b.bin; echo "status $?"
hexdump -C /tmp/text_hex_c.bin; echo "status $?"
hexdump /tmp/text_hex_c.bin; echo "status $?"
hexdump -C /tmp/text_hex_empty.bin; echo "status $?"
hexdump -C -n 20 -s 4 /tmp/text_hex_b.bin; echo "status $?"
cat /tmp/text_hex_a.bin | hexdump -C; echo "status $?"
echo '== diff'
printf 'a\nb\nc\nd\ne\n' > /tmp/text_diff_1.txt
printf 'a\nB\nc\ne\nf\n' > /tmp/text_diff_2.txt
printf 'a\nb\nc\nd\ne\n' > /tmp/text_diff_3.txt
diff /tmp/text_diff_1.txt /tmp/text_diff_3.txt; echo "status $?"
diff /tmp/text_diff_1.txt /tmp/text_diff_2.txt; echo "status $?"
diff /tmp/text_diff_2.txt /tmp/text_diff_1.txt; echo "status $?"
diff -u /tmp/text_diff_1.txt /tmp/text_diff_2.txt | tail -n +3; echo "status $?"
i=1
: > /tmp/text_diff_4.txt
: > /tmp/text_diff_5.txt
while [ $i -le 30 ]; do
  echo "line $i" >> /tmp/text_diff_4.txt
  if [ $i = 4 ]; then echo "changed 4" >> /tmp/text_diff_5.txt; fi
  if [ $i != 4 ] && [ $i != 20 ]; then echo "line $i" >> /tmp/text_diff_5.txt; fi
  if [ $i = 25 ]; then echo "added after 25" >> /tmp/text_diff_5.txt; fi
  i=$((i + 1))
done
diff /tmp/text_diff_4.txt /tmp/text_diff_5.txt; echo "status $?"
diff -u /tmp/text_diff_4.txt /tmp/text_diff_5.txt | tail -n +3; echo "status $?"
: > /tmp/text_diff_empty.txt
diff /tmp/text_diff_empty.txt /tmp/text_diff_1.txt; echo "status $?"
diff -u /tmp/text_diff_1.txt /tmp/text_diff_empty.txt | tail -n +3; echo "status $?"
printf 'a\nb' > /tmp/text_diff_6.txt
printf 'a\nc' > /tmp/text_diff_7.txt
diff /tmp/text_diff_6.txt /tmp/text_diff_7.txt; echo "status $?"
diff /tmp/text_diff_6.txt /tmp/text_diff_1.txt; echo "status $?"
cat /tmp/text_diff_2.txt | diff /tmp/text_diff_1.txt -; echo "status $?"
printf 'a\nb\na\nb\n' > /tmp/text_diff_8.txt
printf 'b\na\nb\na\n' > /tmp/text_diff_9.txt
diff /tmp/text_diff_8.txt /tmp/text_diff_9.txt; echo "status $?"
printf 'x\na\nb\na\nb\nc\n' > /tmp/text_diff_10.txt
diff /tmp/text_diff_3.txt /tmp/text_diff_10.txt; echo "status $?"
diff -u /tmp/text_diff_10.txt /tmp/text_diff_3.txt | tail -n +3; echo "status $?"
