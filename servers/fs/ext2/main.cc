// ext2: the disk's ext2 file system (ext4: read-only), served as "rootfs".
#include "ext2_env.h"
#include "servers/fs/disk_component.h"
#include "servers/fs/ext2/ext2.h"

using Ext2 = stellina::fs::DiskComponent<stellina::components::ext2::Env, stellina::fs::mount_ext2>;
STELLINA_COMPONENT(Ext2)
