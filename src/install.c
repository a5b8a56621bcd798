/* install.c: MsiInstaller events for Connect products: the product, its version and the outcome. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "install.h"
#include "xmalloc.h"

static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

int
install_is_connect_product(const char *name)
{
	return name != NULL && (contains_ci(name, "Azure AD Connect") ||
	    contains_ci(name, "Entra Connect"));
}

int
install_event_id(uint32_t event_id)
{
	return event_id == 1033 || event_id == 11707;
}

/*
 * MsiInstaller 1033: Data = Name, Version, Language, Status, Manufacturer.
 * MsiInstaller 11707: Data[0] = "Product: NAME -- Installation completed
 * successfully." (no version).
 */
struct au_install *
install_classify(const char *provider, uint32_t event_id, uint64_t time,
    const char *host, uint64_t record_id, char *const *v, size_t n,
    const char *message)
{
	struct au_install *in;
	char *product = NULL, *version = NULL, *end;
	int status = -1;

	(void)message;
	if (provider == NULL || strcasecmp(provider, "MsiInstaller") != 0)
		return NULL;
	if (event_id == 1033 && n >= 2) {
		product = xstrdup(v[0]);
		version = xstrdup(v[1]);
		if (n >= 4 && v[3][0] != '\0') {
			long s = strtol(v[3], &end, 10);
			if (*end == '\0')
				status = (int)s;
		}
	} else if (event_id == 11707 && n >= 1 &&
	    strncmp(v[0], "Product: ", 9) == 0) {
		const char *start = v[0] + 9;
		const char *sep = strstr(start, " -- ");
		product = sep != NULL ? xstrndup(start, (size_t)(sep - start)) :
		    xstrdup(start);
		status = 0;
	}
	if (!install_is_connect_product(product)) {
		free(product);
		free(version);
		return NULL;
	}
	in = xcalloc(1, sizeof(*in));
	in->product = product;
	in->version = version;
	in->status = status;
	in->event_id = event_id;
	in->time = time;
	in->record_id = record_id;
	in->host = xstrdup(host != NULL ? host : "");
	return in;
}
