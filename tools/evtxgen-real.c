/* evtxgen: "realistic" mode, a busy Azure AD Connect server's Application log. */
#define _POSIX_C_SOURCE 200809L
#include "evtxgen.h"

#include <string.h>

#define MAXDATA 16

/* Data format tokens: %p pid, %n number 1..65535, %x 8 hex digits, %g GUID, %t ISO time of the
   event, %s seconds 0..59, %u small count 0..999, %% percent. */
typedef struct {
	const char *prov;
	uint16_t id, qual;
	uint8_t level;
	uint16_t task;
	unsigned weight;
	const char *data[MAXDATA];
} kind_t;

#define UPG "Azure AD Connect Upgrade"
#define AAD "Microsoft Azure AD Connect synchronization services"

/*
 * Weights are relative frequencies. On a busy server (about 3,000 events a
 * day) the sync engine dominates; the upgrade source's other events come a
 * couple of times a day and installer events of the product itself about
 * once a week, so that, as on real servers, about a quarter of the 64 KiB
 * chunks hold the upgrade source's name.
 */
static kind_t kinds[] = {
	/* MsiInstaller */
	{ "MsiInstaller", 1033, 0, 4, 0, 1, { AAD, "1.1.110.0", "1033", "0", "Microsoft Corporation", "(NULL)" } },
	{ "MsiInstaller", 11707, 0, 4, 0, 1, { "Product: " AAD " -- Installation completed successfully.", "(NULL)", "(NULL)", "(NULL)", "(NULL)", "(NULL)", "" } },
	{ "MsiInstaller", 1040, 0, 4, 0, 10, { "C:\\Windows\\Installer\\%x.msi", "%p", "(NULL)", "(NULL)", "(NULL)", "(NULL)", "" } },
	{ "MsiInstaller", 1042, 0, 4, 0, 10, { "%p", "(NULL)", "(NULL)", "(NULL)", "(NULL)", "(NULL)", "" } },
	{ "MsiInstaller", 1035, 0, 4, 0, 3, { "Microsoft SQL Server 2012 Native Client ", "11.4.7462.6", "1033", "0", "Microsoft Corporation", "(NULL)" } },
	/* ESENT, including 325-327 inside 300-399 */
	{ "ESENT", 325, 0, 4, 1, 200, { "svchost", "%p,D,50", "", "The database engine created a new database (1, C:\\Windows\\system32\\LogFiles\\Sum\\Svc.mdb). (Time=0 seconds)" } },
	{ "ESENT", 326, 0, 4, 1, 400, { "SearchIndexer", "%p,D,0", "Windows: ", "1", "C:\\ProgramData\\Microsoft\\Search\\Data\\Applications\\Windows\\Windows.edb", "0", "[1] 0.000, [2] 0.000, [3] 0.000, [4] 0.000, [5] 0.000, [6] 0.000, [7] 0.000, [8] 0.000, [9] 0.000, [10] 0.000, [11] 0.000, [12] 0.000.", "Saved Cache: 1 0" } },
	{ "ESENT", 327, 0, 4, 1, 400, { "SearchIndexer", "%p,D,0", "Windows: ", "1", "C:\\ProgramData\\Microsoft\\Search\\Data\\Applications\\Windows\\Windows.edb", "[1] 0.000, [2] 0.000, [3] 0.000, [4] 0.000, [5] 0.000, [6] 0.000, [7] 0.015, [8] 0.000, [9] 0.000, [10] 0.000, [11] 0.000, [12] 0.016, [13] 0.000, [14] 0.000, [15] 0.000.", "0" } },
	{ "ESENT", 916, 0, 4, 1, 100, { "svchost", "%p,G,98", "", "Large Pages", "ESE_LARGE_PAGES_ENABLED", "0", "2" } },
	{ "ESENT", 102, 0, 4, 0, 150, { "svchost", "%p,R,98", "TILEREPOSITORYS-1-5-18: ", "10.0.17763.1" } },
	{ "ESENT", 103, 0, 4, 0, 150, { "svchost", "%p,R,98", "TILEREPOSITORYS-1-5-18: " } },
	{ "ESENT", 105, 0, 4, 0, 80, { "Windows", "%p,D,0", "", "10.0.17763.1" } },
	/* Directory Synchronization and ADSync: the sync scheduler and management agents */
	{ "Directory Synchronization", 904, 0, 4, 0, 3000, { "Scheduler::SetRuntimeSetting : Successfully persisted runtime state for SyncCycleInProgress: %u" } },
	{ "Directory Synchronization", 904, 0, 4, 0, 1500, { "Scheduler::StartSyncCycle : Starting a Delta sync cycle. Customer's preferred sync interval is 30 minutes." } },
	{ "Directory Synchronization", 904, 0, 4, 0, 1500, { "Scheduler::RunPolicyStep : Sync cycle finished at %t." } },
	{ "Directory Synchronization", 905, 0, 4, 0, 400, { "SyncEngine::StartSyncCycle : The sync cycle took %s seconds to complete." } },
	{ "Directory Synchronization", 906, 0, 4, 0, 300, { "GetSecurityDescriptor: %g" } },
	{ "Directory Synchronization", 611, 0, 2, 0, 30, { "Password hash synchronization failed for domain: contoso.local, domain controller hostname: DC01.contoso.local, domain controller IP address: 10.0.0.4. Details: Microsoft.IdentityManagement.PowerShell.ObjectModel.SynchronizationConfigurationValidationException" } },
	{ "Directory Synchronization", 656, 0, 4, 0, 400, { "Password Change Request - Anchor : %x, Dn : CN=User%u,OU=Staff,DC=contoso,DC=local, Change Date : %t" } },
	{ "Directory Synchronization", 657, 0, 4, 0, 400, { "Password Change Result - Anchor : %x, Dn : CN=User%u,OU=Staff,DC=contoso,DC=local, Result : Success, Change Date : %t" } },
	{ "ADSync", 6100, 0, 4, 0, 3000, { "contoso.onmicrosoft.com - AAD", "Delta Import" } },
	{ "ADSync", 6100, 0, 4, 0, 3000, { "contoso.local", "Delta Synchronization" } },
	{ "ADSync", 6946, 0, 4, 0, 1200, { "contoso.onmicrosoft.com - AAD", "Export", "%u" } },
	{ "ADSync", 6126, 0, 3, 0, 150, { "contoso.local", "completed-sync-errors" } },
	{ "ADSync", 6127, 0, 3, 0, 80, { "contoso.onmicrosoft.com - AAD", "completed-export-errors" } },
	{ "ADSync", 6803, 0, 2, 0, 20, { "contoso.onmicrosoft.com - AAD", "stopped-extension-dll-exception" } },
	/* Application Error / Windows Error Reporting */
	{ "Application Error", 1000, 0, 2, 100, 60, { "miiserver.exe", "1.1.110.0", "5c0f1bd2", "KERNELBASE.dll", "10.0.17763.1852", "d5cf73ba", "e0434352", "000000000003a839", "%x", "01da%x", "C:\\Program Files\\Microsoft Azure AD Sync\\Bin\\miiserver.exe", "C:\\Windows\\System32\\KERNELBASE.dll", "%g", "", "" } },
	{ "Application Error", 1000, 0, 2, 100, 30, { "svchost.exe_WerSvc", "10.0.17763.1", "3a9c3a1c", "ntdll.dll", "10.0.17763.2090", "6b7d4a26", "c0000005", "000000000004f2a1", "%x", "01da%x", "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\SYSTEM32\\ntdll.dll", "%g", "", "" } },
	{ "Windows Error Reporting", 1001, 0, 4, 0, 100, { "0", "APPCRASH", "Not available", "0", "miiserver.exe", "1.1.110.0", "5c0f1bd2", "KERNELBASE.dll", "10.0.17763.1852", "d5cf73ba", "e0434352", "000000000003a839", "", "", "", "" } },
	{ "Windows Error Reporting", 1001, 0, 4, 0, 60, { "%n%n", "0", "StoreAgentScanForUpdatesFailure0", "Not available", "0", "Update;", "8024500c", "", "", "", "", "", "", "", "", "" } },
	{ "Application Hang", 1002, 0, 2, 101, 20, { "mmc.exe", "10.0.17763.1697", "%x", "0", "01da%x", "0", "C:\\Windows\\system32\\mmc.exe", "%g", "", "", "Unknown" } },
	/* Software Protection Platform */
	{ "Microsoft-Windows-Security-SPP", 16384, 16384, 4, 0, 600, { "%t", "RulesEngine" } },
	{ "Microsoft-Windows-Security-SPP", 16394, 16384, 4, 0, 600, {0} },
	{ "Microsoft-Windows-Security-SPP", 903, 16384, 4, 0, 400, {0} },
	{ "Microsoft-Windows-Security-SPP", 902, 16384, 4, 0, 400, { "10.0.17763.1" } },
	{ "Microsoft-Windows-Security-SPP", 1003, 16384, 4, 0, 200, { "55c92734-d682-4d71-983e-d6ec3f16059f", "" } },
	{ "Microsoft-Windows-Security-SPP", 8198, 49152, 2, 0, 40, { "hr=0x80072EE7, Command-line: 'RulesEngine'", "" } },
	/* SQL Server Express holding the ADSync database */
	{ "MSSQL$ADSYNC", 17137, 16384, 4, 2, 600, { "ADSync" } },
	{ "MSSQL$ADSYNC", 3408, 16384, 4, 2, 50, { "Recovery is complete. This is an informational message only. No user action is required." } },
	{ "MSSQL$ADSYNC", 17101, 16384, 4, 2, 30, { "(c) Microsoft Corporation." } },
	{ "MSSQL$ADSYNC", 18456, 49152, 0, 4, 50, { "CONTOSO\\svc-sql", " Reason: Could not find a login matching the name provided.", " [CLIENT: <local machine>]" } },
	{ "MSSQL$ADSYNC", 8128, 16384, 4, 2, 40, { "6.0.6.0", "Microsoft.AzureAD.Sync.SqlClr", "%u" } },
	{ "SQLWriter", 24583, 0, 2, 0, 20, { "Sqllib error: OLEDB Error encountered calling ICommandText::Execute. hr = 0x80040e14." } },
	/* VSS, Winlogon, Wlclntfy, SecurityCenter, gupdate, others */
	{ "VSS", 8224, 0, 4, 0, 600, {0} },
	{ "VSS", 8193, 0, 2, 0, 20, { "Volume Shadow Copy Service error: Unexpected error calling routine CoCreateInstance.  hr = 0x80040154, Class not registered", "", "" } },
	{ "Winlogon", 6000, 0, 4, 0, 150, { "SessionEnv" } },
	{ "Winlogon", 6003, 0, 4, 0, 150, { "SessionEnv" } },
	{ "Wlclntfy", 6000, 0, 4, 0, 150, { "GPClient" } },
	{ "Wlclntfy", 6001, 0, 4, 0, 100, { "GPClient" } },
	{ "SecurityCenter", 1, 0, 4, 0, 30, {0} },
	{ "SecurityCenter", 15, 0, 4, 0, 200, { "Windows Defender", "SECURITY_PRODUCT_STATE_ON" } },
	{ "gupdate", 0, 0, 4, 0, 80, { "Service started" } },
	{ ".NET Runtime", 1026, 0, 2, 0, 30, { "Application: miiserver.exe\nFramework Version: v4.0.30319\nDescription: The process was terminated due to an unhandled exception.\nException Info: System.InvalidOperationException\n   at Microsoft.MetadirectoryServices.Scheduler.Scheduler.Run()" } },
	{ ".NET Runtime Optimization Service", 1101, 0, 2, 0, 20, { ".NET Runtime Optimization Service (clr_optimization_v4.0.30319_64) - Failed to compile: Microsoft.Online.Deployment.Types, Version=1.1.110.0 . Error code = 0x80131018" } },
	{ "Desktop Window Manager", 9027, 16384, 4, 0, 50, {0} },
	{ "SceCli", 1704, 0, 4, 0, 120, {0} },
	{ "LoadPerf", 1000, 0, 4, 0, 40, { "WmiApRpl", "WmiApRpl", "%n" } },
	{ "LoadPerf", 1001, 0, 4, 0, 40, { "WmiApRpl", "WmiApRpl" } },
	{ "Microsoft-Windows-CAPI2", 4097, 0, 4, 0, 60, { "Successfully auto updated third-party root certificate:: Subject: <CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US> Sha1 thumbprint: <DF3C24F9BFD666761B268073FE06D1CC8D4F82A4>." } },
	{ "EventSystem", 4625, 16384, 4, 0, 20, { "86400", "SuppressDuplicateDuration", "Software\\Microsoft\\EventSystem\\EventLog" } },
	{ "User32", 1074, 32768, 4, 0, 10, { "C:\\Windows\\system32\\svchost.exe (AADC01)", "AADC01", "Operating System: Service pack (Planned)", "0x80020010", "restart", "", "NT AUTHORITY\\SYSTEM" } },
	{ "Microsoft-Windows-User Profiles Service", 1531, 0, 4, 0, 20, {0} },
	{ "Microsoft-Windows-RestartManager", 10000, 0, 4, 0, 40, { "%u", "%t" } },
	{ "Microsoft-Windows-RestartManager", 10001, 0, 4, 0, 40, { "%u", "%t" } },
	{ "AzureADConnectHealthSyncMonitor", 1001, 0, 4, 0, 400, { "Successfully uploaded %u sync events." } },
	{ "AzureADConnectHealthSyncInsights", 1002, 0, 4, 0, 400, { "Sync insights upload completed. Run profile results: %u" } },
	{ "PowerShell", 300, 0, 4, 0, 50, { "Settings: \n\tProviderName=Registry\n\tNewProviderState=Started\n\n\tSequenceNumber=%u" } },
	{ "Microsoft-Windows-Perflib", 1008, 0, 2, 0, 20, { "BITS", "C:\\Windows\\System32\\bitsperf.dll", "2", "" } },
	/* the upgrade source's own events outside 300-399 */
	{ UPG, 100, 0, 4, 0, 12, { "Azure AD Connect AutoUpgrade: Checking for an available upgrade." } },
	{ UPG, 1000, 0, 4, 0, 4, { "Azure AD Connect AutoUpgrade: the server is running version 1.1.110.0; AutoUpgradeState = Enabled." } },
	{ UPG, 200, 0, 4, 0, 1, { "Azure AD Connect AutoUpgrade: downloaded package https://download.msappproxy.net/Subscription/%g/Upgrade/AzureADConnect.msi" } },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])
