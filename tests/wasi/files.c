// Files through the preopened current directory: path_open (create, exclusive, truncate,
// directory), fd_write, fd_read, fd_seek, fd_close, fd_fdstat_get, fd_filestat_get,
// path_filestat_get, path_create_directory, path_unlink_file, path_remove_directory,
// path_rename, fd_readdir, fd_prestat_get and fd_prestat_dir_name, and their errors. Run in
// an empty directory; it leaves it empty again.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static void report(const char* what, int ok) {
  printf("%-40s %s\n", what, ok ? "ok" : strerror(errno));
}

static int compare(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

// The names in a directory, sorted (runners list them in their file system's order).
static void list(const char* path) {
  DIR* d = opendir(path);
  if (!d) {
    printf("opendir %s: %s\n", path, strerror(errno));
    return;
  }
  char* names[64];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) && n < 64) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    const char* type = e->d_type == DT_DIR ? "/" : e->d_type == DT_REG ? "" : "?";
    names[n] = malloc(strlen(e->d_name) + 2);
    sprintf(names[n++], "%s%s", e->d_name, type);
  }
  closedir(d);
  qsort(names, n, sizeof names[0], compare);
  printf("%s:", path);
  for (int i = 0; i < n; ++i) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

static void preopens(void) {
  for (__wasi_fd_t fd = 3;; ++fd) {
    __wasi_prestat_t p;
    __wasi_errno_t e = __wasi_fd_prestat_get(fd, &p);
    if (e != 0) {
      printf("fd_prestat_get(%u): errno %d (the end of the preopens)\n", fd, e);
      break;
    }
    char name[256] = {0};
    size_t len = p.u.dir.pr_name_len < 255 ? p.u.dir.pr_name_len : 255;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t*)name, len) != 0) printf("fd_prestat_dir_name failed\n");
    printf("preopen fd %u: tag %d, name \"%s\"\n", fd, p.tag, name);
  }
}

