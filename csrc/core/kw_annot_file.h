/*
 * kw_annot_file.h: the annotation section of a saved index (format version
 * 2, kw_file.c): the spans, attributes beyond word and structures beyond
 * text of an annotated index; internal to the core.
 */
#ifndef KW_ANNOT_FILE_H
#define KW_ANNOT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "kw_core.h"

/* 1 if the index has an annotation to save (kw_index.h: spans). */
int kw_annot_present(const kw_index *ix);

/* Writes n bytes; 0 on success. */
typedef int (*kw_annot_emit_fn)(void *ctx, const void *data, size_t n);

/* The length of the section, and its bytes given to emit in order (-1 if
 * emit failed). */
uint64_t kw_annot_saved_size(const kw_index *ix);
int kw_annot_write(const kw_index *ix, kw_annot_emit_fn emit, void *ctx);

/* Check the section's `len` bytes at `section` (8-byte aligned, at byte
 * `file_offset` of the file, for messages) against an index whose other
 * arrays are loaded and checked, and point the index's attributes,
 * structures and spans into them. ix->attrs and ix->structures are
 * allocated here (word and text filled by kw_index_init_views).
 * KW_EFORMAT with *err filled (section `section_id`), KW_ENOMEM. */
kw_status kw_annot_load(kw_index *ix, const unsigned char *section, uint64_t len,
                        uint64_t file_offset, int section_id, kw_load_error *err);

#endif
