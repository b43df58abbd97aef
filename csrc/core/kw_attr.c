/*
 * kw_attr.c: positional attributes and structures (see kw_attr.h).
 */
#include "kw_attr.h"

size_t kw_structure_find(const kw_structure *st, uint32_t pos)
{
    /* The last region starting at or before pos; empty regions share their
     * start with the next one, and this skips past them. */
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->start[mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || pos >= st->end[lo - 1])
        return st->n;
    return lo - 1;
}
