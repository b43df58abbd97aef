/*
 * kw_strtab.h: the hash of a byte string, and the string table that
 * interns token forms; internal to the core.
 *
 * A string table interns byte strings to dense uint32 ids in insertion
 * order. Forms live back to back in one arena; an open-addressing table of
 * id+1 (0 marks an empty slot) with linear probing, at most half full, and
 * the hash of every form kept beside it so probes compare 32 bits first and
 * growth never rehashes a string.
 */
#ifndef KW_STRTAB_H
#define KW_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "kw_core.h"

/* 64-bit hash of a byte string: word-at-a-time multiply-xorshift mixing. */
uint64_t kw_hash(const char *s, size_t n);

typedef struct kw_strtab {
    char *arena;
    size_t arena_len, arena_cap;
    uint64_t *offsets; /* n + 1 entries once n > 0: form i is arena[offsets[i], offsets[i+1]) */
    uint32_t *hashes;
    size_t n, cap;
    uint32_t *slots;
    size_t mask; /* slot count - 1; slot count a power of two */
} kw_strtab;

void kw_strtab_init(kw_strtab *t);
void kw_strtab_free(kw_strtab *t, const kw_alloc *a);
/* The id of s, added if new (*added set to 1). */
kw_status kw_strtab_intern(kw_strtab *t, const kw_alloc *a, const char *s, size_t n, uint64_t hash,
                           uint32_t *id, int *added);
/* 1 and *id if s is present, else 0. */
int kw_strtab_find(const kw_strtab *t, const char *s, size_t n, uint64_t hash, uint32_t *id);
/* Forget every id >= n (to undo a failed document). */
void kw_strtab_truncate(kw_strtab *t, size_t n);

static inline const char *kw_strtab_form(const kw_strtab *t, uint32_t id, size_t *len)
{
    *len = (size_t)(t->offsets[id + 1] - t->offsets[id]);
    return t->arena + t->offsets[id];
}

#endif
