/*
 * fuzz-form.c: one export form's reader, built once per form (FORM is
 * INPUT_XML, INPUT_EVCSV, INPUT_JSON or INPUT_ARCHIVE). For CSV the first
 * byte picks Event Viewer CSV, its tab-delimited text or PowerShell's
 * Export-Csv; for archives the bytes are the archive.
 */
#include "fuzz-common.h"
#include "input-archive.h"
#include "input.h"

#ifndef FORM
#error "FORM is one of INPUT_XML, INPUT_EVCSV, INPUT_JSON, INPUT_ARCHIVE"
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum input_form csv[] = { INPUT_EVCSV, INPUT_EVTXT, INPUT_PSCSV };
	enum input_form form = FORM;
	struct au_ingest_opts opts;
	struct au_file_stats st;
	struct fuzz_count c;
	struct au_ingest_sink sink = fuzz_sink(&c);
	struct au_error *err;
	char path[64];
	int fd;

	if (size > (4u << 20))
		return 0;
	if (form == INPUT_EVCSV) {
		if (size == 0)
			return 0;
		form = csv[data[0] % 3];
		data++;
		size--;
	}
	ingest_opts_default(&opts);
	opts.installs = 1;
	opts.computer = "FUZZ01.contoso.local";
	memset(&st, 0, sizeof(st));
	fd = fuzz_memfd(data, size, path, sizeof(path));
	if (form == INPUT_ARCHIVE) {
		err = archive_read(fd, "fuzz.zip", &opts, &sink, &st, 0);
	} else {
		struct input_src *src = calloc(1, sizeof(*src));

		if (src == NULL)
			abort();
		src->fd = fd;
		src->name = "fuzz-input";
		err = input_text(src, form, &opts, &sink, &st);
		free(src);
	}
	au_error_free(err);
	au_file_stats_clear(&st);
	close(fd);
	return 0;
}
