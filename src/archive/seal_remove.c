/*
 * seal_remove.c - removing the originals after a successful seal
 * (`seal --remove-originals`): exactly the files and directories the
 * plan sealed, each only while it is still the one sealed (see seal.h).
 *
 * Knows the plan and the filesystem; nothing of the archive's format or
 * of where the archive went (the caller checks that first).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/err.h"
#include "cairn/seal.h"
#include "seal_impl.h"

const char *
seal_plan_host(const struct seal_plan *p, size_t i)
{
	return i < p->m->nentries ? p->items[i].host : NULL;
}

int
seal_plan_remove(struct seal_plan *p, size_t i)
{
	const struct seal_item *it;
	struct stat st;

	if (!p->sealed || i >= p->m->nentries)
		return CAIRN_ERR_INVAL;
	it = &p->items[i];
	if (lstat(it->host, &st) != 0)
		return CAIRN_ERR_IO;
	if (st.st_dev != it->dev || st.st_ino != it->ino)
		return CAIRN_ERR_CHANGED;
	if (p->m->entries[i].type == MANIFEST_DIR) {
		if (!S_ISDIR(st.st_mode))
			return CAIRN_ERR_CHANGED;
		if (rmdir(it->host) == 0)
			return 0;
		return errno == ENOTEMPTY || errno == EEXIST ? CAIRN_ERR_EXISTS
		                                             : CAIRN_ERR_IO;
	}
	if (!S_ISREG(st.st_mode) || st.st_size != it->size ||
	    st.st_mtim.tv_sec != it->mtim.tv_sec ||
	    st.st_mtim.tv_nsec != it->mtim.tv_nsec)
		return CAIRN_ERR_CHANGED;
	return unlink(it->host) == 0 ? 0 : CAIRN_ERR_IO;
}
