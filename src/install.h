/* install.h: which installer events are about the Connect build, what they say, and which build that leaves (pure functions). */
#ifndef AU_INSTALL_H
#define AU_INSTALL_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/*
 * Case-insensitive: the product name is the Connect sync engine or wizard
 * ("Microsoft Azure AD Connect", "... synchronization services",
 * "Microsoft Entra Connect Sync"): it names "Azure AD Connect" or "Entra
 * Connect" and is not an agent (Health agent, Agent Updater, provisioning
 * or authentication agent), the Health service nor SQL Server LocalDB,
 * whose versions are other numbers.
 */
int install_is_connect_product(const char *name);

/*
 * A new au_install when (provider, event_id) is an MsiInstaller event
 * (1033 install, 1034 removal, 1022 update, 11707 install completed,
 * 11708 install failed, 11724 removal completed) about a Connect product,
 * else NULL. The fields come from the Data strings when there are any
 * ("Name, Version, Language, Status, Manufacturer" for 1033/1034,
 * "Product: NAME -- ..." for the others), else from the rendered message
 * text ("... Product Name: NAME. Product Version: V. ... status: N.").
 * The version is NULL when the event gives none. host is copied; strings
 * and message are only read.
 */
struct au_install *install_classify(const char *provider, uint32_t event_id,
    uint64_t time, const char *host, uint64_t record_id,
    char *const *strings, size_t nstrings, const char *message);

/* Whether install_classify can take event_id at all (a cheap test for readers). */
int install_event_id(uint32_t event_id);

/* What an installer event did, from its event id and status alone. */
enum au_install_action {
	AU_INSTALL_INSTALL = 0,   /* 1033 or 11707 that succeeded */
	AU_INSTALL_REMOVE,        /* 1034 or 11724 that succeeded */
	AU_INSTALL_FAILED,        /* 11708, or any with a nonzero status */
	AU_INSTALL_PATCH,         /* 1022: an update applied to the product */
};
enum au_install_action install_action(const struct au_install *in);
const char *install_action_name(enum au_install_action a);  /* "install", "remove", "failed", "patch" */

/*
 * The install that gives the installed build, from one host's installer
 * events sorted oldest first: the latest successful install not removed
 * since (a removal names its version; one without a version, as 11724,
 * removes the product unless a 1034 beside it says which version went).
 * An install without a version beside one with it (11707 and 1033) is the
 * same install. NULL when nothing is installed. The result may have no
 * version (only 11707 was seen): the build is then unknown.
 */
const struct au_install *install_current(struct au_install *const *installs,
    size_t n);

#endif
