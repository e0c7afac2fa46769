# The system commands' output that is the same on any machine: signal names, and the shape
# of free's and uptime's lines (their numbers differ from one machine to the next).
kill -l 9
kill -l 15
kill -l 2
echo "kill -l: $?"

free | while read first rest; do echo "free: $first"; done
free -m | while read first rest; do echo "free -m: $first"; done
free -h | while read first rest; do echo "free -h: $first"; done
free --help > /tmp/sys_commands_help.txt
echo "free --help: $?"

uptime | while read now up rest; do echo "uptime: $up"; done
uptime -p | while read up rest; do echo "uptime -p: $up"; done
uptime --help > /tmp/sys_commands_help.txt
echo "uptime --help: $?"
