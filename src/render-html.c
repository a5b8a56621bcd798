/* render-html.c: the report and the fleet as one self-contained HTML5 page with SVG charts (no script). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "classify.h"
#include "install.h"
#include "render.h"
#include "xmalloc.h"

#define HTML_MAX_HOST 200
#define HTML_MAX_FIELD 300
#define HTML_MAX_MESSAGE 600

/* Chart geometry, in SVG user units (the charts scale to the page width). */
#define CHART_W 760
#define BAR_H 22
#define BAR_GAP 6
#define BAR_LABEL_W 110
#define TL_LEFT 110
#define TL_RIGHT 20
#define TL_LANE 22
#define TL_TOP 10

/*
 * Writes s as HTML text or attribute value: first made visible as in the
 * text report (control and bidi characters as \xNN / \uNNNN, so nothing
 * can reorder or hide the page's text), then & < > " ' as entities, so
 * markup in event data is shown, never parsed.
 */
static void
html_put(FILE *out, const char *s, size_t max)
{
	char *esc = render_escape(s, max, RENDER_ESC_TEXT);

	for (const char *p = esc; *p != '\0'; p++) {
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*p, out); break;
		}
	}
	free(esc);
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* A CSS class name for a category ("cat-UpgradeAborted"). */
static const char *
html_cat_class(enum au_category cat)
{
	switch (cat) {
	case AU_CAT_SUCCESS:       return "cat-success";
	case AU_CAT_ABORTED:       return "cat-aborted";
	case AU_CAT_NOT_SUPPORTED: return "cat-notsupported";
	case AU_CAT_FAILED:        return "cat-failed";
	case AU_CAT_OTHER:         return "cat-other";
	case AU_CAT_NONE:          break;
	}
	return "cat-none";
}

/* Anchor of a server's section: from its name in lower case, not its rank. */
static void
html_anchor(char buf[24], const char *host)
{
	uint64_t h = UINT64_C(14695981039346656037);   /* FNV-1a */

	for (const char *p = host ? host : ""; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		h ^= (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
		h *= UINT64_C(1099511628211);
	}
	snprintf(buf, 24, "h-%016" PRIx64, h);
}

/* The build a server runs, as install.c judges it from the installer events. */
static const struct au_install *
html_installed(const struct au_host_report *hr)
{
	const struct au_install *in = install_current(hr->installs, hr->ninstalls);

	return in != NULL && in->version != NULL ? in : NULL;
}

static const char html_style[] =
	":root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa}\n"
	"*{box-sizing:border-box}\n"
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
	"color:var(--fg);background:var(--bg);margin:0 auto;max-width:1100px;padding:24px}\n"
	"h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.3em;margin:28px 0 8px;"
	"border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:1.05em;margin:18px 0 6px}\n"
	"p.meta{color:var(--muted);margin:0 0 12px}\n"
	"code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 12px}\n"
	"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}\n"
	"th{background:var(--soft);font-weight:600}\n"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.break,dd.break{overflow-wrap:anywhere}td.nowrap{white-space:nowrap}\n"
	"tr.member td:first-child{padding-left:1.75em}\n"
	"#servers td:first-child{min-width:14em}\n"
	".badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:.8em;"
	"font-weight:700;letter-spacing:.04em;text-transform:uppercase;vertical-align:middle}\n"
	".v-failed{background:#7f1d1d}.v-blocked{background:#c62828}.v-unknown{background:#6a1b9a}"
	".v-retrying{background:#b26a00}.v-no-result{background:#546e7a}.v-silent{background:#455a64}"
	".v-upgraded{background:#2e7d32}\n"
	".s-recalled{background:#6a1b9a}.s-below-floor{background:#7f1d1d}.s-retired{background:#c62828}"
	".s-retiring{background:#b26a00}.s-unknown{background:#546e7a}.s-supported{background:#2e7d32}\n"
	"svg .v-failed{fill:#7f1d1d}svg .v-blocked{fill:#c62828}svg .v-unknown{fill:#6a1b9a}"
	"svg .v-retrying{fill:#e69500}svg .v-no-result{fill:#78909c}svg .v-silent{fill:#607d8b}"
	"svg .v-upgraded{fill:#2e7d32}\n"
	"svg .s-recalled{fill:#6a1b9a}svg .s-below-floor{fill:#7f1d1d}svg .s-retired{fill:#c62828}"
	"svg .s-retiring{fill:#e69500}svg .s-unknown{fill:#78909c}svg .s-supported{fill:#2e7d32}\n"
	"svg .cat-success{fill:#2e7d32}svg .cat-aborted{fill:#e69500}svg .cat-notsupported{fill:#c62828}"
	"svg .cat-failed{fill:#7f1d1d}svg .cat-other{fill:#6a1b9a}svg .cat-none{fill:#9e9e9e}\n"
	"svg text{font:12px system-ui,sans-serif;fill:var(--fg)}svg text.muted{fill:var(--muted)}\n"
	"svg line{stroke:var(--line)}svg.chart{width:100%;height:auto;display:block;margin:6px 0}\n"
	"tr.row-failed td:first-child,tr.row-blocked td:first-child{border-left:4px solid #c62828}"
	"tr.row-unknown td:first-child{border-left:4px solid #6a1b9a}"
	"tr.row-retrying td:first-child{border-left:4px solid #e69500}"
	"tr.row-no-result td:first-child,tr.row-silent td:first-child{border-left:4px solid #78909c}"
	"tr.row-upgraded td:first-child{border-left:4px solid #2e7d32}\n"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:8px 0}\n"
	"dl.facts dt{font-weight:600;color:var(--muted)}dl.facts dd{margin:0}\n"
	".todo{background:#fff8e1;border-left:4px solid #e69500;padding:8px 12px;margin:8px 0}\n"
	".flag{color:#8a4b00;font-weight:600}\n"
	"section.host{margin-top:26px}\n"
	"a{color:#0550ae}\n"
	"footer{margin-top:32px;color:var(--muted);font-size:.85em}\n"
	"@media print{body{max-width:none;padding:0;font-size:10pt}"
	"a{color:inherit;text-decoration:none}section.host{break-inside:avoid-page}"
	"h2{break-after:avoid}tr{break-inside:avoid}"
	".badge,.todo,th,svg *{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void
