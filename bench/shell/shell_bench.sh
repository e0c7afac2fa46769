# bench/shell: the same script under Stellina's sh and busybox sh (bench/shell/bench.py).
#
#   sh shell_bench.sh COUNT FILE
#
# Prints one line of figures, all in microseconds of the guest's wall clock:
#   clock  two readings of the clock one after the other (what a reading costs)
#   empty  COUNT turns of the loop, doing nothing
#   true   COUNT turns of the same loop, each running the program /bin/true and waiting for it
#   pipe   `cat FILE | wc -c`, after one such run to warm what caches there are
# then the bytes wc counted, and a line to say it is done.
count=$1
file=$2

# The clock, in microseconds: busybox sh has $EPOCHREALTIME (read in the shell, no program
# started); Stellina's sh has not, and its date prints nanoseconds with %N.
if [ -n "${EPOCHREALTIME:-}" ]; then
  now() { t=${EPOCHREALTIME%.*}${EPOCHREALTIME#*.}; }
else
  now() { t=$(date +%s%N); t=$((t / 1000)); }
fi

warm=$(cat "$file" | wc -c)

now; a=$t; now; clock=$((t - a))

now; a=$t
i=0
while [ $i -lt $count ]; do i=$((i + 1)); done
now; empty=$((t - a))

now; a=$t
i=0
while [ $i -lt $count ]; do /bin/true; i=$((i + 1)); done
now; true_us=$((t - a))

now; a=$t
bytes=$(cat "$file" | wc -c)
now; pipe=$((t - a))

echo "shell-bench: clock=$clock empty=$empty true=$true_us pipe=$pipe bytes=$bytes warm=$warm"
echo "shell-bench: done"
