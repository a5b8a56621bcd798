/* classify.c: the result-code catalog and finding result codes in event text. */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xmalloc.h"

/* Where the quoted wordings come from (keys as in docs/domain.md). */
#define SRC_A12 "Microsoft Learn, how-to-connect-install-automatic-upgrade (A12, 04/2025)"
#define SRC_A8 "MicrosoftDocs/azure-docs articles/active-directory/hybrid/" \
	"how-to-connect-install-automatic-upgrade.md (A8, 09/2018)"
#define OLDER_A4 "; older wording: MicrosoftDocs/azure-docs articles/active-directory/" \
	"active-directory-aadconnect-feature-automatic-upgrade.md (A4, 06/2016)"
#define OLDER_A10 "; older wording: MicrosoftDocs/azure-docs articles/active-directory/" \
	"hybrid/connect/how-to-connect-install-automatic-upgrade.md (A9-A10, 06/2020-01/2023)"
#define SRC_SUSPENSION SRC_A12 ", troubleshooting section: example suspension " \
	"reasons shown by Get-ADSyncAutoUpgrade -Detail (A9-A12)"

/* Said in every historical entry: why the code can still turn up. */
#define HISTORICAL_NOTE "This code was dropped from the article after 09/2018; " \
	"it still appears in logs from builds of that era, and Microsoft no longer " \
	"documents it as a blocking condition. "

/*
 * The catalog. `description` and `older` are Microsoft's documented wording,
 * quoted exactly, typos included ("There'sn't", "Exceeeded"); the only change
 * is that markdown markup is dropped: emphasis markers (**bold**, *italic*)
 * and link syntax, keeping the link text ("[scheduler](...)" -> "scheduler").
 * `remediation` is ours, not Microsoft's. Order is display order: aborted,
 * not supported (current, then historical), failed, values without a
 * documented prefix.
 */