/* filled at start */
static const estr_t *kind_p[NKINDS];
static int kind_tkey[NKINDS];
static unsigned kind_ndata[NKINDS];

/* automatic-upgrade results (source "Azure AD Connect Upgrade", IDs 300-399) */
typedef struct {
	const char *code;
	uint16_t id;
	uint8_t level;
	unsigned weight;
} upg_t;

static upg_t upgs[] = {
	{ "UpgradeAbortedSyncExeInUse", 300, 3, 40},
	{ "UpgradeAbortedCouldNotSetUpgradeMarker", 301, 3, 6},
	{ "UpgradeAbortedInsufficientDatabasePermissions", 302, 3, 6},
	{ "UpgradeAbortedInsufficientDiskSpace", 303, 3, 6},
	{ "UpgradeAbortedInsufficientMemory", 304, 3, 4},
	{ "UpgradeAbortedSyncCycleDisabled", 305, 3, 10},
	{ "UpgradeAbortedSyncOrConfigurationInProgress", 306, 3, 20},
	{ "UpgradeAbortedCouldNotCheckForUpgrade", 307, 3, 8},
	{ "UpgradeAbortedAdfsSignInMethod", 308, 3, 3},
	{ "UpgradeNotSupportedCustomizedSyncRules", 320, 4, 3},
	{ "UpgradeNotSupportedStagingModeEnabled", 321, 4, 2},
	{ "UpgradeNotSupportedNonLocalDbInstall", 322, 4, 2},
	{ "UpgradeNotSupportedMultiForestSetup", 323, 4, 1},
	{ "UpgradeNotSupportedGroupWritebackEnabled", 324, 4, 1},
	{ "UpgradeNotSupportedDeviceWritebackEnabled", 325, 4, 1},
	{ "UpgradeNotSupportedInvalidPersistedState", 326, 4, 1},
	{ "UpgradeNotSupportedMetaverseSizeExceeded", 327, 4, 1},
	{ "UpgradeFailedRollbackSuccess", 340, 2, 1},
	{ "PreUpgradeFailure", 341, 2, 1},
	{ "Success", 399, 4, 2},
};
#define NUPGS (sizeof upgs / sizeof upgs[0])

