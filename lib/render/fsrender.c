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

static json_object *entry_object(const cs_tree *t, uint32_t i, cs_magic *m, const cs_idmaps *ids)
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
	if (ids && (ids->n_uid || ids->n_gid)) {
		int64_t u = cs_idmap_to_container(ids->uid, ids->n_uid, nd->st.uid);
		int64_t g = cs_idmap_to_container(ids->gid, ids->n_gid, nd->st.gid);
		json_object_object_add(o, "container_uid", u < 0 ? NULL : json_object_new_int64(u));
		json_object_object_add(o, "container_gid", g < 0 ? NULL : json_object_new_int64(g));
	}
	json_object_object_add(o, "mtime", cs_jtime(nd->st.mtime));
	json_object_object_add(o, "ctime", cs_jtime(nd->st.ctime));
	const cs_layer_dir *L = cs_tree_layer(t, nd->layer);
	json_object_object_add(o, "layer", json_object_new_int(nd->layer));
	json_object_object_add(o, "layer_id", cs_jstr(L ? L->id : NULL));
	char *ev = cs_tree_evidence_path(t, i);
	json_object_object_add(o, "evidence_path", cs_jstr(ev));
	free(ev);
	if (nd->link)
		json_object_object_add(o, "link_target", json_object_new_string(nd->link));
	if (S_ISCHR(nd->st.mode) || S_ISBLK(nd->st.mode)) {
		char dev[32];
		snprintf(dev, sizeof(dev), "%u:%u", nd->st.rdev_major, nd->st.rdev_minor);
		json_object_object_add(o, "device", json_object_new_string(dev));
	}
	if (S_ISREG(nd->st.mode)) {
		cs_file *f = NULL;
		char hex[65];
		char *magic = NULL;
		cs_error e = {0};
		if (cs_tree_open(t, i, &f, &e) == 0 && cs_content_info(f, hex, m, &magic, &e) == 0) {
			json_object_object_add(o, "sha256", json_object_new_string(hex));
			json_object_object_add(o, "magic", cs_jstr(magic));
		} else {
			json_object_object_add(o, "sha256", NULL);
			json_object_object_add(o, "error", json_object_new_string(e.msg));
		}
		if (f)
			cs_file_close(f);
		free(magic);
	}
	return o;
}

char *cs_render_changes_json(const cs_tree *old_tree, const cs_tree *new_tree,
			     const cs_change *c, size_t n, cs_magic *m)
{
	return cs_render_changes_json_ids(old_tree, new_tree, c, n, m, NULL);
}

char *cs_render_changes_json_ids(const cs_tree *old_tree, const cs_tree *new_tree, const cs_change *c, size_t n,
				 cs_magic *m, const cs_idmaps *ids)
{
	json_object *a = json_object_new_array();
	size_t ndel;
	const cs_deletion *del = cs_tree_deletions(new_tree, &ndel);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		char kind[2] = {(char)c[i].kind, 0};
		json_object_object_add(o, "kind", json_object_new_string(kind));
		json_object_object_add(o, "path", json_object_new_string(c[i].path));
		if (c[i].kind == CS_CHANGE_DELETE) {
			json_object_object_add(o, "entry", entry_object(old_tree, c[i].old_node, m, ids));
			/* the whiteout or opaque directory that hides it */
			for (size_t k = 0; k < ndel; k++) {
				size_t pl = strlen(del[k].path);
				if (strcmp(del[k].path, c[i].path) == 0 ||
				    (del[k].kind == CS_DEL_OPAQUE && strncmp(del[k].path, c[i].path, pl) == 0 &&
				     c[i].path[pl] == '/')) {
					json_object *w = json_object_new_object();
					json_object_object_add(w, "kind", json_object_new_string(
						del[k].kind == CS_DEL_WHITEOUT ? "whiteout" : "opaque directory"));
					json_object_object_add(w, "layer", json_object_new_int(del[k].layer));
					json_object_object_add(w, "evidence_path", cs_jstr(del[k].evidence_path));
					json_object_object_add(w, "mtime", cs_jtime(del[k].st.mtime));
					json_object_object_add(w, "ctime", cs_jtime(del[k].st.ctime));
					json_object_object_add(w, "btime", cs_jtime(del[k].st.btime));
					json_object_object_add(o, "deleted_by", w);
					break;
				}
			}
		} else {
			json_object_object_add(o, "entry", entry_object(new_tree, c[i].node, m, ids));
		}
		json_object_array_add(a, o);
	}
	return cs_jfinish(a, true);
}