static const struct au_code catalog[] = {
	/* Success: the result every server should end on. */
	{
		"Success", AU_CAT_SUCCESS,
		"The installation was successfully upgraded.",
		NULL,
		"MicrosoftDocs/azure-docs articles/active-directory/"
		"active-directory-aadconnect-feature-automatic-upgrade.md (A4, 06/2016), "
		"result code prefix table (A3-A12)",
		"A3 (05/2016)", "current", 0,
		"Nothing to do: the server upgraded itself. Check the installed "
		"version against the version history if a specific build was expected."
	},
	/* UpgradeAborted: temporary, retried automatically. */
	{
		"UpgradeAbortedSyncExeInUse", AU_CAT_ABORTED,
		"The synchronization service manager UI is open on the server.",
		NULL,
		SRC_A12, "A2 (04/2016)", "current", 0,
		"Close the Synchronization Service Manager (miisclient.exe) on the "
		"server, including copies left open in other users' sessions "
		"(disconnected RDP sessions count: check Task Manager, Users). "
		"The upgrade is retried later by itself."
	},
	{
		"UpgradeAbortedAdSyncExeInUse", AU_CAT_ABORTED,
		NULL,
		NULL,
		SRC_SUSPENSION, "A9 (06/2020)", "current", 0,
		"Named in the article only as an example suspension reason; it is not "
		"the table's UpgradeAbortedSyncExeInUse and which program it means is "
		"not documented. Close the Synchronization Service Manager and the "
		"Azure AD Connect / Entra Connect wizard in every session on the "
		"server and wait for the next attempt; if it persists, upgrade "
		"manually with the latest installer."
	},
	{
		"UpgradeAbortedInsufficientDiskSpace", AU_CAT_ABORTED,
		"There'sn't enough disk space to support an upgrade.",
		"There is not enough disc space to support an upgrade.",
		SRC_A12 OLDER_A4, "A2 (04/2016)", "current", 0,
		"Free disk space on the drive where Azure AD Connect / Entra Connect "
		"and its database are installed (usually C:, under Program Files): "
		"the new build's files and the database must fit. The upgrade is "
		"retried later by itself."
	},
	{
		"UpgradeAbortedSyncCycleDisabled", AU_CAT_ABORTED,
		"The SyncCycle option in the scheduler is currently disabled.",
		"The SyncCycle option in the scheduler has been disabled.",
		SRC_A12 OLDER_A4, "A2 (04/2016)", "current", 0,
		"Someone disabled the sync scheduler, often for maintenance. Once that "
		"work is finished, re-enable it with Set-ADSyncScheduler "
		"-SyncCycleEnabled $true (check with Get-ADSyncScheduler); the "
		"upgrade is retried later."
	},
	{
		"UpgradeAbortedSyncOrConfigurationInProgress", AU_CAT_ABORTED,
		"The installation wizard is running or a sync was scheduled outside "
		"the scheduler.",
		NULL,
		SRC_A12, "A2 (04/2016)", "current", 0,
		"Close the Azure AD Connect / Entra Connect configuration wizard if it "
		"is open in any session, and let sync runs started outside the "
		"built-in scheduler (scripts, Task Scheduler jobs, manual run "
		"profiles) finish. The upgrade is retried later."
	},
	{
		"UpgradeAbortedCouldNotSetUpgradeMarker", AU_CAT_ABORTED,
		"Couldn't write to the registry.",
		"Could not write to the registry.",
		SRC_A12 OLDER_A4, "A3 (05/2016)", "current", 0,
		"The upgrade could not record its progress in the registry. Look for "
		"changed permissions, group policy or security software blocking "
		"writes under HKLM\\SOFTWARE\\Microsoft on the server. It is "
		"retried; if it keeps recurring, upgrade manually with the latest "
		"installer."
	},
	{
		"UpgradeAbortedInsufficientDatabasePermissions", AU_CAT_ABORTED,
		"The built-in administrators group doesn't have permissions to the "
		"database. Manually upgrade to the latest version of Microsoft Entra "
		"Connect to address this issue.",
		"The built-in administrators group does not have permissions to the "
		"database. Manually upgrade to the latest version of Azure AD Connect "
		"to address this issue.",
		SRC_A12 OLDER_A4, "A3 (05/2016)", "current", 0,
		"As the article says: this does not clear by itself. Download the "
		"latest Azure AD Connect / Entra Connect installer and upgrade "
		"manually, signed in as a local administrator."
	},
	{
		"UpgradeAbortedSecurityGroupsNotPresent", AU_CAT_ABORTED,
		"Couldn't find and resolve all security groups used by the sync "
		"engine.",
		"Could not find and resolve all security groups used by the sync "
		"engine.",
		SRC_A12 OLDER_A4, "A3 (05/2016)", "current", 0,
		"Check that the sync engine's groups (ADSyncAdmins, ADSyncOperators, "
		"ADSyncBrowse, ADSyncPasswordSet) still exist and resolve: local "
		"groups on the server, or domain groups with a reachable domain "
		"controller. Restore any that were deleted or renamed; the upgrade "
		"is retried later."
	},
	{
		"UpgradeAbortedServiceCanNotBeStarted", AU_CAT_ABORTED,
		"The NT Service Microsoft Entra ID Sync failed to start.",
		"The NT Service Microsoft Azure AD Sync failed to start.",
		SRC_A12 OLDER_A4, "A3 (05/2016)", "current", 0,
		"Find out why the ADSync service does not start: System and "
		"Application log errors, its service account (expired or changed "
		"password, locked out, missing \"Log on as a service\" right) and "
		"whether its database (LocalDB or SQL Server) is reachable. Start it "
		"with Start-Service ADSync once fixed."
	},
	{
		"UpgradeAbortedServiceCanNotBeStopped", AU_CAT_ABORTED,
		"The NT Service Microsoft Entra ID Sync failed to stop.",
		"The NT Service Microsoft Azure AD Sync failed to stop.",
		SRC_A12 OLDER_A4, "A3 (05/2016)", "current", 0,
		"The upgrade has to stop the ADSync service. Look for a hung service "
		"(stuck in Stopping, or a sync run that never ends); let running "
		"syncs finish, stop the service by hand or restart the server in a "
		"quiet window. The upgrade is retried later."
	},
	{
		"UpgradeAbortedServiceIsNotRunning", AU_CAT_ABORTED,
		"The NT Service Microsoft Entra ID Sync isn't running.",
		"The NT Service Microsoft Azure AD Sync is not running.",
		SRC_A12 OLDER_A4, "A3 (05/2016)", "current", 0,
		"Start the ADSync service (Start-Service ADSync) and find out why it "
		"was stopped (System log, service account, someone stopping it for "
		"maintenance). The upgrade is retried later."
	},

	/* UpgradeNotSupported, still in the article. */
	{
		"UpgradeNotSupportedCustomizedSyncRules", AU_CAT_NOT_SUPPORTED,
		"There are custom synchronization rules configured in Microsoft "
		"Entra Connect.",
		"You have added your own custom rules to the configuration.",
		SRC_A12 OLDER_A4, "A2 (04/2016)", "current", 0,
		"The article's eligibility table says that after version 2.2.1.0 "
		"custom synchronization rules no longer prevent automatic upgrade. "
		"Upgrade manually once to a current version (export or note your "
		"custom rules first); later releases can then upgrade automatically."
	},
	{
		"UpgradeNotSupportedInvalidPersistedState", AU_CAT_NOT_SUPPORTED,
		"The installation isn't an Express settings or a DirSync upgrade.",
		"The installation is not an Express settings or a DirSync upgrade.",
		SRC_A12 OLDER_A4, "A3 (05/2016)", "current", 0,
		"Automatic upgrade only covers Express settings installations and "
		"DirSync upgrades. Upgrade this server manually with the latest "
		"installer."
	},
	{
		"UpgradeNotSupportedNonLocalDbInstall", AU_CAT_NOT_SUPPORTED,
		"You aren't using a SQL Server Express LocalDB database.",
		"You are not using a SQL Server Express LocalDB database.",
		SRC_A12 OLDER_A4, "A3 (05/2016)", "current", 0,
		"Automatic upgrade is not available when the sync database is on a "
		"full SQL Server instead of SQL Server Express LocalDB. Upgrade "
		"manually with the latest installer, on every release you want."
	},
	{
		"UpgradeNotSupportedLocalDbSizeExceeded", AU_CAT_NOT_SUPPORTED,
		"Local DB size is greater than or equal to 8 GB",
		NULL,
		SRC_A12, "A9 (06/2020)", "current", 0,
		"LocalDB stops at 10 GB, so automatic upgrade stops at 8 GB. Shrink "
		"the database (clear old run history in the Synchronization Service "
		"Manager, then shrink the ADSync database), or move to full SQL "
		"Server and upgrade manually from then on."
	},
	{
		"UpgradeNotSupportedAADHealthUploadDisabled", AU_CAT_NOT_SUPPORTED,
		"Health data uploads are currently disabled from the portal",
		"Health data uploads have been disabled from the portal",
		SRC_A12 OLDER_A10, "A9 (06/2020)", "current", 0,
		"Automatic upgrade runs over Connect Health. Turn health data upload "
		"back on for this sync service in the Connect Health settings of the "
		"Azure / Entra portal, then wait for the next attempt."
	},
	{
		"UpgradeNotSupportedTLSVersionIncorrect", AU_CAT_NOT_SUPPORTED,
		"Your TLS version is lower than 1.2. Follow our guide to update your "
		"TLS.",
		NULL,
		SRC_A12 ", auto upgrade eligibility table", "A12 (04/2025)", "current", 0,
		"Enable TLS 1.2 on the server for Windows and for the .NET Framework "
		"(SCHANNEL TLS 1.2 client/server keys; SchUseStrongCrypto and "
		"SystemDefaultTlsVersions under HKLM\\SOFTWARE\\Microsoft\\"
		".NETFramework\\v4.0.30319 and its WOW6432Node twin), restart, then "
		"let it retry. Builds from 2.3.20.0 require TLS 1.2."
	},

	/* UpgradeNotSupported, dropped from the article after A8. */
	{
		"UpgradeNotSupportedDeviceWritebackEnabled", AU_CAT_NOT_SUPPORTED,
		"You have enabled the device writeback feature.",
		NULL,
		SRC_A8, "A2 (04/2016)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "Back then device writeback blocked automatic "
		"upgrade: upgrade manually with the latest installer."
	},
	{
		"UpgradeNotSupportedGroupWritebackEnabled", AU_CAT_NOT_SUPPORTED,
		"You have enabled the group writeback feature.",
		NULL,
		SRC_A8, "A2 (04/2016)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "Back then group writeback blocked automatic "
		"upgrade: upgrade manually with the latest installer."
	},
	{
		"UpgradeNotSupportedUserWritebackEnabled", AU_CAT_NOT_SUPPORTED,
		"You have enabled the user writeback feature.",
		NULL,
		SRC_A8, "A3 (05/2016)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "Back then the user writeback preview blocked "
		"automatic upgrade: upgrade manually with the latest installer."
	},
	{
		"UpgradeNotSupportedMetaverseSizeExceeeded", AU_CAT_NOT_SUPPORTED,
		"You have more than 100,000 objects in the metaverse.",
		NULL,
		SRC_A8, "A2 (04/2016)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "(The three e's are Microsoft's spelling.) Back then "
		"more than 100,000 metaverse objects blocked automatic upgrade: "
		"upgrade manually with the latest installer."
	},
	{
		"UpgradeNotSupportedMultiForestSetup", AU_CAT_NOT_SUPPORTED,
		"You are connecting to more than one forest. Express setup only "
		"connects to one forest.",
		"You are connecting to more than one forest. Express setup will only "
		"connect to one forest.",
		SRC_A8 OLDER_A4, "A2 (04/2016)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "Back then a multi-forest configuration blocked "
		"automatic upgrade: upgrade manually with the latest installer."
	},
	{
		"UpgradeNotSupportedNonMsolAccount", AU_CAT_NOT_SUPPORTED,
		"The AD DS Connector account is not the default MSOL_ account "
		"anymore.",
		"The AD Connector account is not the default MSOL_ account anymore.",
		SRC_A8 OLDER_A4, "A2 (04/2016)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "Back then an AD DS Connector account other than "
		"the MSOL_ account created by Express settings blocked automatic "
		"upgrade: upgrade manually with the latest installer."
	},
	{
		"UpgradeNotSupportedStagingModeEnabled", AU_CAT_NOT_SUPPORTED,
		"The server is set to be in staging mode.",
		NULL,
		SRC_A8, "A2 (04/2016)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "Staging servers are not upgraded automatically (as "
		"documented up to 09/2018): upgrade the staging server manually with "
		"the latest installer, or "
		"take it out of staging mode if it is meant to be the active server "
		"(only one server may be active)."
	},
	{
		"UpgradeNotSupportedNotConfiguredSignInMethod", AU_CAT_NOT_SUPPORTED,
		"When setting up AAD Connect, you chose Do Not Configure when "
		"selecting the sign-on method.",
		NULL,
		SRC_A8, "A6 (07/2017)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "Back then the \"Do not configure\" sign-in choice "
		"blocked automatic upgrade: upgrade manually with the latest "
		"installer."
	},
	{
		"UpgradeNotSupportedAdfsSignInMethod", AU_CAT_NOT_SUPPORTED,
		"You have selected Adfs as the sign-in method.",
		NULL,
		SRC_A8, "A7 (07/2017-06/2018)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "Back then AD FS as the sign-in method blocked "
		"automatic upgrade: upgrade manually with the latest installer."
	},
	{
		"UpgradeNotSupportedPtaSignInMethod", AU_CAT_NOT_SUPPORTED,
		"You have selected Pass-through Authentication as the sign-in method.",
		NULL,
		SRC_A8, "A7 (07/2017-06/2018)", "A8 (09/2018)", 1,
		HISTORICAL_NOTE "Back then Pass-through Authentication as the "
		"sign-in method blocked automatic upgrade: upgrade manually with the "
		"latest installer."
	},

	/* UpgradeFailed: not in the prefix table; known from the compound example. */
	{
		"UpgradeFailedRollbackSuccess", AU_CAT_FAILED,
		NULL,
		NULL,
		SRC_SUSPENSION ", as the first part of a compound value",
		"A9 (06/2020)", "current", 0,
		"By its name the upgrade was attempted, failed and was rolled back, "
		"so the previous build still runs. The part after '-' names the "
		"failing step. Check the Application log around that time "
		"(MsiInstaller, ADSync), then upgrade manually with the latest "
		"installer."
	},
	{
		"UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed",
		AU_CAT_FAILED,
		"A compound value may also be returned",
		NULL,
		SRC_SUSPENSION, "A9 (06/2020)", "current", 0,
		"By its name the upgrade failed while reading the password hash sync "
		"state and was rolled back to the previous build. Make sure the "
		"ADSync service runs and password hash sync is healthy, then upgrade "
		"manually with the latest installer."
	},

	/* Values without a documented prefix. */
	{
		"AADHealthEndpointNotDefined", AU_CAT_NOT_SUPPORTED,
		"a result that isn't an UpgradeResult",
		NULL,
		SRC_SUSPENSION, "A9 (06/2020)", "current", 0,
		"By its name the Connect Health endpoint that automatic upgrade "
		"relies on is not known to this server. Check that the Connect "
		"Health sync agent is installed and registered and that the proxy "
		"allows the Connect Health URLs (Test-AzureADConnectHealthConnectivity "
		"-Role Sync); otherwise upgrade manually with the latest installer."
	},
	{
		"DirSyncInPlaceUpgradeNonLocalDb", AU_CAT_NOT_SUPPORTED,
		"a result that isn't an UpgradeResult",
		NULL,
		SRC_SUSPENSION, "A9 (06/2020)", "current", 0,
		"By its name an in-place upgrade from DirSync found a database that "
		"is not LocalDB (full SQL Server). Automatic upgrade is not available "
		"with full SQL Server: upgrade manually with the latest installer."
	},
	{
		"PreUpgradeFailure", AU_CAT_FAILED,
		NULL,
		NULL,
		"github.com/MicrosoftDocs/azure-docs/issues/19335 (2018-11-21); "
		"not in any version of the article",
		"never (issue #19335, 11/2018)", "n/a", 0,
		"Not documented. In issue #19335 Microsoft replied that after "
		"installing the latest version the errors no longer occur: install "
		"the latest version manually. Also check that the proxy allows the "
		"Connect Health URLs, since automatic upgrade runs over Connect "
		"Health."
	},
};

#define CATALOG_COUNT (sizeof(catalog) / sizeof(catalog[0]))

/* Prefixes in the order the article lists them; UpgradeFailed is implied. */
static const struct {
	const char *prefix;
	enum au_category category;
} prefixes[] = {
	{ "Success", AU_CAT_SUCCESS },
	{ "UpgradeAborted", AU_CAT_ABORTED },
	{ "UpgradeNotSupported", AU_CAT_NOT_SUPPORTED },
	{ "UpgradeFailed", AU_CAT_FAILED },
};

/*
 * ASCII-only character classes: <ctype.h> depends on the locale and is
 * undefined for negative chars, and event text may hold any byte.
 */
static int
classify_is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static int
classify_is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
classify_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
classify_is_alnum(unsigned char c)
{
	return classify_is_lower(c) || classify_is_upper(c) ||
	    classify_is_digit(c);
}

static int
classify_is_token(unsigned char c)
{
	return classify_is_alnum(c) || c == '-';
}

static unsigned char
classify_to_lower(unsigned char c)
{
	return classify_is_upper(c) ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Catalog lookup of the n bytes at s (not NUL-terminated). */
static const struct au_code *
classify_lookup_n(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < CATALOG_COUNT; i++) {
		if (strlen(catalog[i].code) == n &&
		    memcmp(catalog[i].code, s, n) == 0)
			return &catalog[i];
	}
	return NULL;
}

/*
 * Category by prefix of the n bytes at s, AU_CAT_NONE when none matches.
 * With `strict`, the prefix must end at a word boundary inside the token
 * (end, upper-case letter, digit or '-'), so that prose such as
 * "Successfully" is not taken for a code.
 */
static enum au_category
classify_prefix(const char *s, size_t n, int strict)
{
	size_t i, plen;
	unsigned char next;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		plen = strlen(prefixes[i].prefix);
		if (n < plen || memcmp(s, prefixes[i].prefix, plen) != 0)
			continue;
		if (strict && n > plen) {
			next = (unsigned char)s[plen];
			if (!classify_is_upper(next) && !classify_is_digit(next) &&
			    next != '-')
				continue;
		}
		return prefixes[i].category;
	}
	return AU_CAT_NONE;
}

