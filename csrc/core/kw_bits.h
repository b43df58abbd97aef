/*
 * kw_bits.h: the compiler builtins the core's hot loops use (count trailing
 * zeros, prefetch hints), spelled for GCC and clang, for MSVC, and in plain
 * C for any other compiler; internal to the core. KW_NO_BUILTINS (set by the
 * C tests' --portable mode) takes the plain-C forms, so they are tested too.
 */
#ifndef KW_BITS_H
#define KW_BITS_H

#include <stdint.h>

#if defined(__GNUC__) && !defined(KW_NO_BUILTINS)
#define KW_BITS_GNUC 1
#elif defined(_MSC_VER) && !defined(KW_NO_BUILTINS)
#define KW_BITS_MSVC 1
#include <intrin.h>
#endif

/* The number of zero bits below the lowest set bit of x; x must not be 0. */
static inline unsigned kw_ctz32(uint32_t x)
{
#if defined(KW_BITS_GNUC)
    return (unsigned)__builtin_ctz(x);
#elif defined(KW_BITS_MSVC)
    unsigned long i;
    _BitScanForward(&i, x);
    return (unsigned)i;
#else
    unsigned n = 0;
    for (; !(x & 1u); x >>= 1)
        n++;
    return n;
#endif
}

static inline unsigned kw_ctz64(uint64_t x)
{
#if defined(KW_BITS_GNUC)
    return (unsigned)__builtin_ctzll(x);
#else
    const uint32_t low = (uint32_t)x;
    return low ? kw_ctz32(low) : 32 + kw_ctz32((uint32_t)(x >> 32));
#endif
}

/* A hint that *p will be read soon: it never faults, and compilers without
 * the builtin get nothing, which costs only the speed of a cache miss. */
#if defined(KW_BITS_GNUC)
#define KW_PREFETCH(p) __builtin_prefetch(p)
#elif defined(KW_BITS_MSVC) && (defined(_M_X64) || defined(_M_IX86))
#define KW_PREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#else
#define KW_PREFETCH(p) ((void)(p))
#endif

#endif
