"""The Linux baseline guest with a network: virtio-net modules and busybox's httpd.

    from bench.linux import net
    net.build_initramfs(dest, www={"index.html": page}, dhcp=False)
    guest.command("microvm", initrd=dest, memory=128, extra=[...netdev, virtio-net-device...])

The Debian kernel builds virtio-net as modules. /init loads them with busybox insmod in
dependency order (virtio_ring, virtio, virtio_mmio, failover, net_failover, virtio_net; the
microvm's virtio-mmio devices are found through ACPI), waits for eth0, configures it either
statically (10.0.2.15/24 via 10.0.2.2, QEMU user network's addresses, no DHCP round trip) or
with busybox udhcpc, prints NET_MARKER, runs `extra` (shell lines, e.g. a background loop) and
then `httpd -f -p 80 -h /www` in the foreground.
"""

import os

from bench.linux import prepare

NET_MARKER = "linux-net: up"
ERROR = "linux-net: error"

MODULES = ["kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
           "kernel/drivers/virtio/virtio_mmio.ko", "kernel/net/core/failover.ko",
           "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko"]

STATIC = """$bb ip addr add 10.0.2.15/24 dev eth0
$bb ip route add default via 10.0.2.2
"""

# udhcpc runs this with $1 = deconfig | bound | renew | nak and the lease in the environment.
UDHCPC_SCRIPT = """#!/bin/sh
bb=/bin/busybox
case "$1" in
  deconfig) $bb ip addr flush dev "$interface" ;;
  bound|renew)
    $bb ifconfig "$interface" "$ip" netmask "$subnet"
    [ -n "$router" ] && $bb route add default gw "${router%% *}" dev "$interface"
    echo "linux-net: dhcp lease $ip/$subnet router $router" ;;
esac
"""

DHCP = """$bb udhcpc -i eth0 -s /bin/udhcpc.script -q -n -t 10 -T 1 || echo "linux-net: error no DHCP lease"
"""

INIT = """#!/bin/sh
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
for m in {modules}; do $bb insmod /lib/modules/$m || echo "linux-net: error insmod $m"; done
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 200 ]; do $bb sleep 0.05; n=$((n + 1)); done
[ -e /sys/class/net/eth0 ] || echo "linux-net: error no eth0"
$bb ip link set lo up
$bb ip link set eth0 up
{config}echo "{marker}"
{extra}
$bb httpd -f -p 80 -h /www || echo "linux-net: error httpd exit status $?"
$bb poweroff -f
"""


def build_initramfs(dest, www, dhcp=False, extra=""):
    """Writes the initramfs to `dest`. www: {file name under /www: bytes}."""
    prepare.prepare()
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    files = {f"lib/modules/{m}": os.path.join(prepare.modules_dir(), m) for m in MODULES}
    files.update({f"www/{name}": data for name, data in www.items()})
    if dhcp:
        files["bin/udhcpc.script"] = UDHCPC_SCRIPT.encode()
    init = INIT.format(modules=" ".join(MODULES), config=DHCP if dhcp else STATIC,
                       marker=NET_MARKER, extra=extra)
    return prepare.build_initramfs(dest, init=init, files=files)
