/* install.h: which installer events are about the Connect build, and what they say (pure functions). */
#ifndef AU_INSTALL_H
#define AU_INSTALL_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Case-insensitive: the product name is that of a Connect product of ours. */
int install_is_connect_product(const char *name);

/*
 * A new au_install when (provider, event_id) is an MsiInstaller event
 * about a Connect product, else NULL. The fields come from the Data
 * strings when there are any, else from the rendered message text (forms
 * that carry only text). host is copied; strings and message are only read.
 */
struct au_install *install_classify(const char *provider, uint32_t event_id,
    uint64_t time, const char *host, uint64_t record_id,
    char *const *strings, size_t nstrings, const char *message);

/* Whether install_classify can take event_id at all (a cheap test for readers). */
int install_event_id(uint32_t event_id);

#endif
