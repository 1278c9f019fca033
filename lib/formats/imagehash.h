/* imagehash.h - custody of a disk image: the hashes its acquisition stored,
 * checked against its media; and the hashes and sizes of the files it is
 * made of, for provenance.
 *
 * This is the library call behind `csleuth --verify` and the place a
 * provenance record gets an image's identity from: cs_media_hash() with
 * CS_HASH_FILES gives the SHA-256 and size of each file as the examiner
 * received it (what a chain-of-custody form names), CS_HASH_MEDIA the MD5,
 * SHA-1 and SHA-256 of the media read through the format (what the
 * acquisition tool hashed, and what it stored in an E01). Memory is
 * bounded; every byte of every file is read once per request.
 */
#ifndef CS_IMAGEHASH_H
#define CS_IMAGEHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/image.h"

enum {
	CS_HASH_MEDIA = 1 << 0, /* MD5, SHA-1 and SHA-256 of the media */
	CS_HASH_FILES = 1 << 1, /* SHA-256 of each image file */
};

/* A range of media that could not be read as it was acquired. */
typedef struct cs_media_damage {
	uint64_t off, len;
	char *msg;
} cs_media_damage;

typedef struct cs_media_hashes {
	/* CS_HASH_MEDIA: lowercase hex, "" when not computed */
	char md5[33], sha1[41], sha256[65];
	/* against the hashes the image stores (EWF), when it stores them */
	bool has_stored_md5, has_stored_sha1;
	bool md5_match, sha1_match;
	cs_media_damage *damage; /* chunks that failed their checksums, unreadable ranges */
	size_t n_damage;
	/* CS_HASH_FILES: one per img->info.files, in order */
	char (*file_sha256)[65];
	size_t n_files;
} cs_media_hashes;

/* Hashes what `what` asks for. progress (may be NULL) is told the bytes
 * done out of the total now and then. Returns 0 (damage does not fail the
 * call: it is listed in ret->damage and the hashes cover the bytes as read)
 * or -errno when an image file cannot be read at all. */
int cs_media_hash(cs_media *img, unsigned what, void (*progress)(void *ud, uint64_t done, uint64_t total),
		  void *ud, cs_media_hashes *ret, cs_error *e);
void cs_media_hashes_clear(cs_media_hashes *h);

#endif