static unsigned kind_total, upg_total;

static uint64_t rng;

static inline uint64_t rnd(void)
{
	return splitmix64(&rng);
}
static inline uint64_t rndn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static char sbuf[32768];		/* UTF-8 data strings */
static const char *sptr[MAXDATA];
static uint16_t arr[32768];

static char *put_hex(char *p, uint64_t v, int digits)
{
	static const char hx[] = "0123456789abcdef";
	for (int i = digits - 1; i >= 0; i--)
		*p++ = hx[(v >> (4 * i)) & 15];
	return p;
}
static char *put_dec(char *p, uint64_t v)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = t[--n];
	return p;
}

/* expands fmt into p; returns end (NUL written) */
static char *expand_fmt(char *p, const char *fmt, uint64_t ft)
{
	for (const char *f = fmt; *f; f++) {
		if (*f != '%' || !f[1]) {
			*p++ = *f;
			continue;
		}
		switch (*++f) {
		case 'p': p = put_dec(p, 4 * (100 + rndn(2400))); break;
		case 'n': p = put_dec(p, 1 + rndn(65535)); break;
		case 'u': p = put_dec(p, rndn(1000)); break;
		case 's': p = put_dec(p, rndn(60)); break;
		case 'x': p = put_hex(p, rnd(), 8); break;
		case 'g': {
			uint64_t a = rnd(), b = rnd();
			*p++ = '{';
			p = put_hex(p, a >> 32, 8); *p++ = '-';
			p = put_hex(p, a >> 16, 4); *p++ = '-';
			p = put_hex(p, a, 4); *p++ = '-';
			p = put_hex(p, b >> 48, 4); *p++ = '-';
			p = put_hex(p, b, 12);
			*p++ = '}';
			break;
		}
		case 't': {
			char t[32];
			format_time(ft, t);
			memcpy(p, t, 19);	/* seconds precision */
			p += 19;
			*p++ = 'Z';
			break;
		}
		default: *p++ = *f; break;
		}
	}
	*p++ = 0;
	return p;
}