const struct au_code *
classify_catalog(size_t *count)
{
	if (count != NULL)
		*count = CATALOG_COUNT;
	return catalog;
}

const struct au_code *
classify_lookup(const char *code)
{
	if (code == NULL)
		return NULL;
	return classify_lookup_n(code, strlen(code));
}

enum au_category
classify_category(const char *code)
{
	const struct au_code *entry;
	const char *dash;
	enum au_category cat;
	size_t len;

	if (code == NULL || *code == '\0')
		return AU_CAT_NONE;
	len = strlen(code);
	entry = classify_lookup_n(code, len);
	/* A compound "A-B" is known by its first part too, as in classify_event. */
	if (entry == NULL && (dash = strchr(code, '-')) != NULL)
		entry = classify_lookup_n(code, (size_t)(dash - code));
	if (entry != NULL)
		return entry->category;
	cat = classify_prefix(code, len, 0);
	return cat == AU_CAT_NONE ? AU_CAT_OTHER : cat;
}

/*
 * Trims the '-' at both ends of the token at *s (length *n); returns the
 * remaining length, so that a token of dashes alone counts as no token.
 */
static size_t
classify_trim(const char **s, size_t *n)
{
	while (*n > 0 && **s == '-') {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && (*s)[*n - 1] == '-')
		(*n)--;
	return *n;
}

