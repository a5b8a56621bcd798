/* test-classify.c: unit tests of the result-code catalog and code extraction. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xmalloc.h"

static int passed, failed;

__attribute__((format(printf, 2, 3)))
static void
check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	fputs("FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static const char *
show(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* Every code domain.md lists, plus the compound's first part. */
static const char *const required[] = {
	"Success",
	"UpgradeAbortedSyncExeInUse",
	"UpgradeAbortedInsufficientDiskSpace",
	"UpgradeAbortedSyncCycleDisabled",
	"UpgradeAbortedSyncOrConfigurationInProgress",
	"UpgradeAbortedCouldNotSetUpgradeMarker",
	"UpgradeAbortedInsufficientDatabasePermissions",
	"UpgradeAbortedSecurityGroupsNotPresent",
	"UpgradeAbortedServiceCanNotBeStarted",
	"UpgradeAbortedServiceCanNotBeStopped",
	"UpgradeAbortedServiceIsNotRunning",
	"UpgradeAbortedAdSyncExeInUse",
	"UpgradeNotSupportedCustomizedSyncRules",
	"UpgradeNotSupportedDeviceWritebackEnabled",
	"UpgradeNotSupportedGroupWritebackEnabled",
	"UpgradeNotSupportedMetaverseSizeExceeeded",
	"UpgradeNotSupportedMultiForestSetup",
	"UpgradeNotSupportedNonMsolAccount",
	"UpgradeNotSupportedStagingModeEnabled",
	"UpgradeNotSupportedInvalidPersistedState",
	"UpgradeNotSupportedNonLocalDbInstall",
	"UpgradeNotSupportedUserWritebackEnabled",
	"UpgradeNotSupportedNotConfiguredSignInMethod",
	"UpgradeNotSupportedAdfsSignInMethod",
	"UpgradeNotSupportedPtaSignInMethod",
	"UpgradeNotSupportedLocalDbSizeExceeded",
	"UpgradeNotSupportedAADHealthUploadDisabled",
	"UpgradeNotSupportedTLSVersionIncorrect",
	"UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed",
	"UpgradeFailedRollbackSuccess",
	"AADHealthEndpointNotDefined",
	"DirSyncInPlaceUpgradeNonLocalDb",
	"PreUpgradeFailure",
};

/* Codes without a documented prefix get their category from the catalog. */
static const struct {
	const char *code;
	enum au_category category;
} unprefixed[] = {
	{ "AADHealthEndpointNotDefined", AU_CAT_NOT_SUPPORTED },
	{ "DirSyncInPlaceUpgradeNonLocalDb", AU_CAT_NOT_SUPPORTED },
	{ "PreUpgradeFailure", AU_CAT_FAILED },
};

/* Only these have no documented description. */
static const char *const undescribed[] = {
	"UpgradeAbortedAdSyncExeInUse",
	"UpgradeFailedRollbackSuccess",
	"PreUpgradeFailure",
};

/* Spot checks of exact wording, quirks included. */
static const struct {
	const char *code;
	const char *description;
	const char *older;
} wording[] = {
	{ "UpgradeAbortedInsufficientDiskSpace",
	  "There'sn't enough disk space to support an upgrade.",
	  "There is not enough disc space to support an upgrade." },
	{ "UpgradeAbortedServiceCanNotBeStarted",
	  "The NT Service Microsoft Entra ID Sync failed to start.",
	  "The NT Service Microsoft Azure AD Sync failed to start." },
	{ "UpgradeNotSupportedNotConfiguredSignInMethod",
	  "When setting up AAD Connect, you chose Do Not Configure when "
	  "selecting the sign-on method.", NULL },
	{ "UpgradeNotSupportedLocalDbSizeExceeded",
	  "Local DB size is greater than or equal to 8 GB", NULL },
	{ "UpgradeNotSupportedAADHealthUploadDisabled",
	  "Health data uploads are currently disabled from the portal",
	  "Health data uploads have been disabled from the portal" },
	{ "UpgradeAbortedSyncCycleDisabled",
	  "The SyncCycle option in the scheduler is currently disabled.",
	  "The SyncCycle option in the scheduler has been disabled." },
	{ "UpgradeNotSupportedTLSVersionIncorrect",
	  "Your TLS version is lower than 1.2. Follow our guide to update your "
	  "TLS.", NULL },
};

