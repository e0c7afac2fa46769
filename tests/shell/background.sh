# Background programs: $!, wait, and the output of those waited for.
sleep 0.2 & echo started
wait
echo "waited $?"
sh -c 'exit 3' & wait $!; echo "status of \$!: $?"
sh -c 'sleep 0.1; echo late' & echo early; wait
for i in 1 2 3; do sh -c "exit $i" & done; wait; echo "all waited $?"
echo "a b" > bg-input.txt
tr a-z A-Z < bg-input.txt > bg-output.txt & wait
cat bg-output.txt
