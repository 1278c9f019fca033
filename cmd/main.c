/* main.c - csleuth: global options and the command table. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

#ifndef CSLEUTH_VERSION
#define CSLEUTH_VERSION "unknown"
#endif

static const cli_command commands[] = {
	{"ps", "List containers (all of them by default)", cmd_ps},
	{"images", "List images with their tags, digests and layers", cmd_images},
	{"inspect", "Show a container's or image's full configuration as JSON", cmd_inspect},
	{"history", "Show the build history of an image", cmd_history},
	{"logs", "Print a container's output as the engine prints it", cmd_logs},
	{"diff", "List what a container added, changed and deleted", cmd_diff},
	{"export", "Write a container's filesystem as a tar archive", cmd_export},
	{"timeline", "Write one sorted timeline (Timesketch, JSON lines, body file, CSV)", cmd_timeline},
	{"partitions", "List a disk image's volumes, file systems, root and engine data", cmd_partitions},
#ifdef CSLEUTH_HAVE_FUSE
	{"mount", "Mount a container's filesystem read-only (FUSE)", cmd_mount},
	{"umount", "Unmount what csleuth mount mounted", cmd_umount},
#endif
};

static void usage(FILE *f)
{
	fputs("Usage: csleuth [--root DIR | --sysroot DIR] [-q] COMMAND [ARGS...]\n"
	      "       csleuth --image FILE... [--partition N] [--root P | --sysroot P] [-q] COMMAND [ARGS...]\n"
	      "       csleuth --archive FILE [--root P | --sysroot P] [-q] COMMAND [ARGS...]\n"
	      "       csleuth --image FILE --verify [COMMAND [ARGS...]]\n"
	      "\n"
	      "Read-only forensic reader for container engine evidence.\n"
	      "\n"
	      "Options:\n"
	      "  --root DIR     Docker data root to read (default /var/lib/docker)\n"
	      "  --sysroot DIR  a mounted host filesystem; the data root is found from\n"
	      "                 etc/docker/daemon.json and the dockerd command line\n"
	      "  --image FILE   a disk image (raw, E01, VMDK, VHD, VHDX, QCOW2), read\n"
	      "                 without mounting it; repeat for the pieces of a split raw\n"
	      "                 image; the host is found from etc/os-release and etc/fstab\n"
	      "  --partition N  read volume N of the image (see `partitions`)\n"
	      "  --archive FILE a triage collection (tar, tar.gz/zst/xz, zip)\n"
	      "                 with --image or --archive, --root and --sysroot name a path\n"
	      "                 inside them\n"
	      "  --verify       check the image's stored hashes (E01) against its media\n"
	      "  -q, --quiet    do not print per-item warnings (the exit code still says)\n"
	      "  -h, --help     show this help\n"
	      "  --version      show the version\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < CS_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'csleuth COMMAND --help' for a command's options; see csleuth(1).\n"
	      "Exit status: 0 ok, 1 failure, 2 usage error, 3 completed with warnings,\n"
	      "4 a named container or image was not found or is ambiguous.\n", f);
}

int main(int argc, char **argv)
{
	cli c = {0};
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"sysroot", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"no-openat2", no_argument, NULL, 'N'}, /* testing: force the portable walk */
		{"image", required_argument, NULL, 'i'},
		{"archive", required_argument, NULL, 'a'},
		{"partition", required_argument, NULL, 'p'},
		{"verify", no_argument, NULL, 'v'},
		{0},
	};
	int o;
	/* '+': stop at the command name; its flags are its own */
	while ((o = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
		switch (o) {
		case 'r': c.root = optarg; break;
		case 's': c.sysroot = optarg; break;
		case 'q': c.quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("csleuth %s\n", CSLEUTH_VERSION); return EXIT_OK;
		case 'N': c.source_flags |= CS_SOURCE_NO_OPENAT2; break;
		case 'i':
			c.images = cs_xreallocarray(c.images, c.n_images + 1, sizeof(*c.images));
			c.images[c.n_images++] = optarg;
			break;
		case 'a': c.archive = optarg; break;
		case 'p': c.partition = optarg; break;
		case 'v': c.verify = true; break;
		default: free(c.images); return cli_usage_error(NULL, "unknown option");
		}
	}
	const char *bad = NULL;
	if (c.root && c.sysroot)
		bad = "--root and --sysroot exclude each other";
	else if (c.n_images && c.archive)
		bad = "--image and --archive exclude each other";
	else if (c.partition && !c.n_images)
		bad = "--partition needs --image";
	else if (c.verify && !c.n_images)
		bad = "--verify needs --image";
	if (bad) {
		free(c.images);
		return cli_usage_error(NULL, "%s", bad);
	}
	int vr = EXIT_OK;
	if (c.verify) {
		c.verify_to_stderr = optind < argc;
		vr = cli_verify(&c);
		if (optind >= argc || vr == EXIT_FAILURE_ || vr == EXIT_USAGE) {
			cli_free(&c);
			return vr;
		}
	}
	if (optind >= argc) {
		free(c.images);
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[optind];
	for (size_t i = 0; i < CS_ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		optind = 0; /* reset getopt for the command */
		int r = commands[i].run(&c, sub_argc, sub_argv);
		if (r == EXIT_OK && vr != EXIT_OK)
			r = vr; /* a verification that failed stays in the exit status */
		cli_free(&c);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			cli_error("write error on standard output");
			return EXIT_FAILURE_;
		}
		return r;
	}
	cli_free(&c);
	return cli_usage_error(NULL, "unknown command `%s`", name);
}