static enum au_category
prefix_rule(const char *code)
{
	if (strncmp(code, "Success", 7) == 0)
		return AU_CAT_SUCCESS;
	if (strncmp(code, "UpgradeAborted", 14) == 0)
		return AU_CAT_ABORTED;
	if (strncmp(code, "UpgradeNotSupported", 19) == 0)
		return AU_CAT_NOT_SUPPORTED;
	if (strncmp(code, "UpgradeFailed", 13) == 0)
		return AU_CAT_FAILED;
	return AU_CAT_NONE;
}

static int
in_list(const char *code, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], code) == 0)
			return 1;
	return 0;
}

/* Extracts from text and compares with the expected code and detail. */
static void
expect_extract(const char *name, const char *text, const char *want_code,
    const char *want_detail)
{
	char *code = (char *)1, *detail = (char *)1;
	int ret;

	ret = classify_extract(text, &code, &detail);
	check(ret == (want_code != NULL), "extract %s: returned %d", name, ret);
	check(str_eq(code, want_code), "extract %s: code %s, want %s", name,
	    show(code), show(want_code));
	check(str_eq(detail, want_detail), "extract %s: detail %s, want %s",
	    name, show(detail), show(want_detail));
	if (ret) {
		free(code);
		free(detail);
	}
}

static void
test_catalog(void)
{
	const struct au_code *cat, *e;
	enum au_category want;
	size_t n, i, j, k;
	const char *c, *dash;
	char *text, *code, *detail;
	int historical, ok;

	cat = classify_catalog(&n);
	check(cat != NULL && n == sizeof(required) / sizeof(required[0]),
	    "catalog: %zu entries, want %zu", n,
	    sizeof(required) / sizeof(required[0]));
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		check(classify_lookup(required[i]) != NULL,
		    "catalog: %s missing", required[i]);

	for (i = 0; i < n; i++) {
		e = &cat[i];
		c = e->code;
		check(c != NULL && *c != '\0', "catalog[%zu]: empty code", i);
		if (c == NULL)
			continue;
		check(classify_lookup(c) == e, "%s: lookup is not itself", c);
		for (j = i + 1; j < n; j++)
			check(strcmp(c, cat[j].code) != 0, "%s: duplicate", c);
		for (ok = 1, k = 0; c[k] != '\0'; k++)
			if (!((c[k] >= 'A' && c[k] <= 'Z') ||
			    (c[k] >= 'a' && c[k] <= 'z') ||
			    (c[k] >= '0' && c[k] <= '9') || c[k] == '-'))
				ok = 0;
		check(ok, "%s: not a token", c);

		want = prefix_rule(c);
		if (want == AU_CAT_NONE) {
			for (k = 0; k < sizeof(unprefixed) / sizeof(unprefixed[0]); k++)
				if (strcmp(unprefixed[k].code, c) == 0)
					want = unprefixed[k].category;
		}
		check(want != AU_CAT_NONE, "%s: no prefix and no expected category", c);
		check(e->category == want, "%s: category %d, want %d", c,
		    (int)e->category, (int)want);
		check(classify_category(c) == e->category,
		    "%s: classify_category disagrees", c);

		check(e->remediation != NULL && *e->remediation != '\0',
		    "%s: no remediation", c);
		check(e->source != NULL && *e->source != '\0', "%s: no source", c);
		check(e->first_listed != NULL && e->last_listed != NULL,
		    "%s: listing versions missing", c);
		historical = e->last_listed != NULL &&
		    strncmp(e->last_listed, "A8", 2) == 0;
		check(e->historical == historical, "%s: historical %d, want %d", c,
		    e->historical, historical);

		if (in_list(c, undescribed, sizeof(undescribed) / sizeof(undescribed[0])))
			check(e->description == NULL, "%s: has a description", c);
		else
			check(e->description != NULL && *e->description != '\0',
			    "%s: no description", c);
		if (e->description != NULL)
			check(strchr(e->description, '*') == NULL &&
			    strstr(e->description, "](") == NULL,
			    "%s: markdown left in description", c);
		if (e->older != NULL)
			check(e->description != NULL &&
			    strcmp(e->older, e->description) != 0 &&
			    strchr(e->older, '*') == NULL &&
			    strstr(e->older, "](") == NULL,
			    "%s: older wording not distinct or has markdown", c);

		/* Each code is found again, in the real sample's shape and in prose. */
		dash = strchr(c, '-');
		text = xasprintf("Azure AD Connect AutoUpgrade result = %s", c);
		if (classify_extract(text, &code, &detail)) {
			check(strncmp(c, code, dash ? (size_t)(dash - c) : strlen(c)) == 0 &&
			    strlen(code) == (dash ? (size_t)(dash - c) : strlen(c)),
			    "%s: marked extraction gave %s", c, code);
			check(str_eq(detail, dash ? dash + 1 : NULL),
			    "%s: marked extraction detail %s", c, show(detail));
			free(code);
			free(detail);
		} else
			check(0, "%s: marked extraction found nothing", c);
		free(text);
		text = xasprintf("Upgrade state:\n\t%s.\n", c);
		if (classify_extract(text, &code, &detail)) {
			check(strncmp(c, code, strlen(code)) == 0,
			    "%s: prose extraction gave %s", c, code);
			free(code);
			free(detail);
		} else
			check(0, "%s: prose extraction found nothing", c);
		free(text);
	}

	for (i = 0; i < sizeof(wording) / sizeof(wording[0]); i++) {
		e = classify_lookup(wording[i].code);
		check(e != NULL && str_eq(e->description, wording[i].description),
		    "%s: description %s", wording[i].code,
		    e ? show(e->description) : "(no entry)");
		check(e != NULL && str_eq(e->older, wording[i].older),
		    "%s: older %s", wording[i].code, e ? show(e->older) : "(no entry)");
	}

	check(classify_lookup("UpgradeNotSupportedMetaverseSizeExceeded") == NULL,
	    "lookup: two-e spelling must not match");
	check(classify_lookup("upgradeabortedsyncexeinuse") == NULL,
	    "lookup: must be case-sensitive");
	check(classify_lookup("") == NULL && classify_lookup(NULL) == NULL,
	    "lookup: empty or NULL");
	/* Success is documented by the prefix table, so the catalog has it. */
	check(classify_lookup("Success") != NULL &&
	    classify_lookup("Success")->category == AU_CAT_SUCCESS,
	    "lookup: Success is in the catalog as a Success code");
}

