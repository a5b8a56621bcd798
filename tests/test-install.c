/* test-install.c: unit tests of installer events: which products count, what they say, and the installed build. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "install.h"
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

#define SYNC "Microsoft Azure AD Connect synchronization services"
#define ENTRA "Microsoft Entra Connect Sync"
#define WIZARD "Microsoft Azure AD Connect"

static void
test_products(void)
{
	static const char *const yes[] = { SYNC, ENTRA, WIZARD,
	    "Microsoft Entra Connect", "microsoft azure ad connect SYNCHRONIZATION SERVICES" };
	static const char *const no[] = {
	    "Microsoft Azure AD Connect Health agent for sync",
	    "Microsoft Entra Connect Health Agent",
	    "Microsoft Entra Connect Agent Updater",
	    "Microsoft Azure AD Connect Agent Updater",
	    "Microsoft Azure AD Connect Provisioning Agent",
	    "Microsoft Azure AD Connect Authentication Agent",
	    "Microsoft SQL Server 2019 LocalDB",
	    "Microsoft SQL Server 2012 Express LocalDB (Azure AD Connect)",
	    "Microsoft Office", "", NULL };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		check(install_is_connect_product(yes[i]), "%s not taken", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		check(!install_is_connect_product(no[i]), "%s taken", show(no[i]));
}

struct cls {
	const char *name;
	const char *provider;
	uint32_t id;
	const char *data[7];
	const char *message;
	int taken;
	const char *product, *version;
	int status;
	enum au_install_action action;
};

static const struct cls cls[] = {
	{ "1033 data", "MsiInstaller", 1033, { SYNC, "2.5.79.0", "1033", "0", "Microsoft Corporation", "(NULL)", "" }, NULL,
	    1, SYNC, "2.5.79.0", 0, AU_INSTALL_INSTALL },
	{ "1033 failed", "MsiInstaller", 1033, { ENTRA, "2.6.1.0", "1033", "1603", "Microsoft Corporation" }, NULL,
	    1, ENTRA, "2.6.1.0", 1603, AU_INSTALL_FAILED },
	{ "1034 data", "MsiInstaller", 1034, { SYNC, "2.5.79.0", "1033", "0", "Microsoft Corporation", "(NULL)" }, NULL,
	    1, SYNC, "2.5.79.0", 0, AU_INSTALL_REMOVE },
	{ "11707 data", "MsiInstaller", 11707, { "Product: " SYNC " -- Installation completed successfully.", "(NULL)", "(NULL)" }, NULL,
	    1, SYNC, NULL, 0, AU_INSTALL_INSTALL },
	{ "11708 data", "MsiInstaller", 11708, { "Product: " ENTRA " -- Installation operation failed.", "(NULL)" }, NULL,
	    1, ENTRA, NULL, -1, AU_INSTALL_FAILED },
	{ "11724 data", "msiinstaller", 11724, { "Product: " WIZARD " -- Removal completed successfully.", "(NULL)" }, NULL,
	    1, WIZARD, NULL, 0, AU_INSTALL_REMOVE },
	{ "1022 text", "MsiInstaller", 1022, { "Product: " ENTRA " - Update '{0A1B}' installed successfully.", "(NULL)" }, NULL,
	    1, ENTRA, NULL, 0, AU_INSTALL_PATCH },
	{ "1022 data", "MsiInstaller", 1022, { ENTRA, "{0A1B}" }, NULL,
	    1, ENTRA, NULL, 0, AU_INSTALL_PATCH },
	{ "1033 message", "MsiInstaller", 1033, { NULL },
	    "Windows Installer installed the product. Product Name: " ENTRA ". Product Version: 2.4.18.0. Product Language: 1033. Manufacturer: Microsoft Corporation. Installation success or error status: 0.",
	    1, ENTRA, "2.4.18.0", 0, AU_INSTALL_INSTALL },
	{ "1034 message", "MsiInstaller", 1034, { NULL },
	    "Windows Installer removed the product. Product Name: " SYNC ". Product Version: 2.3.20.0. Product Language: 1033. Manufacturer: Microsoft Corporation. Removal success or error status: 0.",
	    1, SYNC, "2.3.20.0", 0, AU_INSTALL_REMOVE },
	{ "1033 message failed", "MsiInstaller", 1033, { NULL },
	    "Windows Installer installed the product. Product Name: " ENTRA ". Product Version: 2.6.3.0. Product Language: 1033. Manufacturer: Microsoft Corporation. Installation success or error status: 1603.",
	    1, ENTRA, "2.6.3.0", 1603, AU_INSTALL_FAILED },
	{ "1033 message in data", "MsiInstaller", 1033,
	    { "Windows Installer installed the product. Product Name: " WIZARD ". Product Version: 1.6.16.0. Product Language: 1033. Manufacturer: Microsoft Corporation. Installation success or error status: 0." }, NULL,
	    1, WIZARD, "1.6.16.0", 0, AU_INSTALL_INSTALL },
	{ "11707 message", "MsiInstaller", 11707, { NULL }, "Product: " ENTRA " -- Installation completed successfully.",
	    1, ENTRA, NULL, 0, AU_INSTALL_INSTALL },
	{ "bad version", "MsiInstaller", 1033, { SYNC, "(NULL)", "1033", "0" }, NULL,
	    1, SYNC, NULL, 0, AU_INSTALL_INSTALL },
	{ "hostile version", "MsiInstaller", 1033, { SYNC, "2.6.1.0; rm -rf", "1033", "0" }, NULL,
	    1, SYNC, NULL, 0, AU_INSTALL_INSTALL },
	{ "health agent", "MsiInstaller", 1033, { "Microsoft Azure AD Connect Health agent for sync", "4.5.2520.0", "1033", "0" }, NULL, 0, NULL, NULL, 0, AU_INSTALL_INSTALL },
	{ "agent updater", "MsiInstaller", 1033, { "Microsoft Entra Connect Agent Updater", "1.1.1079.0", "1033", "0" }, NULL, 0, NULL, NULL, 0, AU_INSTALL_INSTALL },
	{ "localdb", "MsiInstaller", 1033, { "Microsoft SQL Server 2019 LocalDB ", "15.0.4153.1", "1033", "0" }, NULL, 0, NULL, NULL, 0, AU_INSTALL_INSTALL },
	{ "updater 11707", "MsiInstaller", 11707, { "Product: Microsoft Entra Connect Agent Updater -- Installation completed successfully." }, NULL, 0, NULL, NULL, 0, AU_INSTALL_INSTALL },
	{ "other id", "MsiInstaller", 1040, { SYNC, "2.5.79.0", "1033", "0" }, NULL, 0, NULL, NULL, 0, AU_INSTALL_INSTALL },
	{ "other provider", "Azure AD Connect Upgrade", 1033, { SYNC, "2.5.79.0", "1033", "0" }, NULL, 0, NULL, NULL, 0, AU_INSTALL_INSTALL },
	{ "nothing", "MsiInstaller", 1033, { NULL }, NULL, 0, NULL, NULL, 0, AU_INSTALL_INSTALL },
};

static void
test_classify(void)
{
	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		const struct cls *c = &cls[i];
		struct au_install *in;
		size_t n = 0;

		while (n < 7 && c->data[n] != NULL)
			n++;
		in = install_classify(c->provider, c->id, 42, "AADC01", 7,
		    (char *const *)c->data, n, c->message);
		check((in != NULL) == c->taken, "%s: %s", c->name,
		    in ? "taken" : "not taken");
		if (in == NULL || !c->taken) {
			au_install_free(in);
			continue;
		}
		check(str_eq(in->product, c->product), "%s: product %s", c->name,
		    show(in->product));
		check(str_eq(in->version, c->version), "%s: version %s, expected %s",
		    c->name, show(in->version), show(c->version));
		check(in->status == c->status, "%s: status %d", c->name, in->status);
		check(install_action(in) == c->action, "%s: action %s", c->name,
		    install_action_name(install_action(in)));
		check(in->event_id == c->id && in->time == 42 && in->record_id == 7 &&
		    str_eq(in->host, "AADC01"), "%s: fields", c->name);
		au_install_free(in);
	}
	check(!install_event_id(1040) && install_event_id(1022) &&
	    install_event_id(11724), "install_event_id");
	check(str_eq(install_action_name(AU_INSTALL_REMOVE), "remove") &&
	    str_eq(install_action_name(AU_INSTALL_PATCH), "patch"), "action names");
}

/* One installer event for a timeline: seconds from a base time. */
static struct au_install *
ev(uint32_t id, int64_t sec, const char *product, const char *version, int status)
{
	struct au_install *in = xcalloc(1, sizeof(*in));

	in->event_id = id;
	in->time = UINT64_C(133000000000000000) + (uint64_t)sec * AU_TICKS_PER_SECOND;
	in->product = xstrdup(product);
	in->version = version != NULL ? xstrdup(version) : NULL;
	in->status = status;
	in->host = xstrdup("AADC01");
	return in;
}

