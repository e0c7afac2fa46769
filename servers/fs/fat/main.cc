// fat: the disk's FAT32 or FAT16 file system, served as "fatfs".
#include "fat_env.h"
#include "servers/fs/disk_component.h"
#include "servers/fs/fat/fat.h"

using Fat = stellina::fs::DiskComponent<stellina::components::fat::Env, stellina::fs::mount_fat>;
STELLINA_COMPONENT(Fat)