static const struct {
	const char *name;
	const char *text;
	const char *code;     /* NULL: nothing found */
	const char *detail;
} extract_cases[] = {
	{ "real sample", "Azure AD Connect AutoUpgrade result = PreUpgradeFailure",
	  "PreUpgradeFailure", NULL },
	{ "Result: X", "Result: UpgradeAbortedSyncExeInUse",
	  "UpgradeAbortedSyncExeInUse", NULL },
	{ "result=X", "result=Success", "Success", NULL },
	{ "RESULT = X", "RESULT = UpgradeNotSupportedNonLocalDbInstall",
	  "UpgradeNotSupportedNonLocalDbInstall", NULL },
	{ "Result:X.", "Result:Success.", "Success", NULL },
	{ "tabs and CRLF", "Upgrade result\t:\tSuccess\r\n", "Success", NULL },
	{ "quoted", "result: 'UpgradeAbortedSyncCycleDisabled'",
	  "UpgradeAbortedSyncCycleDisabled", NULL },
	{ "previous in parentheses",
	  "AutoUpgrade result=UpgradeNotSupportedNonLocalDbInstall "
	  "(previous: UpgradeAbortedSyncExeInUse)",
	  "UpgradeNotSupportedNonLocalDbInstall", NULL },
	{ "marker beats an earlier code",
	  "was UpgradeAbortedSyncExeInUse; result = Success", "Success", NULL },
	{ "code on the second line",
	  "Azure AD Connect Upgrade\nUpgradeAbortedInsufficientDiskSpace",
	  "UpgradeAbortedInsufficientDiskSpace", NULL },
	{ "compound",
	  "result = UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed",
	  "UpgradeFailedRollbackSuccess", "GetPasswordHashSyncStateFailed" },
	{ "compound, unknown parts", "result = FooBar-BazQux-Three",
	  "FooBar", "BazQux-Three" },
	{ "compound found by prefix", "Suspended: UpgradeFailedSomething-Else",
	  "UpgradeFailedSomething", "Else" },
	{ "compound with a catalog first part", "now PreUpgradeFailure-Xyz",
	  "PreUpgradeFailure", "Xyz" },
	{ "dashes at both ends", "result = --UpgradeAbortedX--",
	  "UpgradeAbortedX", NULL },
	{ "double dash", "result = A--B", "A", "B" },
	{ "dashes only", "result = ---", NULL, NULL },
	{ "no code", "The upgrade service started.", NULL, NULL },
	{ "empty", "", NULL, NULL },
	{ "result = nothing", "result =", NULL, NULL },
	{ "result = space", "result = ", NULL, NULL },
	{ "result: punctuation", "result: ...", NULL, NULL },
	{ "result = at line end, code below", "result =\nUpgradeAbortedSyncCycleDisabled",
	  "UpgradeAbortedSyncCycleDisabled", NULL },
	{ "result = at line end, word below", "result =\nFooBar", NULL, NULL },
	{ "tokens merely containing codes",
	  "xUpgradeAbortedSyncExeInUse and PreUpgradeFailureX and "
	  "MyAADHealthEndpointNotDefined", NULL, NULL },
	{ "unknown code, known prefix", "status UpgradeAbortedSomethingNew",
	  "UpgradeAbortedSomethingNew", NULL },
	{ "lower-case code in prose", "upgradeabortedsyncexeinuse", NULL, NULL },
	{ "Successfully is prose", "Successfully upgraded, successful.", NULL, NULL },
	{ "lower-case after marker is taken", "result = success", "success", NULL },
	{ "camel-case marker", "AutoUpgradeResult = FooBar", "FooBar", NULL },
	{ "marker inside a word", "Noresult = FooBar", NULL, NULL },
	{ "marker after a digit", "v2result = FooBar", NULL, NULL },
	{ "results is not result", "results: FooBar", NULL, NULL },
	{ "marker after underscore", "upgrade_result=FooBar", "FooBar", NULL },
	{ "second marker used", "result: - then Result = UpgradeAbortedX",
	  "UpgradeAbortedX", NULL },
	{ "invalid UTF-8 around a code",
	  "\xff\xfe" "result = \xc3UpgradeAbortedSyncExeInUse\x80\xc0",
	  "UpgradeAbortedSyncExeInUse", NULL },
	{ "invalid UTF-8 inside marker", "r\xc3\xa9sult = FooBar", NULL, NULL },
	{ "zero-width space before marker", "\xe2\x80\x8bresult = Success",
	  "Success", NULL },
	{ "control characters", "\x01\x02result\x1b= X\x7fSuccess\x01",
	  "Success", NULL },
};

