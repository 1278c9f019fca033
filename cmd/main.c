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
#ifdef CSLEUTH_HAVE_FUSE
	{"mount", "Mount a container's filesystem read-only (FUSE)", cmd_mount},
	{"umount", "Unmount what csleuth mount mounted", cmd_umount},
#endif
};

static void usage(FILE *f)
{
	fputs("Usage: csleuth [--root DIR | --sysroot DIR] [-q] COMMAND [ARGS...]\n"
	      "\n"
	      "Read-only forensic reader for container engine evidence.\n"
	      "\n"
	      "Options:\n"
	      "  --root DIR     one engine's data root: a Docker data root, a containerd\n"
	      "                 root or a containers/storage graphroot (Podman, CRI-O),\n"
	      "                 recognised (default /var/lib/docker)\n"
	      "  --sysroot DIR  a mounted host filesystem; every engine's roots are found\n"
	      "                 from its configuration (etc/docker/daemon.json, the dockerd\n"
	      "                 command line, etc/containerd/config.toml, containerd's\n"
	      "                 command line, etc/containers/storage.conf, etc/crio/, every\n"
	      "                 user's rootless store) or default locations\n"
	      "  -q, --quiet    do not print per-item warnings (the exit code still says)\n"
	      "  -h, --help     show this help\n"
	      "  --version      show the version\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < CS_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
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
		default: return cli_usage_error(NULL, "unknown option");
		}
	}
	if (c.root && c.sysroot)
		return cli_usage_error(NULL, "--root and --sysroot exclude each other");
	if (optind >= argc) {
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
		cli_free(&c);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			cli_error("write error on standard output");
			return EXIT_FAILURE_;
		}
		return r;
	}
	return cli_usage_error(NULL, "unknown command `%s`", name);
}
