/*
 * kw_status.c: what each kw_status means, in English (kw_core.h declares
 * the type and kw_status_message).
 *
 * One sentence per status, for the callers' error messages; the binding
 * shows them as the text of its exceptions.
 */
#include "kw_core.h"

const char *kw_status_message(kw_status status)
{
    switch (status) {
    case KW_OK:
        return "ok";
    case KW_ENOMEM:
        return "out of memory";
    case KW_EUTF8:
        return "invalid UTF-8";
    case KW_ETOOBIG:
        return "corpus too large (more than 4,294,967,294 tokens or types)";
    case KW_EEMPTY:
        return "the query has no token in it";
    case KW_EINVAL:
        return "an argument out of range (a type or group id, a sort key)";
    case KW_EFORMAT:
        return "not a valid saved kwiq index";
    case KW_EIO:
        return "writing the saved index failed";
    case KW_EINTR:
        return "stopped on request";
    }
    return "unknown error";
}
