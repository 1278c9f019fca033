/* main.c - csleuth: global options, the command table and docker's
 * two-word aliases ("image ls", "container inspect"). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef CSLEUTH_VERSION
#define CSLEUTH_VERSION "unknown"
#endif

static const cli_command commands[] = {
	{"ps", "List containers (all of them; -a is accepted and changes nothing)", cmd_ps},
	{"images", "List images with their tags, digests and layers", cmd_images},
	{"volumes", "List volumes, flagging unreferenced and missing ones", cmd_volumes},
	{"inspect", "Show a container's or image's full configuration as JSON", cmd_inspect},
	{"history", "Show the build history of an image", cmd_history},
	{"logs", "Print a container's output as the engine prints it", cmd_logs},
	{"diff", "List what a container added, changed and deleted", cmd_diff},
	{"export", "Write a container's filesystem as a tar archive", cmd_export},
	{"cp", "Copy a file or directory out of a container (no FUSE needed)", cmd_cp},
	{"timeline", "Write one sorted timeline (Timesketch, JSON lines, body file, CSV)", cmd_timeline},
	{"collect", "Write a case folder: listings, inspects, logs, diffs, timelines, summary", cmd_collect},
	{"check", "Read everything up front and report all damage of the evidence", cmd_check},
	{"partitions", "List a disk image's volumes, file systems, root and engine data", cmd_partitions},
#ifdef CSLEUTH_HAVE_FUSE
	{"mount", "Mount a container's filesystem read-only (FUSE)", cmd_mount},
	{"umount", "Unmount what csleuth mount mounted", cmd_umount},
#endif
};

/* docker's management commands: GROUP SUB -> command [extra args]. */
typedef struct alias {
	const char *group, *sub, *cmd, *extra1, *extra2;
} alias;

static const alias aliases[] = {
	{"image", "ls", "images", NULL, NULL},
	{"image", "list", "images", NULL, NULL},
	{"image", "inspect", "inspect", "--type", "image"},
	{"image", "history", "history", NULL, NULL},
	{"container", "ls", "ps", NULL, NULL},
	{"container", "list", "ps", NULL, NULL},
	{"container", "ps", "ps", NULL, NULL},
	{"container", "inspect", "inspect", "--type", "container"},
	{"container", "logs", "logs", NULL, NULL},
	{"container", "diff", "diff", NULL, NULL},
	{"container", "export", "export", NULL, NULL},
	{"container", "cp", "cp", NULL, NULL},
	{"volume", "ls", "volumes", NULL, NULL},
	{"volume", "list", "volumes", NULL, NULL},
};

static void usage(FILE *f)
{
	fputs("Usage: csleuth [--root DIR | --sysroot DIR] [--no-warnings] COMMAND [ARGS...]\n"
	      "       csleuth --image FILE... [--partition ID] [--root P | --sysroot P] COMMAND [ARGS...]\n"
	      "       csleuth --archive FILE [--root P | --sysroot P] COMMAND [ARGS...]\n"
	      "       csleuth --image FILE... --verify [COMMAND [ARGS...]]\n"
	      "\n"
	      "Read-only forensic reader for container engine evidence.\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < CS_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "docker's two-word forms work too: image ls|inspect|history, container\n"
	      "ls|inspect|logs|diff|export|cp, volume ls.\n", f);
	fputs(cli_global_help, f);
	fputs("  --version       show the version\n"
	      "\nRun 'csleuth COMMAND --help' for a command's options; see csleuth(1).\n", f);
}

static const cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < CS_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *cands[CS_ARRAY_SIZE(commands) + 3];
	size_t n = 0;
	for (size_t i = 0; i < CS_ARRAY_SIZE(commands); i++)
		cands[n++] = commands[i].name;
	cands[n++] = "image";
	cands[n++] = "container";
	cands[n++] = "volume";
	const char *near = cs_closest(name, cands, n);
	if (near)
		return cli_usage_error(NULL, "unknown command `%s`; did you mean `%s`?", name, near);
	return cli_usage_error(NULL, "unknown command `%s`", name);
}

/* A caller may start csleuth with standard input, output or error closed
 * (a service manager, a CI runner, `cmd 0<&-`). The first files csleuth
 * opened would then be given descriptors 0-2, and whatever writes to
 * stderr or redirects them (the mount daemon sends 0-2 to /dev/null)
 * would hit evidence descriptors instead: the view of a mount came out
 * empty. So each closed one is opened on /dev/null first. */
static void std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n < 0)
			_exit(EXIT_FAILURE_); /* nowhere even to say why */
		if (n != fd) { /* cannot happen: open gives the lowest free one */
			(void)dup2(n, fd);
			close(n);
		}
	}
}

