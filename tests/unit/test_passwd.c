/* Unit tests: etc/passwd and etc/subuid readers (formats/passwd.c). */
#include <stdlib.h>
#include <string.h>

#include "formats/passwd.h"
#include "tap.h"

int main(void)
{
	const char *pw = "root:x:0:0:root:/root:/bin/bash\n# a comment\nbad line\n"
			 "alice:x:2000:2000:Alice:/home/alice:/bin/sh\n"
			 "big:x:4294967296:1::/h:/bin/sh\nneg:x:-1:1::/h:/bin/sh\n"
			 "bob:x:2001:2001:Bob,,,:/home/bob:/bin/sh";
	size_t n = 0;
	cs_passwd_ent *v = cs_passwd_parse(pw, strlen(pw), &n);
	tap_ok(n == 3, "three users, bad lines skipped (got %zu)", n);
	if (n == 3) {
		TAP_STR_EQ(v[1].name, "alice", "alice");
		tap_ok(v[1].uid == 2000 && v[1].gid == 2000, "alice's ids");
		TAP_STR_EQ(v[1].home, "/home/alice", "alice's home");
		TAP_STR_EQ(v[2].home, "/home/bob", "the last line without a newline");
	}
	cs_passwd_free(v, n);
	const char *sub = "alice:10100001:65536\nbob:10200001:65536\n2000:300000:100\nalice:x:1\n"
			  "alice:4294967295:2\nalice:5:0\n";
	cs_subid_range *r = cs_subid_ranges(sub, strlen(sub), "alice", 2000, &n);
	tap_ok(n == 2 && r[0].start == 10100001 && r[0].count == 65536 && r[1].start == 300000 && r[1].count == 100,
	       "alice's ranges by name and by uid, in file order; malformed and wrapping ones skipped");
	free(r);
	r = cs_subid_ranges(sub, strlen(sub), "carol", 3000, &n);
	tap_ok(n == 0 && r == NULL, "no ranges for an unknown user");
	free(r);
	return tap_done();
}
