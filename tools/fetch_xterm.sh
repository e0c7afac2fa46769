#!/usr/bin/env bash
# Fetches the web terminal's terminal emulator from npm at build time (it is never committed):
# xterm.js and its fit add-on, at pinned versions, into OUT as xterm.js, xterm.css and
# xterm-fit.js, which the build packs into the boot archive's site and tools/mkdisk.sh puts in
# the disk's /srv/www beside /terminal.html (apps/httpd/site/terminal.html).
#
# Without npm, or without the registry, OUT gets stand-ins instead, which make the page say
# that the terminal emulator is missing and why; they are dated in the past, so the next build
# tries again. The build never fails for this.
#
# usage: fetch_xterm.sh OUT WORK    (WORK: npm's cache and the downloaded packages)
set -uo pipefail

out=$1
work=$2
xterm=@xterm/xterm@5.5.0
fit=@xterm/addon-fit@0.10.0
mkdir -p "$out" "$work"

stand_in() {
  local why=$1
  echo "fetch_xterm: $why: the web terminal's page will say so" >&2
  printf '/* xterm.js was not fetched when Stellina was built. */\nwindow.StellinaXtermMissing = %s;\n' \
    "\"$(printf '%s' "$why" | tr -d '"\\\n')\"" > "$out/xterm.js"
  printf '/* xterm.js was not fetched when Stellina was built: %s */\n' "$why" > "$out/xterm.css"
  printf '/* xterm.js was not fetched when Stellina was built. */\n' > "$out/xterm-fit.js"
  touch -d @1 "$out/xterm.js" "$out/xterm.css" "$out/xterm-fit.js"
  exit 0
}

command -v npm >/dev/null 2>&1 || stand_in "npm is not installed (tools/setup.sh installs it)"
packs=$work/packs
rm -rf "$packs"
mkdir -p "$packs"
for package in "$xterm" "$fit"; do
  if ! (cd "$packs" && npm pack --silent --cache "$work/cache" "$package") >"$work/npm.log" 2>&1; then
    stand_in "npm pack $package failed ($(tail -n 1 "$work/npm.log"))"
  fi
done
for tarball in "$packs"/*.tgz; do
  mkdir -p "${tarball%.tgz}"
  tar -xzf "$tarball" -C "${tarball%.tgz}" || stand_in "cannot unpack $(basename "$tarball")"
done
copy() {
  [ -f "$1" ] || stand_in "the package has no $(basename "$1")"
  cp "$1" "$2.tmp" && mv "$2.tmp" "$2"
}
copy "$packs"/xterm-xterm-*/package/lib/xterm.js "$out/xterm.js"
copy "$packs"/xterm-xterm-*/package/css/xterm.css "$out/xterm.css"
copy "$packs"/xterm-addon-fit-*/package/lib/addon-fit.js "$out/xterm-fit.js"
echo "fetch_xterm: $xterm and $fit in $out"
