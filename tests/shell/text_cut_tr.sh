# cut and tr.
LC_ALL=C
export LC_ALL
printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1::/usr/sbin:/bin/false\nno delimiter here\n' > /tmp/text_cut.txt
printf 'one\ttwo\tthree\nfour\tfive\n' > /tmp/text_cut_tab.txt
echo '== cut'
cut -d: -f1 /tmp/text_cut.txt; echo "status $?"
cut -d: -f1,3-4,7- /tmp/text_cut.txt; echo "status $?"
cut -d: -f-2 -s /tmp/text_cut.txt; echo "status $?"
cut -f2 /tmp/text_cut_tab.txt; echo "status $?"
cut -f3 /tmp/text_cut_tab.txt; echo "status $?"
cut -c1-4 /tmp/text_cut.txt; echo "status $?"
cut -b 2,4,6- /tmp/text_cut_tab.txt; echo "status $?"
cut -c 5-100 /tmp/text_cut.txt; echo "status $?"
printf 'a:b:c' | cut -d: -f2; echo "status $?"
echo '== tr'
echo 'Hello, World' | tr a-z A-Z; echo "status $?"
echo 'Hello, World' | tr '[:upper:]' '[:lower:]'; echo "status $?"
echo 'Hello, World' | tr -d lo; echo "status $?"
echo 'a  b   c' | tr -s ' '; echo "status $?"
echo 'hello 123 world 45' | tr -d '[:digit:]'; echo "status $?"
echo 'hello 123 world 45' | tr -cd '[:digit:]\n'; echo "status $?"
echo 'one two  three' | tr -s ' ' '\n'; echo "status $?"
echo 'tab	separated' | tr '\t' ' '; echo "status $?"
echo 'abcdef' | tr abc x; echo "status $?"
echo 'hello' | tr '\150' 'H'; echo "status $?"
echo 'a,b;;c' | tr -c '[:alnum:]' '[\n*]'; echo "status $?"
echo 'aabbccdd' | tr -s 'a-c'; echo "status $?"
echo 'x1y22z' | tr -ds '0-9' 'a-z'; echo "status $?"
