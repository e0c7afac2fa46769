# env and xargs: changed environments, commands from PATH, arguments from stdin.
env -i A=1 B=2
env -i A=1 B=2 env -u A
env -i PATH=/bin:/usr/bin A=1 env
env -i nonexistent_command_xyz 2>/tmp/util_env_err
echo "status $?"
printf 'a b\nc\n' | xargs
printf 'a b\nc  d\ne\n' | xargs echo x
printf '1 2 3 4 5\n' | xargs -n 2 echo
printf 'one\ntwo\n' | xargs -I {} echo [{}]
printf 'a b\0c\0' | xargs -0 echo
printf 'a,b,c' | xargs -d , echo
printf "'a  b' \"c d\" e\\\\ f\n" | xargs -n 1 echo
printf 'x y\n' | xargs -t echo 2>/tmp/util_xargs_err
cat /tmp/util_xargs_err
printf '1\n' | xargs false
echo "status $?"
printf 'a\n' | xargs nonexistent_command_xyz 2>/tmp/util_xargs_err
echo "status $?"
: | xargs echo empty
: | xargs -r echo never
echo done
