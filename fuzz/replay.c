/* replay.c - runs inputs through a fuzz target without libFuzzer.
 *
 * usage: replay_<name> PATH...
 *
 * Each PATH is a file or a directory of files (not recursive), read in name
 * order and passed to LLVMFuzzerTestOneInput() one at a time. Prints TAP:
 * one line per PATH with the number of inputs. A failing check or a
 * sanitizer report aborts, which fails the test. A missing directory counts
 * as empty (a target without crash reproducers).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0;
	unsigned char *b = malloc(cap);
	for (;;) {
		if (n == cap)
			b = realloc(b, cap *= 2);
		size_t r = fread(b + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	/* an exact-size copy, so that ASan sees reads past the end */
	unsigned char *x = malloc(n ? n : 1);
	memcpy(x, b, n);
	free(b);
	LLVMFuzzerTestOneInput(x, n);
	free(x);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		size_t count = 0;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			char **names = NULL;
			size_t n = 0, cap = 0;
			struct dirent *e;
			while (d && (e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				if (n == cap)
					names = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(char *));
				names[n++] = strdup(e->d_name);
			}
			if (d)
				closedir(d);
			qsort(names, n, sizeof(char *), cmp);
			for (size_t k = 0; k < n; k++) {
				char p[4096];
				snprintf(p, sizeof(p), "%s/%s", argv[i], names[k]);
				fflush(stdout);
				if (run_file(p) == 0)
					count++;
				free(names[k]);
			}
			free(names);
			printf("ok %d - %s: %zu inputs\n", i, argv[i], count);
		} else if (stat(argv[i], &st) == 0) {
			if (run_file(argv[i]) == 0)
				printf("ok %d - %s\n", i, argv[i]);
			else {
				printf("not ok %d - %s: unreadable\n", i, argv[i]);
				failed++;
			}
		} else {
			printf("ok %d - %s: 0 inputs (absent)\n", i, argv[i]);
		}
	}
	printf("1..%d\n", argc - 1);
	return failed ? 1 : 0;
}