/*
 * Does "result" start at p as a word? It must follow the start of the
 * text or a non-alphanumeric byte, or be a camel-case hump ("...UpgradeResult"
 * : lower-case letter then 'R'), so that "AutoUpgradeResult = X" counts but
 * "Noresult = X" or "v2result = X" do not.
 */
static int
classify_is_marker(const char *text, const char *p)
{
	static const char word[] = "result";
	unsigned char prev;
	size_t i;

	for (i = 0; word[i] != '\0'; i++) {
		/* A NUL in p mismatches here, so we never read past it. */
		if (classify_to_lower((unsigned char)p[i]) != (unsigned char)word[i])
			return 0;
	}
	if (p == text)
		return 1;
	prev = (unsigned char)p[-1];
	if (!classify_is_alnum(prev))
		return 1;
	return *p == 'R' && classify_is_lower(prev);
}

/*
 * First pass: a token after "result" "=" or ":" (spaces or tabs around the
 * separator, one optional quote before the token). Never crosses a line
 * break, so "result =" at the end of one Data string does not take the next
 * string's first word. A marker without a token is skipped.
 */
static int
classify_find_marked(const char *text, const char **tok, size_t *len)
{
	const char *p, *q, *s;
	size_t n;

	for (p = text; *p != '\0'; p++) {
		if (classify_to_lower((unsigned char)*p) != 'r' ||
		    !classify_is_marker(text, p))
			continue;
		q = p + 6;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=' && *q != ':')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '"' || *q == '\'')
			q++;
		s = q;
		while (classify_is_token((unsigned char)*q))
			q++;
		n = (size_t)(q - s);
		if (classify_trim(&s, &n) > 0) {
			*tok = s;
			*len = n;
			return 1;
		}
	}
	return 0;
}

