# The network commands' argument errors, found before any network is used: exit statuses as
# GNU wget's and net-tools' ifconfig's (their messages differ, so they go to a file).
e=/tmp/net_wget_usage.err
wget 2>$e; echo "wget without a URL $?"
wget -q -O /tmp/net_wget_usage.out 2>$e; echo "wget -O without a URL $?"
wget ftp2://example.org/ 2>$e; echo "wget unsupported scheme $?"
wget -q gopher://example.org/ 2>$e; echo "wget gopher $?"
wget -Z http://example.org/ 2>$e; echo "wget bad option $?"
wget -T abc http://example.org/ 2>$e; echo "wget bad timeout $?"
wget --help >$e; echo "wget --help $?"