html_head(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    /* Nothing external, nothing run: the page is safe to mail or attach. */
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
	    " style-src 'unsafe-inline'; img-src data:; base-uri 'none';"
	    " form-action 'none'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"aadc-upgrade " PACKAGE_VERSION "\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n<title>", out);
	html_put(out, title, 0);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_style);
}

/*
 * A bar chart of servers by a state: one rect (class "bar PREFIXname",
 * data-ATTR, data-count) per state that has servers, in the states' order
 * (worst first).
 */
static void
html_bar_chart(FILE *out, const char *id, const char *what, const char *attr,
    const char *prefix, const char *(*name_of)(unsigned), const size_t *counts,
    size_t nstates, size_t total)
{
	size_t i, rows = 0, row = 0, max = 1;
	int width = CHART_W - BAR_LABEL_W - 60;

	for (i = 0; i < nstates; i++) {
		if (counts[i] > 0)
			rows++;
		if (counts[i] > max)
			max = counts[i];
	}
	if (rows == 0)
		return;
	fprintf(out, "<svg class=\"chart\" id=\"%s\" role=\"img\""
	    " viewBox=\"0 0 %d %zu\" width=\"%d\" height=\"%zu\""
	    " aria-labelledby=\"%s-title\">\n"
	    "<title id=\"%s-title\">Servers by %s: %zu %s</title>\n",
	    id, CHART_W, rows * (BAR_H + BAR_GAP) + BAR_GAP, CHART_W,
	    rows * (BAR_H + BAR_GAP) + BAR_GAP, id, id, what, total,
	    plural(total, "server", "servers"));
	for (i = 0; i < nstates; i++) {
		const char *name = name_of((unsigned)i);
		size_t y = BAR_GAP + row * (BAR_H + BAR_GAP);
		int w;

		if (counts[i] == 0)
			continue;
		w = (int)((double)width * (double)counts[i] / (double)max);
		if (w < 2)
			w = 2;
		fprintf(out, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">%s</text>"
		    "<rect class=\"bar %s%s\" data-%s=\"%s\" data-count=\"%zu\""
		    " x=\"%d\" y=\"%zu\" width=\"%d\" height=\"%d\" rx=\"3\">"
		    "<title>%s: %zu</title></rect>"
		    "<text x=\"%d\" y=\"%zu\">%zu</text>\n",
		    BAR_LABEL_W - 8, y + BAR_H / 2 + 4, name, prefix, name, attr, name,
		    counts[i], BAR_LABEL_W, y, w, BAR_H, name, counts[i],
		    BAR_LABEL_W + w + 6, y + BAR_H / 2 + 4, counts[i]);
		row++;
	}
	fputs("</svg>\n", out);
}