int main(void) {
  preopens();

  // Write, read back, seek.
  FILE* f = fopen("notes.txt", "w");
  report("fopen notes.txt for writing", f != NULL);
  for (int i = 0; i < 100; ++i) fprintf(f, "line %d of the notes\n", i);
  report("fclose", fclose(f) == 0);
  struct stat st;
  report("stat notes.txt", stat("notes.txt", &st) == 0);
  printf("size %lld, regular %d, directory %d\n", (long long)st.st_size, S_ISREG(st.st_mode),
         S_ISDIR(st.st_mode));
  int fd = open("notes.txt", O_RDONLY);
  report("open notes.txt read-only", fd >= 0);
  char buf[64] = {0};
  printf("read %zd: [%.13s]\n", read(fd, buf, 13), buf);
  printf("lseek to 1000: %lld\n", (long long)lseek(fd, 1000, SEEK_SET));
  memset(buf, 0, sizeof buf);
  printf("read %zd: [%.20s]\n", read(fd, buf, 20), buf);
  printf("lseek from the end: %lld\n", (long long)lseek(fd, -21, SEEK_END));
  memset(buf, 0, sizeof buf);
  printf("read %zd: [%.20s]\n", read(fd, buf, 20), buf);
  printf("lseek by 0 from here: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("read at the end: %zd\n", read(fd, buf, 20));
  errno = 0;
  printf("lseek before the start: %lld (%s)\n", (long long)lseek(fd, -5, SEEK_SET),
         strerror(errno));
  errno = 0;
  printf("write to a read-only fd: %zd (%s)\n", write(fd, "x", 1), strerror(errno));
  struct stat fst;
  report("fstat", fstat(fd, &fst) == 0);
  printf("fstat size %lld, regular %d\n", (long long)fst.st_size, S_ISREG(fst.st_mode));
  printf("fcntl F_GETFL read-only %d\n", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
  report("close", close(fd) == 0);
  errno = 0;
  printf("close again: %d (%s)\n", close(fd), strerror(errno));

  // Append, truncate, exclusive creation.
  f = fopen("notes.txt", "a");
  fputs("appended\n", f);
  fclose(f);
  stat("notes.txt", &st);
  printf("after append: size %lld\n", (long long)st.st_size);
  fd = open("notes.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
  printf("O_EXCL on an existing file: %d (%s)\n", fd, strerror(errno));
  fd = open("notes.txt", O_WRONLY | O_TRUNC);
  report("open with O_TRUNC", fd >= 0);
  printf("write %zd\n", write(fd, "short\n", 6));
  close(fd);
  stat("notes.txt", &st);
  printf("after truncate: size %lld\n", (long long)st.st_size);
  errno = 0;
  printf("open a missing file: %d (%s)\n", open("missing.txt", O_RDONLY), strerror(errno));

  // Directories.
  report("mkdir sub", mkdir("sub", 0755) == 0);
  errno = 0;
  printf("mkdir sub again: %d (%s)\n", mkdir("sub", 0755), strerror(errno));
  report("mkdir sub/deeper", mkdir("sub/deeper", 0755) == 0);
  f = fopen("sub/inner.txt", "w");
  fputs("inside\n", f);
  fclose(f);
  report("stat sub", stat("sub", &st) == 0 && S_ISDIR(st.st_mode));
  list(".");
  list("sub");
  errno = 0;
  printf("rmdir a directory with entries: %d (%s)\n", rmdir("sub"), strerror(errno));
  errno = 0;
  printf("unlink a directory: %d (%s)\n", unlink("sub/deeper"), strerror(errno));
  errno = 0;
  printf("rmdir a file: %d (%s)\n", rmdir("notes.txt"), strerror(errno));
  errno = 0;
  printf("open a file as a directory: %d (%s)\n", open("notes.txt", O_RDONLY | O_DIRECTORY),
         strerror(errno));
  errno = 0;
  printf("open a directory for writing: %d (%s)\n", open("sub", O_WRONLY), strerror(errno));
  fd = open("sub", O_RDONLY | O_DIRECTORY);
  report("open sub as a directory", fd >= 0);
  report("fstat it", fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
  close(fd);

  // Rename, within a directory and across.
  report("rename notes.txt to renamed.txt", rename("notes.txt", "renamed.txt") == 0);
  errno = 0;
  printf("stat the old name: %d (%s)\n", stat("notes.txt", &st), strerror(errno));
  report("rename it into sub/", rename("renamed.txt", "sub/moved.txt") == 0);
  f = fopen("sub/moved.txt", "r");
  char line[32] = {0};
  fgets(line, sizeof line, f);
  fclose(f);
  printf("sub/moved.txt holds: %s", line);
  list("sub");
  errno = 0;
  printf("rename a missing file: %d (%s)\n", rename("nothing", "else"), strerror(errno));

  // Paths that leave the preopened directory are not the module's to name.
  errno = 0;
  printf("open ../outside: %d (%s)\n", open("../outside", O_RDONLY), strerror(errno));
  errno = 0;
  printf("open sub/../../outside: %d (%s)\n", open("sub/../../outside", O_RDONLY),
         strerror(errno));
  f = fopen("sub/deeper/../inner.txt", "r");
  printf("sub/deeper/../inner.txt opens: %d\n", f != NULL);
  if (f) fclose(f);

  // Clean up: the directory is empty again.
  report("unlink sub/moved.txt", unlink("sub/moved.txt") == 0);
  report("unlink sub/inner.txt", unlink("sub/inner.txt") == 0);
  report("rmdir sub/deeper", rmdir("sub/deeper") == 0);
  report("rmdir sub", rmdir("sub") == 0);
  errno = 0;
  printf("unlink a missing file: %d (%s)\n", unlink("sub"), strerror(errno));
  list(".");
  return 0;
}