static void
test_extract(void)
{
	size_t i, big = 1 << 20;
	char *text, *code, *detail;
	int ret;

	for (i = 0; i < sizeof(extract_cases) / sizeof(extract_cases[0]); i++)
		expect_extract(extract_cases[i].name, extract_cases[i].text,
		    extract_cases[i].code, extract_cases[i].detail);

	expect_extract("NULL text", NULL, NULL, NULL);
	code = NULL;
	ret = classify_extract("result = Success-Detail", &code, NULL);
	check(ret == 1 && str_eq(code, "Success"), "extract: NULL detail pointer");
	free(code);

	/* Hostile input: long garbage of every non-NUL byte, then a code. */
	text = xmalloc(big + 64);
	srand(1);
	for (i = 0; i < big; i++)
		text[i] = (char)(1 + rand() % 255);
	text[big] = '\0';
	ret = classify_extract(text, &code, &detail);
	check(ret == 0 || ret == 1, "extract: random garbage");
	if (ret) {
		free(code);
		free(detail);
	}
	memcpy(text + big, " \nUpgradeAbortedSyncExeInUse", 29);
	for (i = 0; i < big; i++)
		/* keep garbage but rule out anything that could look like a code */
		if ((text[i] >= 'A' && text[i] <= 'Z') ||
		    (text[i] >= 'a' && text[i] <= 'z') ||
		    (text[i] >= '0' && text[i] <= '9') || text[i] == '-')
			text[i] = '.';
	expect_extract("code after 1 MiB of garbage", text,
	    "UpgradeAbortedSyncExeInUse", NULL);

	/* One huge token: not a code. */
	memset(text, 'A', big);
	text[big] = '\0';
	expect_extract("1 MiB token", text, NULL, NULL);

	/* Many markers with nothing after them. */
	for (i = 0; i + 8 <= big; i += 8)
		memcpy(text + i, "result=;", 8);
	text[i] = '\0';
	expect_extract("1 MiB of empty markers", text, NULL, NULL);

	/* A huge code after the marker is returned whole. */
	memcpy(text, "result = ", 9);
	memset(text + 9, 'Z', big - 9);
	text[big] = '\0';
	ret = classify_extract(text, &code, &detail);
	check(ret == 1 && code != NULL && strlen(code) == big - 9 && detail == NULL,
	    "extract: huge code after marker");
	if (ret) {
		free(code);
		free(detail);
	}
	free(text);
}