int main(int argc, char **argv)
{
	std_fds_open();
	/* cli_free() may run twice: it clears what it frees (this cleanup
	 * covers the early returns) */
	__attribute__((cleanup(cli_free))) cli c = {.argc = argc, .argv = argv, .started = cs_time_now()};
	enum { O_ROOT = 0x100, O_SYSROOT, O_VERSION, O_NO_OPENAT2, O_NO_WARNINGS, O_IMAGE, O_ARCHIVE, O_PARTITION, O_VERIFY };
	static const struct option opts[] = {
		{"root", required_argument, NULL, O_ROOT},
		{"sysroot", required_argument, NULL, O_SYSROOT},
		{"quiet", no_argument, NULL, 'q'},
		{"no-warnings", no_argument, NULL, O_NO_WARNINGS},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, O_VERSION},
		{"no-openat2", no_argument, NULL, O_NO_OPENAT2}, /* testing: force the portable walk */
		{"image", required_argument, NULL, O_IMAGE},
		{"archive", required_argument, NULL, O_ARCHIVE},
		{"partition", required_argument, NULL, O_PARTITION},
		{"verify", no_argument, NULL, O_VERIFY},
		{0},
	};
	int o;
	opterr = 0;
	/* '+': stop at the command name; its flags are its own */
	while ((o = getopt_long(argc, argv, "+:qh", opts, NULL)) != -1) {
		switch (o) {
		case O_ROOT: c.root = optarg; break;
		case O_SYSROOT: c.sysroot = optarg; break;
		case 'q':
		case O_NO_WARNINGS: c.quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		case O_VERSION: printf("csleuth %s\n", CSLEUTH_VERSION); return EXIT_OK;
		case O_NO_OPENAT2: c.source_flags |= CS_SOURCE_NO_OPENAT2; break;
		case O_IMAGE: cli_add_image(&c, optarg); break;
		case O_ARCHIVE: c.archive = optarg; break;
		case O_PARTITION: c.partition = optarg; break;
		case O_VERIFY: c.verify = true; break;
		case ':': return cli_usage_error(NULL, "option `%s` needs a value", argv[optind - 1]);
		default: return cli_usage_error(NULL, "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (c.verify && optind >= argc) {
		/* --verify alone: the report is the result */
		int vr = cli_check_evidence_opts(&c);
		if (!vr) {
			c.verified = true;
			vr = cli_verify(&c);
		}
		cli_free(&c);
		return vr;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[optind];
	const cli_command *cmd = find_command(name);
	char **sub_argv = argv + optind;
	int sub_argc = argc - optind;
	char **built = NULL;
	if (!cmd) {
		bool group = false;
		for (size_t i = 0; i < CS_ARRAY_SIZE(aliases) && !cmd; i++) {
			if (strcmp(aliases[i].group, name) != 0)
				continue;
			group = true;
			if (optind + 1 >= argc || strcmp(aliases[i].sub, argv[optind + 1]) != 0)
				continue;
			cmd = find_command(aliases[i].cmd);
			if (!cmd)
				break;
			/* NAME [extra...] rest... */
			int rest = argc - optind - 2;
			built = cs_xcalloc((size_t)rest + 4, sizeof(char *));
			int k = 0;
			built[k++] = (char *)(uintptr_t)cmd->name;
			if (aliases[i].extra1)
				built[k++] = (char *)(uintptr_t)aliases[i].extra1;
			if (aliases[i].extra2)
				built[k++] = (char *)(uintptr_t)aliases[i].extra2;
			for (int a = 0; a < rest; a++)
				built[k++] = argv[optind + 2 + a];
			sub_argv = built;
			sub_argc = k;
		}
		if (!cmd && group) {
			const char *subs[CS_ARRAY_SIZE(aliases)];
			size_t n = 0;
			for (size_t i = 0; i < CS_ARRAY_SIZE(aliases); i++)
				if (strcmp(aliases[i].group, name) == 0)
					subs[n++] = aliases[i].sub;
			const char *got = optind + 1 < argc ? argv[optind + 1] : "";
			const char *near = *got ? cs_closest(got, subs, n) : NULL;
			if (near)
				return cli_usage_error(NULL, "unknown command `%s %s`; did you mean `%s %s`?", name, got,
						       name, near);
			return cli_usage_error(NULL, "`%s` takes one of: %s%s%s%s", name, subs[0], n > 1 ? ", " : "",
					       n > 1 ? subs[1] : "", n > 2 ? ", ..." : "");
		}
		if (!cmd)
			return unknown_command(name);
	}
	optind = 0; /* reset getopt for the command */
	int r = cmd->run(&c, sub_argc, sub_argv);
	if (!c.reported && c.n_held) {
		/* a command that stopped before it chose its items (an unknown
		 * name, say) reports none of them: one note counts the damaged */
		cli_scope none = {0};
		cli_report(&c, &none);
	}
	cli_free(&c);
	free(built);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("write error on standard output");
		return EXIT_FAILURE_;
	}
	return r;
}
