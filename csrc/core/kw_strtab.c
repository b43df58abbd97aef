/*
 * kw_strtab.c: the hash and the string table (see kw_strtab.h).
 *
 * The hash mixes a string 8 bytes at a time with a multiply and xorshifts;
 * its low 32 bits are kept for every form, pick its slot and are compared
 * before the form is. The slot array doubles when half full, re-placing
 * ids by their kept hashes. Interning reserves every array it will grow
 * before changing any, so a failure leaves the table as it was, and
 * truncating rebuilds the slots in place (linear probing has no delete).
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_strtab.h"

static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    return h;
}

uint64_t kw_hash(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        h = mix(h ^ v) * 0xbf58476d1ce4e5b9ull;
        s += 8;
        n -= 8;
    }
    uint64_t v = 0;
    memcpy(&v, s, n);
    return mix(h ^ v ^ 0x94d049bb133111ebull);
}

void kw_strtab_init(kw_strtab *t) { memset(t, 0, sizeof *t); }

void kw_strtab_free(kw_strtab *t, const kw_alloc *a)
{
    kw_free(a, t->arena);
    kw_free(a, t->offsets);
    kw_free(a, t->hashes);
    kw_free(a, t->slots);
    kw_strtab_init(t);
}

static int same_form(const kw_strtab *t, uint32_t id, const char *s, size_t n)
{
    size_t len;
    const char *form = kw_strtab_form(t, id, &len);
    return len == n && memcmp(form, s, n) == 0;
}

int kw_strtab_find(const kw_strtab *t, const char *s, size_t n, uint64_t hash, uint32_t *id)
{
    if (!t->slots)
        return 0;
    uint32_t h32 = (uint32_t)hash;
    for (size_t i = h32 & t->mask;; i = (i + 1) & t->mask) {
        uint32_t slot = t->slots[i];
        if (!slot)
            return 0;
        if (t->hashes[slot - 1] == h32 && same_form(t, slot - 1, s, n)) {
            *id = slot - 1;
            return 1;
        }
    }
}

static void place(uint32_t *slots, size_t mask, uint32_t h32, uint32_t id)
{
    size_t i = h32 & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = id + 1;
}

/* The hash's low 32 bits pick the slot, so a table of more than 2^32 slots
 * would leave the upper ones unused: harmless, as ids are uint32 anyway. */
static kw_status rebuild_slots(kw_strtab *t, const kw_alloc *a, size_t n_slots)
{
    uint32_t *slots = kw_malloc(a, n_slots * sizeof *slots);
    if (!slots)
        return KW_ENOMEM;
    memset(slots, 0, n_slots * sizeof *slots);
    for (size_t id = 0; id < t->n; id++)
        place(slots, n_slots - 1, t->hashes[id], (uint32_t)id);
    kw_free(a, t->slots);
    t->slots = slots;
    t->mask = n_slots - 1;
    return KW_OK;
}

kw_status kw_strtab_intern(kw_strtab *t, const kw_alloc *a, const char *s, size_t n, uint64_t hash,
                           uint32_t *id, int *added)
{
    kw_status st;
    *added = 0;
    if (kw_strtab_find(t, s, n, hash, id))
        return KW_OK;
    if (t->n >= UINT32_MAX - 1)
        return KW_ETOOBIG;
    if (!t->slots || (t->n + 1) * 2 > t->mask + 1) {
        size_t n_slots = t->slots ? (t->mask + 1) * 2 : 1024;
        if (n_slots > SIZE_MAX / sizeof(uint32_t))
            return KW_ETOOBIG;
        if ((st = rebuild_slots(t, a, n_slots)) != KW_OK)
            return st;
    }
    /* Reserve everything before changing anything, so a failure leaves the
     * table as it was. */
    size_t offsets_cap = t->cap, hashes_cap = t->cap;
    if ((st = kw_reserve(a, (void **)&t->offsets, &offsets_cap, t->n + 2, sizeof *t->offsets))
        != KW_OK)
        return st;
    if ((st = kw_reserve(a, (void **)&t->hashes, &hashes_cap, t->n + 2, sizeof *t->hashes))
        != KW_OK)
        return st;
    t->cap = offsets_cap < hashes_cap ? offsets_cap : hashes_cap;
    if (n > SIZE_MAX - t->arena_len)
        return KW_ETOOBIG;
    /* At least a byte, so that the arena is never NULL once a form is in,
     * even an empty one (an attribute's missing value). */
    const size_t need = t->arena_len + n ? t->arena_len + n : 1;
    if ((st = kw_reserve(a, (void **)&t->arena, &t->arena_cap, need, 1)) != KW_OK)
        return st;

    memcpy(t->arena + t->arena_len, s, n);
    if (t->n == 0)
        t->offsets[0] = 0;
    t->arena_len += n;
    t->offsets[t->n + 1] = t->arena_len;
    t->hashes[t->n] = (uint32_t)hash;
    *id = (uint32_t)t->n;
    place(t->slots, t->mask, (uint32_t)hash, *id);
    t->n++;
    *added = 1;
    return KW_OK;
}

void kw_strtab_truncate(kw_strtab *t, size_t n)
{
    if (n >= t->n)
        return;
    /* Linear probing cannot delete in place without tombstones; a rebuild at
     * the same size cannot fail for want of memory if done in place. */
    t->n = n;
    t->arena_len = n ? (size_t)t->offsets[n] : 0;
    memset(t->slots, 0, (t->mask + 1) * sizeof *t->slots);
    for (size_t id = 0; id < n; id++)
        place(t->slots, t->mask, t->hashes[id], (uint32_t)id);
}