static const struct {
	const char *code;
	enum au_category category;
} category_cases[] = {
	{ "Success", AU_CAT_SUCCESS },
	{ "SuccessSomethingNew", AU_CAT_SUCCESS },
	{ "UpgradeAbortedNew", AU_CAT_ABORTED },
	{ "UpgradeNotSupportedNew", AU_CAT_NOT_SUPPORTED },
	{ "UpgradeFailedNew", AU_CAT_FAILED },
	{ "UpgradeFailedRollbackSuccess-Anything", AU_CAT_FAILED },
	{ "PreUpgradeFailure", AU_CAT_FAILED },
	{ "PreUpgradeFailure-Anything", AU_CAT_FAILED },
	{ "AADHealthEndpointNotDefined", AU_CAT_NOT_SUPPORTED },
	{ "DirSyncInPlaceUpgradeNonLocalDb", AU_CAT_NOT_SUPPORTED },
	{ "UpgradeAbortedSyncExeInUse", AU_CAT_ABORTED },
	{ "FooBar", AU_CAT_OTHER },
	{ "success", AU_CAT_OTHER },
	{ "upgradeaborted", AU_CAT_OTHER },
	{ "Upgrade", AU_CAT_OTHER },
	{ "", AU_CAT_NONE },
};

static void
test_category(void)
{
	size_t i, n;
	const char *const *lines;
	const char *d;
	enum au_category c;

	for (i = 0; i < sizeof(category_cases) / sizeof(category_cases[0]); i++) {
		c = classify_category(category_cases[i].code);
		check(c == category_cases[i].category, "category %s: %d, want %d",
		    category_cases[i].code, (int)c, (int)category_cases[i].category);
	}
	check(classify_category(NULL) == AU_CAT_NONE, "category NULL");

	for (c = AU_CAT_NONE; c <= AU_CAT_OTHER; c++) {
		d = classify_category_description(c);
		check(d != NULL && *d != '\0', "category description %d missing", (int)c);
	}
	check(str_eq(classify_category_description(AU_CAT_SUCCESS),
	    "The installation was successfully upgraded."),
	    "category description Success");
	check(str_eq(classify_category_description(AU_CAT_ABORTED),
	    "A temporary condition stopped the upgrade. It's retried and the "
	    "expectation is that it succeeds later."),
	    "category description UpgradeAborted");
	check(str_eq(classify_category_description(AU_CAT_NOT_SUPPORTED),
	    "The system has a configuration that is blocking the system from "
	    "being automatically upgraded. It's retried to see if the state is "
	    "changing, but the expectation is that the system must be upgraded "
	    "manually."),
	    "category description UpgradeNotSupported");

	lines = classify_general_checks(&n);
	check(lines != NULL && n >= 5, "general checks: %zu lines", n);
	for (i = 0; lines != NULL && i < n; i++)
		check(lines[i] != NULL && *lines[i] != '\0',
		    "general check %zu empty", i);
}

