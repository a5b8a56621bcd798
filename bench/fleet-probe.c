/* fleet-probe.c: times the fleet view in-process, from the summaries or from every event (for comparison). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyse.h"
#include "store.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct au_error *
add_summary(void *arg, struct au_host_report *hr)
{
	analyse_report_add(arg, hr);
	return NULL;
}

static struct au_error *
add_events(void *arg, struct au_event **events, size_t nevents,
    struct au_install **installs, size_t ninstalls)
{
	struct au_host_report *hr = analyse_host(events, nevents, installs, ninstalls);

	analyse_host_drop_events(hr);
	analyse_report_add(arg, hr);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct au_store *store = NULL;
	struct au_error *err;
	struct au_report rep;
	struct au_fleet fleet;
	double t0 = now();
	int from_events;

	if (argc != 3 || (strcmp(argv[2], "summary") != 0 &&
	    strcmp(argv[2], "events") != 0)) {
		fprintf(stderr, "usage: fleet-probe DB summary|events\n");
		return 2;
	}
	from_events = strcmp(argv[2], "events") == 0;
	analyse_report_init(&rep, analyse_now());
	if ((err = store_open(argv[1], 0, &store)) == NULL)
		err = from_events ? store_each_host(store, NULL, add_events, &rep) :
		    store_each_summary(store, NULL, add_summary, &rep);
	if (err != NULL) {
		fprintf(stderr, "fleet-probe: %s: %s\n", err->where ? err->where : "",
		    err->msg);
		return 1;
	}
	analyse_report_sort(&rep);
	analyse_fleet(&rep, NULL, &fleet);
	printf("%.3f s, %zu hosts, %zu upgraded, %zu blocked, %zu codes\n",
	    now() - t0, fleet.nhosts, fleet.verdicts[AU_VERDICT_UPGRADED],
	    fleet.verdicts[AU_VERDICT_BLOCKED], fleet.ncodes);
	analyse_fleet_free(&fleet);
	analyse_report_free(&rep);
	store_close(store);
	return 0;
}
