/* no_remount - run a program where a mount's flags cannot be changed.
 *
 * usage: no_remount PROGRAM [ARGS...]
 *
 * Installs a seccomp filter under which mount_setattr(2) fails with ENOSYS
 * and mount(2) with MS_REMOUNT fails with EPERM (new mounts still work),
 * then runs PROGRAM. The tests use it to see what `csleuth mount` says when
 * it cannot make its mount nosymfollow, as for an unprivileged user or on a
 * kernel older than 5.10. x86-64 only; elsewhere it exits 77 (skip).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: no_remount PROGRAM [ARGS...]\n");
		return 2;
	}
#if defined(__x86_64__) && defined(SYS_mount_setattr)
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mount_setattr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mount, 0, 3),
		/* the low 32 bits of the flags argument */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MS_REMOUNT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("no_remount: seccomp");
		return 77;
	}
	execvp(argv[1], argv + 1);
	perror("no_remount: exec");
	return 127;
#else
	(void)argv;
	fprintf(stderr, "no_remount: x86-64 only\n");
	return 77;
#endif
}