/*
 * Second pass: the first whole token that is a catalog code (alone or as
 * the first part of a compound) or starts with a known prefix at a word
 * boundary. Prefixes are case-sensitive: Microsoft's codes are PascalCase,
 * and lower-case words in prose ("success") must not count.
 */
static int
classify_find_token(const char *text, const char **tok, size_t *len)
{
	const char *p, *s, *dash;
	size_t n, first;

	p = text;
	while (*p != '\0') {
		if (!classify_is_token((unsigned char)*p)) {
			p++;
			continue;
		}
		s = p;
		while (classify_is_token((unsigned char)*p))
			p++;
		n = (size_t)(p - s);
		if (classify_trim(&s, &n) == 0)
			continue;
		dash = memchr(s, '-', n);
		first = dash != NULL ? (size_t)(dash - s) : n;
		if (classify_lookup_n(s, n) != NULL ||
		    classify_lookup_n(s, first) != NULL ||
		    classify_prefix(s, first, 1) != AU_CAT_NONE) {
			*tok = s;
			*len = n;
			return 1;
		}
	}
	return 0;
}

int
classify_extract(const char *text, char **code, char **detail)
{
	const char *tok, *rest, *dash;
	size_t len, first, restlen;

	*code = NULL;
	if (detail != NULL)
		*detail = NULL;
	if (text == NULL)
		return 0;
	if (!classify_find_marked(text, &tok, &len) &&
	    !classify_find_token(text, &tok, &len))
		return 0;

	/* tok has no '-' at either end, so both parts of a compound are non-empty. */
	dash = memchr(tok, '-', len);
	first = dash != NULL ? (size_t)(dash - tok) : len;
	*code = xstrndup(tok, first);
	if (dash != NULL && detail != NULL) {
		rest = dash;
		restlen = len - first;
		classify_trim(&rest, &restlen);
		*detail = xstrndup(rest, restlen);
	}
	return 1;
}