static const char *
verdict_name(unsigned i)
{
	return au_verdict_name((enum au_verdict)i);
}

static const char *
support_name(unsigned i)
{
	return releases_support_name((enum au_support)i);
}

static void
html_since_cell(FILE *out, const struct au_host_report *hr)
{
	char date[32];
	uint64_t since, count;

	if (hr->latest == NULL) {
		fputs("<td class=\"nowrap\">n/a</td>", out);
		return;
	}
	if (hr->verdict == AU_VERDICT_UPGRADED) {
		fprintf(out, "<td class=\"nowrap\">on %s</td>", render_date(hr->latest->time, date,
		    sizeof(date)));
		return;
	}
	render_since(hr, &since, &count);
	fprintf(out, "<td class=\"nowrap\">%s (%" PRIu64 " in a row)</td>",
	    render_date(since, date, sizeof(date)), count);
}

static void
html_servers_table(FILE *out, const struct au_report *rep)
{
	fputs("<table id=\"servers\">\n<thead><tr><th>Server</th><th>Verdict</th>"
	    "<th>Since</th><th class=\"num\">Attempts</th><th>Latest result</th>"
	    "<th>Installed build</th><th>Support</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < rep->nhosts; i++) {
		const struct au_host_report *hr = rep->hosts[i];
		const struct au_install *in = html_installed(hr);
		const char *v = au_verdict_name(hr->verdict);
		char anchor[24], *res;

		html_anchor(anchor, hr->host);
		fprintf(out, "<tr class=\"row-%s\" data-verdict=\"%s\"><td class=\"break\">"
		    "<a href=\"#%s\">", v, v, anchor);
		html_put(out, hr->host, HTML_MAX_HOST);
		fprintf(out, "</a></td><td><span class=\"badge v-%s\">%s</span></td>", v, v);
		html_since_cell(out, hr);
		fprintf(out, "<td class=\"num\">%" PRIu64 "</td><td class=\"mono break\">",
		    hr->attempts);
		res = render_result(hr->latest);
		html_put(out, res != NULL ? res : "none", HTML_MAX_FIELD);
		free(res);
		fputs("</td><td class=\"mono\">", out);
		html_put(out, in != NULL ? in->version : "unknown", HTML_MAX_FIELD);
		fprintf(out, "</td><td><span class=\"badge s-%s\">%s</span></td></tr>\n",
		    support_name((unsigned)hr->build.support),
		    support_name((unsigned)hr->build.support));
	}
	fputs("</tbody>\n</table>\n", out);
}

struct au_error *
render_html_begin(FILE *out, const char *title, uint64_t as_of,
    const struct au_report *rep)
{
	size_t counts[AU_VERDICT_COUNT] = { 0 }, support[AU_SUPPORT_COUNT] = { 0 };
	char *summary = render_summary(rep);

	for (size_t i = 0; i < rep->nhosts; i++) {
		unsigned v = (unsigned)rep->hosts[i]->verdict;
		unsigned sp = (unsigned)rep->hosts[i]->build.support;
		counts[v < AU_VERDICT_COUNT ? v : AU_VERDICT_UNKNOWN]++;
		support[sp < AU_SUPPORT_COUNT ? sp : AU_SUPPORT_UNKNOWN]++;
	}
	html_head(out, title);
	fputs("<header>\n<h1>", out);
	html_put(out, title, 0);
	fputs("</h1>\n<p class=\"meta\" id=\"summary\">", out);
	html_put(out, summary, 0);
	free(summary);
	if (as_of != 0) {
		char *asof = render_as_of_text(rep);

		fputs("<br>", out);
		html_put(out, asof, 0);
		free(asof);
	}
	fputs("</p>\n</header>\n", out);
	if (rep->nhosts > 0) {
		fputs("<section id=\"overview\">\n<h2>Servers by verdict</h2>\n", out);
		html_bar_chart(out, "verdict-chart", "verdict", "verdict", "v-",
		    verdict_name, counts, AU_VERDICT_COUNT, rep->nhosts);
		fputs("<h2>Servers by support status of their build</h2>\n", out);
		html_bar_chart(out, "support-chart", "support status", "support", "s-",
		    support_name, support, AU_SUPPORT_COUNT, rep->nhosts);
		fputs("<h2>Servers, worst first</h2>\n", out);
		html_servers_table(out, rep);
		fputs("</section>\n", out);
	}
	return ferror(out) ? render_check_io(out) : NULL;
}

