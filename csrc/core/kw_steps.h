/*
 * kw_steps.h: counting the steps of the loops whose bounds kw_core.h
 * documents (KW_MAX_SKIP, the merge), so that the C tests can compare them
 * with linear bounds on inputs where quadratic work would show; internal to
 * the core. Only a build with -DKW_COUNT_STEPS counts, and it defines
 * kw_steps itself (the C tests do); any other build counts nothing.
 */
#ifndef KW_STEPS_H
#define KW_STEPS_H

#ifdef KW_COUNT_STEPS
#include <stdint.h>
extern uint64_t kw_steps;
#define KW_STEP() (kw_steps++)
#else
#define KW_STEP() ((void)0)
#endif

#endif