void
classify_event(struct au_event *ev)
{
	const struct au_code *entry = NULL;
	char *code, *detail, *full;

	/* A packed event was classified before it was packed (au_event_pack). */
	if (ev == NULL || ev->packed)
		return;
	free(ev->result_code);
	free(ev->detail);
	ev->result_code = NULL;
	ev->detail = NULL;
	ev->code = NULL;
	ev->category = AU_CAT_NONE;

	if (!classify_extract(ev->message, &code, &detail))
		return;
	/* The full compound may have its own entry; else its first part's. */
	if (detail != NULL) {
		full = xasprintf("%s-%s", code, detail);
		entry = classify_lookup(full);
		free(full);
	}
	if (entry == NULL)
		entry = classify_lookup(code);

	ev->result_code = code;
	ev->detail = detail;
	ev->code = entry;
	ev->category = entry != NULL ? entry->category : classify_category(code);
}

/* The article's general checks, in our words. */
static const char *const general_checks[] = {
	"Run Get-ADSyncAutoUpgrade: it should show Enabled. Suspended is set "
	"by the system when the server is not eligible; Disabled means it was "
	"turned off (Set-ADSyncAutoUpgrade -AutoUpgradeState Enabled).",
	"When it shows Suspended, Get-ADSyncAutoUpgrade -Detail shows the "
	"suspension reason, usually a result code.",
	"Expect nothing on the day a release comes out: there is an intentional "
	"random delay before a server is upgraded.",
	"Only releases marked for auto upgrade in the version history are "
	"offered; download-only releases must be installed manually.",
	"Automatic upgrade runs over Connect Health: the proxy must allow the "
	"Azure AD Connect Health / Microsoft Entra Connect Health URLs.",
	"The upgrade waits while the Synchronization Service Manager UI is "
	"open on the server, in any session.",
};