/* --- one server ---------------------------------------------------------- */

static const enum au_category tl_lanes[] = {
	AU_CAT_SUCCESS, AU_CAT_ABORTED, AU_CAT_NOT_SUPPORTED, AU_CAT_FAILED, AU_CAT_OTHER,
};
#define TL_NLANES (sizeof(tl_lanes) / sizeof(tl_lanes[0]))

static size_t
tl_lane(enum au_category cat)
{
	for (size_t i = 0; i < TL_NLANES; i++)
		if (tl_lanes[i] == cat)
			return i;
	return TL_NLANES - 1;
}

static double
tl_x(uint64_t t, uint64_t t0, uint64_t t1)
{
	double span = CHART_W - TL_LEFT - TL_RIGHT;

	if (t1 <= t0)
		return TL_LEFT + span / 2;
	return TL_LEFT + span * (double)(t - t0) / (double)(t1 - t0);
}

/* Lanes (one per category), the time axis and its dates. */
static void
tl_frame(FILE *out, const char *id, uint64_t t0, uint64_t t1, const char *what)
{
	char a[32], b[32];
	int h = TL_TOP + (int)TL_NLANES * TL_LANE + 30;

	fprintf(out, "<svg class=\"chart timeline\" id=\"%s\" role=\"img\" viewBox=\"0 0 %d %d\""
	    " width=\"%d\" height=\"%d\"><title>%s</title>\n", id, CHART_W, h,
	    CHART_W, h, what);
	for (size_t i = 0; i < TL_NLANES; i++) {
		int y = TL_TOP + (int)i * TL_LANE + TL_LANE / 2;
		const char *name = au_category_name(tl_lanes[i]);

		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"muted\">%s</text>"
		    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", TL_LEFT - 8, y + 4,
		    tl_lanes[i] == AU_CAT_NOT_SUPPORTED ? "NotSupported" :
		    tl_lanes[i] == AU_CAT_ABORTED ? "Aborted" :
		    tl_lanes[i] == AU_CAT_FAILED ? "Failed" : name,
		    TL_LEFT, y, CHART_W - TL_RIGHT, y);
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"muted\">%s</text>"
	    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"muted\">%s</text>\n",
	    TL_LEFT, h - 8, render_date(t0, a, sizeof(a)),
	    CHART_W - TL_RIGHT, h - 8, render_date(t1, b, sizeof(b)));
	/* A middle date when the span is long enough to read one. */
	if (t1 > t0 && t1 - t0 >= 4 * AU_TICKS_PER_DAY) {
		uint64_t mid = t0 + (t1 - t0) / 2;
		double x = tl_x(mid, t0, t1);

		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
		    " stroke-dasharray=\"2 3\"/><text x=\"%.1f\" y=\"%d\""
		    " text-anchor=\"middle\" class=\"muted\">%s</text>\n", x, TL_TOP,
		    x, TL_TOP + (int)TL_NLANES * TL_LANE, x, h - 8,
		    render_date(mid, a, sizeof(a)));
	}
}

/* Every attempt (event with a result code) as a circle in its category's lane. */
static void
html_timeline_events(FILE *out, const struct au_host_report *hr, const char *id)
{
	uint64_t t0 = hr->first_seen, t1 = hr->last_seen;
	char when[32];

	tl_frame(out, id, t0, t1, "Attempts over time, by category");
	for (size_t i = 0; i < hr->nevents; i++) {
		const struct au_event *ev = hr->events[i];
		char *res;

		if (ev->result_code == NULL)
			continue;
		res = render_result(ev);
		fprintf(out, "<circle class=\"attempt %s\" cx=\"%.1f\" cy=\"%d\" r=\"5\""
		    " fill-opacity=\"0.8\"><title>%s ", html_cat_class(ev->category),
		    tl_x(ev->time, t0, t1),
		    TL_TOP + (int)tl_lane(ev->category) * TL_LANE + TL_LANE / 2,
		    render_time(ev->time, when, sizeof(when)));
		html_put(out, res, HTML_MAX_FIELD);
		fputs("</title></circle>\n", out);
		free(res);
	}
	fputs("</svg>\n", out);
}

