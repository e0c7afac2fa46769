# The script's exit status is the last command's, or exit's.
echo start
false
(exit 7)
echo "$?"
sh -c 'exit 9'
