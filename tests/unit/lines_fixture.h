/* lines_fixture.h — a fixture file of one text per line (tests/fixtures/...),
 * read into an array. Lines starting with '#' and empty lines are skipped.
 * Header-only (static functions), like the other test fixtures. */
#ifndef RB_LINES_FIXTURE_H
#define RB_LINES_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lines_fixture {
    char **lines;
    size_t n;
} lines_fixture;

/* Reads ROBOTS_SOURCE_DIR/rel; aborts the test binary when it is missing. */
static lines_fixture lines_fixture_load(const char *rel)
{
    lines_fixture lf = {NULL, 0};
    char path[512], buf[4096];
    snprintf(path, sizeof path, "%s/%s", ROBOTS_SOURCE_DIR, rel);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "fixture %s is missing\n", path);
        abort();
    }
    size_t cap = 0;
    while (fgets(buf, sizeof buf, fp)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!buf[0] || buf[0] == '#')
            continue;
        if (lf.n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nl = realloc(lf.lines, cap * sizeof *nl);
            if (!nl)
                abort();
            lf.lines = nl;
        }
        if (!(lf.lines[lf.n++] = strdup(buf)))
            abort();
    }
    fclose(fp);
    return lf;
}

static void lines_fixture_free(lines_fixture *lf)
{
    for (size_t i = 0; i < lf->n; i++)
        free(lf->lines[i]);
    free(lf->lines);
    lf->lines = NULL;
    lf->n = 0;
}

#endif