static const struct {
	const char *name;
	const char *message;     /* NULL: no message */
	const char *code;
	const char *detail;
	enum au_category category;
	const char *entry;       /* code of the catalog entry, NULL: none */
} event_cases[] = {
	{ "real sample", "Azure AD Connect AutoUpgrade result = PreUpgradeFailure",
	  "PreUpgradeFailure", NULL, AU_CAT_FAILED, "PreUpgradeFailure" },
	{ "full compound entry",
	  "result = UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed",
	  "UpgradeFailedRollbackSuccess", "GetPasswordHashSyncStateFailed",
	  AU_CAT_FAILED,
	  "UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed" },
	{ "compound, first part known",
	  "result = UpgradeFailedRollbackSuccess-SomethingElse",
	  "UpgradeFailedRollbackSuccess", "SomethingElse", AU_CAT_FAILED,
	  "UpgradeFailedRollbackSuccess" },
	{ "unknown with prefix", "UpgradeNotSupportedNewThing",
	  "UpgradeNotSupportedNewThing", NULL, AU_CAT_NOT_SUPPORTED, NULL },
	{ "unknown without prefix", "result: FooBar-Baz", "FooBar", "Baz",
	  AU_CAT_OTHER, NULL },
	{ "success", "Result: Success", "Success", NULL, AU_CAT_SUCCESS, "Success" },
	{ "historical", "result = UpgradeNotSupportedStagingModeEnabled",
	  "UpgradeNotSupportedStagingModeEnabled", NULL, AU_CAT_NOT_SUPPORTED,
	  "UpgradeNotSupportedStagingModeEnabled" },
	{ "no code", "Upgrade check started", NULL, NULL, AU_CAT_NONE, NULL },
	{ "no message", NULL, NULL, NULL, AU_CAT_NONE, NULL },
};

static void
test_event(void)
{
	struct au_event *ev;
	size_t i;
	const char *name;

	for (i = 0; i < sizeof(event_cases) / sizeof(event_cases[0]); i++) {
		name = event_cases[i].name;
		ev = xcalloc(1, sizeof(*ev));
		if (event_cases[i].message != NULL)
			ev->message = xstrdup(event_cases[i].message);
		/* Stale results must be replaced, not leaked. */
		ev->result_code = xstrdup("stale");
		ev->detail = xstrdup("stale");
		classify_event(ev);
		classify_event(ev);
		check(str_eq(ev->result_code, event_cases[i].code),
		    "event %s: code %s", name, show(ev->result_code));
		check(str_eq(ev->detail, event_cases[i].detail),
		    "event %s: detail %s", name, show(ev->detail));
		check(ev->category == event_cases[i].category,
		    "event %s: category %d", name, (int)ev->category);
		check(event_cases[i].entry == NULL ? ev->code == NULL :
		    ev->code == classify_lookup(event_cases[i].entry),
		    "event %s: entry %s", name, ev->code ? ev->code->code : "(null)");
		au_event_free(ev);
	}
	classify_event(NULL);
}

int
main(void)
{
	test_catalog();
	test_extract();
	test_category();
	test_event();
	printf("%d passed, %d failed\n", passed, failed);
	return failed > 0 ? 1 : 0;
}