/* Without the events (fleet): each result code's span, first to last. */
static void
html_timeline_codes(FILE *out, const struct au_host_report *hr, const char *id)
{
	uint64_t t0 = hr->first_seen, t1 = hr->last_seen;
	char a[32], b[32];

	tl_frame(out, id, t0, t1, "Result codes over time (first to last), by category");
	for (size_t i = 0; i < hr->ncodes; i++) {
		const struct au_code_count *cc = &hr->codes[i];
		double x0 = tl_x(cc->first, t0, t1), x1 = tl_x(cc->last, t0, t1);

		if (x1 - x0 < 8) {
			x0 -= 4;
			x1 = x0 + 8;
		}
		fprintf(out, "<rect class=\"span %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\""
		    " height=\"10\" rx=\"4\" fill-opacity=\"0.8\"><title>", html_cat_class(cc->category),
		    x0, TL_TOP + (int)tl_lane(cc->category) * TL_LANE + TL_LANE / 2 - 5,
		    x1 - x0);
		fprintf(out, "%" PRIu64 " x ", cc->count);
		html_put(out, cc->code, HTML_MAX_FIELD);
		fprintf(out, " %s .. %s</title></rect>\n", render_date(cc->first, a, sizeof(a)),
		    render_date(cc->last, b, sizeof(b)));
	}
	fputs("</svg>\n", out);
}

static void
html_latest(FILE *out, const struct au_host_report *hr)
{
	const struct au_event *ev = hr->latest;
	const struct au_code *code = ev->code;
	const char *cat = au_category_name(ev->category);
	const char *catdesc = classify_category_description(ev->category);
	char when[32], ref[64], *s, *res = render_result(ev);

	fputs("<dt>Latest result</dt><dd><code>", out);
	html_put(out, res, HTML_MAX_FIELD);
	free(res);
	fprintf(out, "</code> at %s (%s)</dd>\n", render_time(ev->time, when, sizeof(when)),
	    render_event_ref(ev, ref, sizeof(ref)));
	fprintf(out, "<dt>Category</dt><dd>%s", cat != NULL ? cat : "none");
	if (catdesc != NULL) {
		fputs(": ", out);
		html_put(out, catdesc, 0);
	}
	fputs("</dd>\n<dt>Documented</dt><dd class=\"documented\">", out);
	if (code == NULL)
		fputs("not documented by Microsoft (the code is in none of the"
		    " article's lists)", out);
	else if (code->description == NULL)
		fputs("not documented by Microsoft", out);
	else {
		fputs("Microsoft's documented description: &ldquo;", out);
		html_put(out, code->description, 0);
		fputs("&rdquo;", out);
	}
	fputs("</dd>\n", out);
	if (code == NULL)
		fputs("<dt>Flag</dt><dd class=\"flag\">UNKNOWN code, not in the"
		    " catalog</dd>\n", out);
	else if (code->historical) {
		fputs("<dt>Flag</dt><dd class=\"flag\">HISTORICAL code, dropped from"
		    " the article", out);
		if (code->last_listed != NULL) {
			fputs(" after ", out);
			html_put(out, code->last_listed, 0);
		}
		fputs("; it may no longer apply to current builds</dd>\n", out);
	}
	if ((s = render_streak(hr)) != NULL) {
		fputs("<dt>Streak</dt><dd>", out);
		html_put(out, s, 0);
		fputs("</dd>\n", out);
		free(s);
	}
	fputs("<dt>Message</dt><dd class=\"mono break\">", out);
	html_put(out, ev->message, HTML_MAX_MESSAGE);
	fputs("</dd>\n", out);
}