#define DAY 86400

static void
timeline(const char *name, struct au_install **in, size_t n, const char *want,
    const char *want_product)
{
	const struct au_install *cur = install_current(in, n);
	const char *got = cur != NULL ? (cur->version ? cur->version : "(no version)") : NULL;

	check(str_eq(got, want), "%s: installed %s, expected %s", name, show(got),
	    show(want));
	if (want_product != NULL && cur != NULL)
		check(str_eq(cur->product, want_product), "%s: product %s", name,
		    cur->product);
	for (size_t i = 0; i < n; i++)
		au_install_free(in[i]);
}

static void
test_timeline(void)
{
	struct au_install *t[8];

	timeline("empty", t, 0, NULL, NULL);

	t[0] = ev(11707, 0, SYNC, NULL, 0);
	t[1] = ev(1033, 0, SYNC, "2.5.79.0", 0);
	timeline("install pair", t, 2, "2.5.79.0", SYNC);

	/* Upgrade, removal first (RemoveExistingProducts early). */
	t[0] = ev(1033, 0, SYNC, "2.5.79.0", 0);
	t[1] = ev(11707, 1, SYNC, NULL, 0);
	t[2] = ev(11724, 30 * DAY, SYNC, NULL, 0);
	t[3] = ev(1034, 30 * DAY, SYNC, "2.5.79.0", 0);
	t[4] = ev(11707, 30 * DAY + 90, ENTRA, NULL, 0);
	t[5] = ev(1033, 30 * DAY + 90, ENTRA, "2.6.1.0", 0);
	timeline("upgrade", t, 6, "2.6.1.0", ENTRA);

	/* Upgrade, removal of the old build after the new one is in. */
	t[0] = ev(1033, 0, ENTRA, "2.6.1.0", 0);
	t[1] = ev(1033, 10 * DAY, ENTRA, "2.6.3.0", 0);
	t[2] = ev(11707, 10 * DAY, ENTRA, NULL, 0);
	t[3] = ev(11724, 10 * DAY + 5, ENTRA, NULL, 0);
	t[4] = ev(1034, 10 * DAY + 5, ENTRA, "2.6.1.0", 0);
	timeline("removal after install", t, 5, "2.6.3.0", NULL);

	t[0] = ev(1033, 0, ENTRA, "2.6.1.0", 0);
	t[1] = ev(1034, DAY, ENTRA, "2.6.1.0", 0);
	timeline("uninstalled", t, 2, NULL, NULL);

	t[0] = ev(1033, 0, ENTRA, "2.6.1.0", 0);
	t[1] = ev(11724, DAY, ENTRA, NULL, 0);
	timeline("uninstalled, text only", t, 2, NULL, NULL);

	t[0] = ev(1033, 0, ENTRA, "2.6.1.0", 0);
	t[1] = ev(1034, DAY, ENTRA, "2.6.1.0", 1603);
	timeline("removal failed", t, 2, "2.6.1.0", NULL);

	t[0] = ev(1033, 0, SYNC, "2.5.79.0", 0);
	t[1] = ev(11708, DAY, ENTRA, NULL, -1);
	t[2] = ev(1033, DAY, ENTRA, "2.6.1.0", 1603);
	timeline("failed upgrade", t, 3, "2.5.79.0", SYNC);

	t[0] = ev(1033, 0, ENTRA, "2.6.1.0", 0);
	t[1] = ev(1034, DAY, ENTRA, "2.6.1.0", 0);
	t[2] = ev(1033, DAY + 600, ENTRA, "2.5.79.0", 0);
	timeline("downgrade", t, 3, "2.5.79.0", NULL);

	t[0] = ev(11707, 0, ENTRA, NULL, 0);
	timeline("version unknown", t, 1, "(no version)", ENTRA);

	/* The store keeps "" for no version. */
	t[0] = ev(1033, 0, ENTRA, "2.6.1.0", 0);
	t[1] = ev(11707, 1, ENTRA, "", 0);
	timeline("stored empty version", t, 2, "2.6.1.0", NULL);

	/* Wizard and sync engine: the later; removing one leaves the other. */
	t[0] = ev(1033, 0, WIZARD, "2.1.20.0", 0);
	t[1] = ev(1033, 60, SYNC, "2.1.20.0", 0);
	t[2] = ev(1034, DAY, WIZARD, "2.1.20.0", 0);
	timeline("wizard removed", t, 3, "2.1.20.0", SYNC);

	t[0] = ev(1033, 0, ENTRA, "2.6.1.0", 0);
	t[1] = ev(1022, DAY, ENTRA, NULL, 0);
	timeline("patch", t, 2, "2.6.1.0", NULL);

	/* Removing a version that is not installed changes nothing. */
	t[0] = ev(1033, 0, ENTRA, "2.6.1.0", 0);
	t[1] = ev(1034, DAY, ENTRA, "2.5.79.0", 0);
	timeline("other version removed", t, 2, "2.6.1.0", NULL);

	/* A repair (the same build again) and a tie in time: input order. */
	t[0] = ev(1033, 0, ENTRA, "2.6.1.0", 0);
	t[1] = ev(1033, 0, ENTRA, "2.6.3.0", 0);
	timeline("tie", t, 2, "2.6.3.0", NULL);
}

int
main(void)
{
	test_products();
	test_classify();
	test_timeline();
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