static void emit_kind(writer_t *w, ev_t *ev, size_t q, uint64_t ft, uint64_t rid)
{
	const kind_t *k = &kinds[q];
	char *p = sbuf;
	size_t units = 0;
	for (unsigned i = 0; i < kind_ndata[q]; i++) {
		sptr[i] = p;
		char *e = expand_fmt(p, k->data[i], ft);
		long n = utf8_to_16(p, (size_t)(e - 1 - p), arr + units, sizeof arr / 2 - units - 1);
		if (n < 0)
			die("internal: bad realistic string");
		units += (size_t)n;
		arr[units++] = 0;
		p = e;
	}
	ev->prov = kind_p[q];
	ev->tkey = kind_tkey[q];
	ev->event_id = k->id;
	ev->qualifiers = k->qual;
	ev->level = k->level;
	ev->task = k->task;
	ev->ft = ft;
	ev->rid = rid;
	ev->ndata = kind_ndata[q];
	ev->data8 = sptr;
	ev->arr16 = arr;
	ev->arr16_n = units;
	writer_emit(w, ev);
}

uint64_t realistic_run(writer_t *w, const realistic_t *r)
{
	rng = r->seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	const estr_t *comp = intern(r->computer), *chan = intern(r->channel);
	kind_total = 0;
	for (size_t i = 0; i < NKINDS; i++) {
		kind_p[i] = intern(kinds[i].prov);
		kind_tkey[i] = tkey_get(kind_p[i], chan, comp);
		unsigned n = 0;
		while (n < MAXDATA && kinds[i].data[n])
			n++;
		kind_ndata[i] = n;
		kind_total += kinds[i].weight;
	}
	upg_total = 0;
	for (size_t i = 0; i < NUPGS; i++)
		upg_total += upgs[i].weight;
	const estr_t *upg_p = intern(UPG);
	int upg_tkey = tkey_get(upg_p, chan, comp);

	ev_t ev;
	memset(&ev, 0, sizeof ev);
	ev.chan = chan;
	ev.comp = comp;
	ev.keywords = 0x80000000000000ULL;
	uint64_t rid = r->first_rid;
	const uint64_t day = 864000000000ULL;
	if (r->target_bytes && r->events_per_day == 0 && r->upg_max == 0)
		die("realistic: \"target_bytes\" needs events (events_per_day or upgrade_events_per_day > 0)");

	for (long d = 0; r->target_bytes ? 1 : d < r->days; d++) {
		long k = r->upg_min + (long)rndn((uint64_t)(r->upg_max - r->upg_min + 1));
		long n = r->events_per_day + k;
		long uj = 0;
		uint64_t slot = n ? day / (uint64_t)n : day;
		uint64_t base = r->start_ft + (uint64_t)d * day;
		for (long i = 0; i < n; i++) {
			uint64_t ft = base + (uint64_t)i * slot + rndn(slot);
			/* selection sampling: exactly k of the day's n events are upgrade events */
			if (uj < k && (long)rndn((uint64_t)(n - i)) < k - uj) {
				uj++;
				unsigned x = (unsigned)rndn(upg_total);
				size_t u = 0;
				while (x >= upgs[u].weight)
					x -= upgs[u++].weight;
				char *p = sbuf;
				static const char pre[] = "Azure AD Connect AutoUpgrade result = ";
				memcpy(p, pre, sizeof pre - 1);
				size_t cl = strlen(upgs[u].code);
				memcpy(p + sizeof pre - 1, upgs[u].code, cl + 1);
				sptr[0] = sbuf;
				long m = utf8_to_16(sbuf, sizeof pre - 1 + cl, arr, sizeof arr / 2 - 1);
				arr[m] = 0;
				ev.prov = upg_p;
				ev.tkey = upg_tkey;
				ev.event_id = upgs[u].id;
				ev.qualifiers = 0;
				ev.level = upgs[u].level;
				ev.task = 0;
				ev.ft = ft;
				ev.rid = rid++;
				ev.ndata = 1;
				ev.data8 = sptr;
				ev.arr16 = arr;
				ev.arr16_n = (size_t)m + 1;
				writer_emit(w, &ev);
			} else {
				unsigned x = (unsigned)rndn(kind_total);
				size_t q = 0;
				while (x >= kinds[q].weight)
					x -= kinds[q++].weight;
				emit_kind(w, &ev, q, ft, rid++);
			}
			if (r->target_bytes && writer_bytes(w) >= r->target_bytes)
				return rid;
		}
	}
	return rid;
}