static void
html_codes(FILE *out, const struct au_host_report *hr)
{
	char a[32], b[32];

	if (hr->ncodes == 0)
		return;
	fputs("<h3>Results seen</h3>\n<table class=\"codes\"><thead><tr><th>Result</th>"
	    "<th>Category</th><th class=\"num\">Count</th><th>First</th><th>Last</th>"
	    "</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < hr->ncodes; i++) {
		const struct au_code_count *cc = &hr->codes[i];
		const char *cat = au_category_name(cc->category);

		fputs("<tr><td class=\"mono break\">", out);
		html_put(out, cc->code, HTML_MAX_FIELD);
		if (cc->entry == NULL || cc->entry->historical)
			fprintf(out, " <span class=\"flag\">[%s]</span>",
			    cc->entry == NULL ? "unknown" : "historical");
		fprintf(out, "</td><td>%s</td><td class=\"num\">%" PRIu64 "</td>"
		    "<td>%s</td><td>%s</td></tr>\n", cat != NULL ? cat : "none",
		    cc->count, render_date(cc->first, a, sizeof(a)),
		    render_date(cc->last, b, sizeof(b)));
	}
	fputs("</tbody></table>\n", out);
}

static void
html_installs(FILE *out, const struct au_host_report *hr)
{
	char date[32];

	fputs("<h3>Versions</h3>\n", out);
	if (hr->ninstalls == 0) {
		fputs("<p>No installer events (MsiInstaller) for Azure AD Connect /"
		    " Entra Connect found.</p>\n", out);
		return;
	}
	fputs("<table class=\"versions\"><thead><tr><th>Version</th><th>Product</th>"
	    "<th>Date</th><th class=\"num\">Event</th><th>Action</th></tr></thead><tbody>\n",
	    out);
	for (size_t i = 0; i < hr->ninstalls; i++) {
		const struct au_install *in = hr->installs[i];

		fputs("<tr><td class=\"mono\">", out);
		html_put(out, in->version != NULL ? in->version : "unknown", HTML_MAX_FIELD);
		fputs("</td><td>", out);
		html_put(out, in->product != NULL ? in->product : "", HTML_MAX_FIELD);
		fprintf(out, "</td><td>%s</td><td class=\"num\">%" PRIu32 "</td><td>",
		    render_date(in->time, date, sizeof(date)), in->event_id);
		fputs(install_action_name(install_action(in)), out);
		if (in->status > 0)
			fprintf(out, " (installer status %d)", in->status);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

/* The files that hold records of this server (from the readers' per-file hosts). */
static void
html_host_files(FILE *out, const struct au_host_report *hr, const struct au_report *rep)
{
	char a[32], b[32];
	int any = 0;

	for (size_t i = 0; rep != NULL && i < rep->nfiles; i++) {
		const struct au_file_stats *st = &rep->files[i];

		for (size_t j = 0; j < st->nhosts; j++) {
			const struct au_file_host *fh = &st->hosts[j];

			if (au_host_cmp(fh->name, hr->host) != 0)
				continue;
			if (!any)
				fputs("<h3>Files read</h3>\n<table class=\"files\"><thead><tr>"
				    "<th>File</th><th class=\"num\">Records</th><th>From</th>"
				    "<th>To</th></tr></thead><tbody>\n", out);
			any = 1;
			/* An archive's members under it, indented. */
			fputs(st->member ? "<tr class=\"member\"><td class=\"mono break\">" :
			    "<tr><td class=\"mono break\">", out);
			html_put(out, st->path, 0);
			if (st->members > 0)
				fprintf(out, " (archive: %" PRIu64 " %s below)", st->members,
				    st->members == 1 ? "member" : "members");
			fprintf(out, "</td><td class=\"num\">%" PRIu64 "</td><td>%s</td>"
			    "<td>%s</td></tr>\n", fh->records,
			    render_time(fh->first_time, a, sizeof(a)),
			    render_time(fh->last_time, b, sizeof(b)));
		}
	}
	if (any)
		fputs("</tbody></table>\n", out);
}

struct au_error *
render_html_host(FILE *out, const struct au_host_report *hr,
    const struct au_report *rep)
{
	const struct au_code *code = hr->latest != NULL ? hr->latest->code : NULL;
	const char *v = au_verdict_name(hr->verdict);
	char anchor[24], tl[32], first[32], last[32];

	html_anchor(anchor, hr->host);
	snprintf(tl, sizeof(tl), "tl-%s", anchor + 2);
	fprintf(out, "<section class=\"host\" id=\"%s\" data-verdict=\"%s\">\n<h2>",
	    anchor, v);
	html_put(out, hr->host, HTML_MAX_HOST);
	fprintf(out, " <span class=\"badge v-%s\">%s</span></h2>\n", v, v);
	if (hr->latest != NULL && hr->verdict != AU_VERDICT_UPGRADED) {
		fputs("<div class=\"todo\"><strong>What to do:</strong> ", out);
		if (code != NULL && code->remediation != NULL)
			html_put(out, code->remediation, 0);
		else
			fputs("go through the general checks at the end; if the"
			    " result persists, upgrade manually to the latest version",
			    out);
		fputs("</div>\n", out);
	}
	fputs("<dl class=\"facts\">\n", out);
	if (hr->name_from_file)
		fprintf(out, "<dt>Name</dt><dd>%s</dd>\n", render_name_from_file);
	if (hr->events_count > 0)
		fprintf(out, "<dt>Events</dt><dd>%" PRIu64 ", first %s, last %s</dd>\n",
		    hr->events_count, render_time(hr->first_seen, first, sizeof(first)),
		    render_time(hr->last_seen, last, sizeof(last)));
	fprintf(out, "<dt>Attempts</dt><dd>%" PRIu64 " with a result code; last"
	    " success %s</dd>\n", hr->attempts, hr->last_success != 0 ?
	    render_time(hr->last_success, last, sizeof(last)) : "never seen");
	if (hr->latest != NULL)
		html_latest(out, hr);
	{
		/* What the text report says as notes (silence, modern builds, names). */
		size_t nnotes;
		char **notes = render_host_notes(hr, &nnotes);

		for (size_t i = 0; i < nnotes; i++) {
			fputs(i == 0 ? "<dt>Notes</dt><dd class=\"note\">" :
			    "<dd class=\"note\">", out);
			html_put(out, notes[i], 0);
			fputs("</dd>\n", out);
		}
		render_free_strings(notes, nnotes);
	}
	fputs("</dl>\n", out);
	if (hr->attempts > 0 && hr->nevents > 1)
		html_timeline_events(out, hr, tl);
	else if (hr->ncodes > 0 && hr->nevents <= 1 && hr->events_count > 1)
		html_timeline_codes(out, hr, tl);
	html_codes(out, hr);
	html_installs(out, hr);
	html_host_files(out, hr, rep);
	fputs("</section>\n", out);
	return ferror(out) ? render_check_io(out) : NULL;
}

/* --- the end: files read, general checks ---------------------------------- */

struct au_error *
render_html_end(FILE *out, const struct au_report *rep)
{
	const char *const *checks;
	size_t n, i;

	if (rep != NULL && rep->nfiles > 0) {
		fputs("<section id=\"files\">\n<h2>Files read</h2>\n<table><thead><tr>"
		    "<th>File</th><th class=\"num\">Records</th><th class=\"num\">Upgrade"
		    " events</th><th class=\"num\">Recovered</th><th class=\"num\">Corrupt"
		    "</th><th>Problems</th></tr></thead><tbody>\n", out);
		for (i = 0; i < rep->nfiles; i++) {
			const struct au_file_stats *st = &rep->files[i];

			/* An archive's members under it, indented. */
			fputs(st->member ? "<tr class=\"member\"><td class=\"mono break\">" :
			    "<tr><td class=\"mono break\">", out);
			html_put(out, st->path, 0);
			if (st->members > 0)
				fprintf(out, " (archive: %" PRIu64 " %s below)", st->members,
				    st->members == 1 ? "member" : "members");
			fprintf(out, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%"
			    PRIu64 "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%"
			    PRIu64 "</td><td>", st->records, st->matched, st->recovered,
			    st->corrupt);
			html_put(out, st->errors != NULL ? st->errors : "none", 0);
			if (st->dirty)
				fputs("; log not closed cleanly (dirty)", out);
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n</section>\n", out);
	}
	fputs("<section id=\"checks\">\n<h2>General checks</h2>\n<ul>\n", out);
	checks = classify_general_checks(&n);
	for (i = 0; i < n; i++) {
		fputs("<li>", out);
		html_put(out, checks[i], 0);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</section>\n<footer>Generated by aadc-upgrade " PACKAGE_VERSION
	    ". Descriptions quote Microsoft's article on automatic upgrade;"
	    " remediation is aadc-upgrade's advice.</footer>\n</body>\n</html>\n", out);
	return render_check_io(out);
}

struct au_error *
render_report_html(FILE *out, const struct au_report *rep)
{
	struct au_error *err;

	if ((err = render_html_begin(out, "Automatic upgrade report", 0, rep)) != NULL)
		return err;
	for (size_t i = 0; i < rep->nhosts; i++)
		if ((err = render_html_host(out, rep->hosts[i], rep)) != NULL)
			return err;
	return render_html_end(out, rep);
}

/* Servers by support status and the builds in use, worst first. */
static void
html_fleet_builds(FILE *out, const struct au_fleet *f)
{
	char d[32];

	fprintf(out, "<h2>Builds in use, worst first (support as of %s)</h2>\n"
	    "<table id=\"builds\"><thead><tr><th>Build</th><th>Support</th>"
	    "<th class=\"num\">Servers</th></tr></thead><tbody>\n",
	    render_date(f->support_now, d, sizeof(d)));
	for (size_t i = 0; i < f->nbuilds; i++) {
		fputs("<tr><td class=\"mono\">", out);
		html_put(out, f->builds[i].version != NULL ? f->builds[i].version :
		    "none seen", 40);
		fprintf(out, "</td><td>%s</td><td class=\"num\">%zu</td></tr>\n",
		    releases_support_name(f->builds[i].support), f->builds[i].hosts);
	}
	fputs("</tbody></table>\n", out);
}

/* The fleet lists the text view has, as tables. */
static void
html_fleet_codes(FILE *out, const struct au_fleet *f)
{
	if (f->ncodes == 0)
		return;
	fputs("<h2>Most frequent result codes</h2>\n<table id=\"codes\"><thead><tr>"
	    "<th>Result</th><th>Category</th><th class=\"num\">Events</th>"
	    "<th class=\"num\">Servers</th><th class=\"num\">Latest on</th>"
	    "<th>Documented description</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < f->ncodes; i++) {
		const struct au_fleet_code *fc = &f->codes[i];
		const char *cat = au_category_name(fc->category);

		fputs("<tr><td class=\"mono break\">", out);
		html_put(out, fc->code, HTML_MAX_FIELD);
		fprintf(out, "</td><td>%s</td><td class=\"num\">%" PRIu64 "</td>"
		    "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
		    "</td><td>", cat != NULL ? cat : "none", fc->count, fc->hosts,
		    fc->current);
		if (fc->entry == NULL)
			fputs("<span class=\"flag\">not documented by Microsoft</span>", out);
		else if (fc->entry->description == NULL)
			fputs("not documented by Microsoft", out);
		else
			html_put(out, fc->entry->description, 0);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void
html_fleet_stale(FILE *out, const struct au_fleet *f, const struct au_fleet_opts *fopts)
{
	char date[32];

	fprintf(out, "<h2>No upgrade event for more than %" PRIu64 " %s (stale)</h2>\n",
	    fopts->stale_days, plural(fopts->stale_days, "day", "days"));
	if (f->nstale == 0) {
		fputs("<p>None.</p>\n", out);
		return;
	}
	fputs("<table id=\"stale\"><thead><tr><th>Server</th><th>Verdict</th>"
	    "<th>Last event</th><th class=\"num\">Days ago</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < f->nstale; i++) {
		const struct au_fleet_host *fh = &f->stale[i];
		const char *v = au_verdict_name(fh->hr->verdict);

		fputs("<tr><td class=\"break\">", out);
		html_put(out, fh->hr->host, HTML_MAX_HOST);
		fprintf(out, "</td><td><span class=\"badge v-%s\">%s</span></td><td>%s</td>"
		    "<td class=\"num\">%" PRIu64 "</td></tr>\n", v, v,
		    render_date(fh->since, date, sizeof(date)),
		    render_days(fh->since, f->now));
	}
	fputs("</tbody></table>\n", out);
}

struct au_error *
render_fleet_html(FILE *out, const struct au_report *rep,
    const struct au_fleet *f, const struct au_fleet_opts *fopts)
{
	struct au_error *err;

	if ((err = render_html_begin(out, "Automatic upgrade: fleet", f->now, rep)) != NULL)
		return err;
	if (rep->nhosts > 0) {
		html_fleet_builds(out, f);
		html_fleet_stale(out, f, fopts);
		html_fleet_codes(out, f);
	}
	for (size_t i = 0; i < rep->nhosts; i++)
		if ((err = render_html_host(out, rep->hosts[i], NULL)) != NULL)
			return err;
	return render_html_end(out, NULL);
}