const char *const *
classify_general_checks(size_t *count)
{
	if (count != NULL)
		*count = sizeof(general_checks) / sizeof(general_checks[0]);
	return general_checks;
}

const char *
classify_category_description(enum au_category cat)
{
	switch (cat) {
	/*
	 * Success, UpgradeAborted and UpgradeNotSupported: the article's
	 * prefix table, quoted exactly in its newest wording (entra-docs,
	 * 12/2024; A2-A10 said "It will be retried again").
	 */
	case AU_CAT_SUCCESS:
		return "The installation was successfully upgraded.";
	case AU_CAT_ABORTED:
		return "A temporary condition stopped the upgrade. It's retried "
		    "and the expectation is that it succeeds later.";
	case AU_CAT_NOT_SUPPORTED:
		return "The system has a configuration that is blocking the "
		    "system from being automatically upgraded. It's retried to "
		    "see if the state is changing, but the expectation is that "
		    "the system must be upgraded manually.";
	/* The rest is our wording: the article has no such prefixes. */
	case AU_CAT_FAILED:
		return "The upgrade was attempted and failed (possibly rolled "
		    "back to the previous build); a manual upgrade is usually "
		    "needed.";
	case AU_CAT_OTHER:
		return "A value without a documented prefix: not a documented "
		    "upgrade result; if it persists, upgrade manually.";
	case AU_CAT_NONE:
		return "No result code was found in the event.";
	}
	return NULL;
}
