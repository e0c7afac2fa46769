/* The smallest static Linux program: exits at once with status 0 (bench/linux's exec
 * figure: what an execve of it costs is the loader's and the kernel's work, not a C
 * library's start). Built with gcc -static -nostdlib. */
void _start(void) { __asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall"); }
