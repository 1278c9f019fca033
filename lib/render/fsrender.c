/* fsrender.c - see fsrender.h. */
#include "render/fsrender.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "render/render_internal.h"

const char *cs_mode_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char";
	case S_IFBLK: return "block";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "unknown";
	}
}

static const cs_idmap *g_ids; /* the ids of the entries being rendered */

static json_object *entry_object(const cs_tree *t, uint32_t i, cs_typer *m, char *head)
{
	const cs_tnode *nd = t ? cs_tree_node(t, i) : NULL;
	if (!nd)
		return NULL;
	json_object *o = json_object_new_object();
	char mode[16];
	snprintf(mode, sizeof(mode), "%04o", nd->st.mode & 07777);
	json_object_object_add(o, "type", json_object_new_string(cs_mode_type(nd->st.mode)));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)nd->st.size));
	json_object_object_add(o, "mode", json_object_new_string(mode));
	json_object_object_add(o, "uid", json_object_new_int64(nd->st.uid));
	json_object_object_add(o, "gid", json_object_new_int64(nd->st.gid));
	if (g_ids && g_ids->shifted) {
		json_object_object_add(o, "container_uid",
				       json_object_new_int64(cs_idmap_to_container(g_ids, 'u', nd->st.uid, NULL)));
		json_object_object_add(o, "container_gid",
				       json_object_new_int64(cs_idmap_to_container(g_ids, 'g', nd->st.gid, NULL)));
	}
	json_object_object_add(o, "mtime", cs_jtime(nd->st.mtime));
	json_object_object_add(o, "ctime", cs_jtime(nd->st.ctime));
	const cs_layer_dir *L = cs_tree_layer(t, nd->layer);
	/* layers are numbered from the base (0) up, as everywhere in csleuth */
	json_object_object_add(o, "layer", json_object_new_int((int)cs_tree_layers(t) - 1 - nd->layer));
	json_object_object_add(o, "layer_id", cs_jstr(L ? L->id : NULL));
	char *ev = cs_tree_evidence_path(t, i);
	cs_jadd_str(o, "evidence_path", ev);
	free(ev);
	if (nd->link)
		cs_jadd_str(o, "link_target", nd->link);
	if (S_ISCHR(nd->st.mode) || S_ISBLK(nd->st.mode)) {
		char dev[32];
		snprintf(dev, sizeof(dev), "%u:%u", nd->st.rdev_major, nd->st.rdev_minor);
		json_object_object_add(o, "device", json_object_new_string(dev));
	}
	if (S_ISREG(nd->st.mode)) {
		cs_file *f = NULL;
		char hex[65];
		size_t nhead = 0;
		cs_error e = {0};
		/* the sha256 reads the whole file; the type only its head */
		if (cs_tree_open(t, i, &f, &e) == 0 &&
		    cs_content_sha256(f, hex, m ? head : NULL, CS_MAGIC_BYTES, &nhead, &e) == 0) {
			json_object_object_add(o, "sha256", json_object_new_string(hex));
			json_object_object_add(o, "magic", cs_jstr(m ? cs_typer_head(m, head, nhead, &nd->st) : NULL));
		} else {
			json_object_object_add(o, "sha256", NULL);
			json_object_object_add(o, "error", json_object_new_string(e.msg));
		}
		if (f)
			cs_file_close(f);
	}
	return o;
}

char *cs_render_changes_json_ids(const cs_tree *old_tree, const cs_tree *new_tree, const cs_change *c,
				 size_t n, cs_typer *m, const cs_idmap *ids,
				 void (*progress)(void *userdata, size_t done, size_t total), void *userdata)
{
	g_ids = ids;
	char *r = cs_render_changes_json(old_tree, new_tree, c, n, m, progress, userdata);
	g_ids = NULL;
	return r;
}

char *cs_render_changes_json(const cs_tree *old_tree, const cs_tree *new_tree,
			     const cs_change *c, size_t n, cs_typer *m,
			     void (*progress)(void *userdata, size_t done, size_t total), void *userdata)
{
	json_object *a = json_object_new_array();
	char *head = m ? cs_xmalloc(CS_MAGIC_BYTES) : NULL;
	size_t ndel;
	const cs_deletion *del = cs_tree_deletions(new_tree, &ndel);
	for (size_t i = 0; i < n; i++) {
		if (progress && i % 64 == 0)
			progress(userdata, i, n);
		json_object *o = json_object_new_object();
		char kind[2] = {(char)c[i].kind, 0};
		json_object_object_add(o, "kind", json_object_new_string(kind));
		cs_jadd_str(o, "path", c[i].path);
		if (c[i].kind == CS_CHANGE_DELETE) {
			json_object_object_add(o, "entry", entry_object(old_tree, c[i].old_node, m, head));
			/* the whiteout or opaque directory that hides it */
			for (size_t k = 0; k < ndel; k++) {
				size_t pl = strlen(del[k].path);
				if (strcmp(del[k].path, c[i].path) == 0 ||
				    (del[k].kind == CS_DEL_OPAQUE && strncmp(del[k].path, c[i].path, pl) == 0 &&
				     c[i].path[pl] == '/')) {
					json_object *w = json_object_new_object();
					json_object_object_add(w, "kind", json_object_new_string(
						del[k].kind == CS_DEL_WHITEOUT ? "whiteout" : "opaque directory"));
					json_object_object_add(w, "layer", json_object_new_int(
						(int)cs_tree_layers(new_tree) - 1 - del[k].layer));
					cs_jadd_str(w, "evidence_path", del[k].evidence_path);
					json_object_object_add(w, "mtime", cs_jtime(del[k].st.mtime));
					json_object_object_add(w, "ctime", cs_jtime(del[k].st.ctime));
					json_object_object_add(w, "btime", cs_jtime(del[k].st.btime));
					json_object_object_add(o, "deleted_by", w);
					break;
				}
			}
		} else {
			json_object_object_add(o, "entry", entry_object(new_tree, c[i].node, m, head));
		}
		json_object_array_add(a, o);
	}
	if (progress)
		progress(userdata, n, n);
	free(head);
	return cs_jfinish(a, true);
}
