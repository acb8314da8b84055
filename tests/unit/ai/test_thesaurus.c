/* test_thesaurus.c — the MyThes reader: exact output on small fixtures
 * (meanings, kinds, labels, case, encodings), damaged input, opening from a
 * directory, and spot checks on the installed Debian thesauri when present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ai/thesaurus.h"

/* ---- helpers ----------------------------------------------------------- */

/* Every call of rb_thesaurus_each as "kind|pos|syn" lines. */
struct collect {
    char out[4096];
    size_t len;
    int stop_after; /* 0: never stop */
    int calls;
};

static int collect_fn(const char *syn, size_t len, int kind, const char *pos, void *arg)
{
    struct collect *c = arg;
    assert_int_equal(strlen(syn), len); /* NUL-terminated at len */
    int n = snprintf(c->out + c->len, sizeof c->out - c->len, "%d|%s|%.*s\n", kind, pos, (int)len,
                     syn);
    assert_true(n > 0 && (size_t)n < sizeof c->out - c->len);
    c->len += (size_t)n;
    c->calls++;
    return c->stop_after && c->calls >= c->stop_after;
}

static const char *syns(const rb_thesaurus *t, const char *word, size_t *calls)
{
    static struct collect c;
    memset(&c, 0, sizeof c);
    size_t n = rb_thesaurus_each(t, word, strlen(word), collect_fn, &c);
    assert_int_equal(n, (size_t)c.calls);
    if (calls)
        *calls = n;
    return c.out;
}

/* An .idx for dat listing each word at the offset of its "word|" header, in
 * the order given (which need not be sorted: the reader sorts). */
static char *make_idx(const char *dat, size_t datlen, const char *const *words, size_t nwords,
                      size_t *idxlen)
{
    size_t cap = 256 + nwords * 128, len = 0;
    char *idx = malloc(cap);
    assert_non_null(idx);
    const char *nl = memchr(dat, '\n', datlen);
    assert_non_null(nl);
    len = (size_t)(nl - dat) + 1;
    memcpy(idx, dat, len); /* the same encoding line */
    len += (size_t)snprintf(idx + len, cap - len, "%zu\n", nwords);
    for (size_t i = 0; i < nwords; i++) {
        char hdr[128];
        snprintf(hdr, sizeof hdr, "\n%s|", words[i]);
        const char *p = NULL;
        for (size_t k = 0; k + strlen(hdr) <= datlen; k++)
            if (memcmp(dat + k, hdr, strlen(hdr)) == 0) {
                p = dat + k + 1;
                break;
            }
        assert_non_null(p);
        len += (size_t)snprintf(idx + len, cap - len, "%s|%zu\n", words[i], (size_t)(p - dat));
        assert_true(len < cap);
    }
    *idxlen = len;
    return idx;
}

static const char FIX[] =
    "UTF-8\n"
    "car|2\n"
    "(noun)|auto|automobile|motor vehicle (generic term)\n"
    "(noun)|railcar| wheeled vehicle (generic term) |compartment (related term)\n"
    "good|2\n"
    "(adj)|bad (antonym)|benevolent (similar term)\n"
    "(noun)|goodness||Commodity\n"
    "Stra\xC3\x9F" "e|1\n"
    "-|Gasse|Weg (Oberbegriff)|Karre (ugs., fig.)|Auto (Hauptform)|Einzelwort (Frage) (ugs.)|(Jahreszahl)\n"
    "Car|1\n"
    "(noun)|Wagon\n";

static const char *const FIX_WORDS[] = {"good", "car", "Stra\xC3\x9F" "e", "Car"};

static const char CAR_EXPECTED[] = "0|noun|auto\n"
                                   "0|noun|automobile\n"
                                   "1|noun|motor vehicle\n"
                                   "0|noun|railcar\n"
                                   "1|noun|wheeled vehicle\n"
                                   "2|noun|compartment\n"
                                   /* "Car" folds like "car": its entry follows. */
                                   "0|noun|wagon\n";

static rb_thesaurus *open_fix(int with_idx)
{
    size_t idxlen = 0;
    char *idx = with_idx ? make_idx(FIX, sizeof FIX - 1, FIX_WORDS, 4, &idxlen) : NULL;
    rb_thesaurus *t = NULL;
    rb_err err;
    assert_int_equal(rb_thesaurus_open_mem(idx, idxlen, FIX, sizeof FIX - 1, &t, &err), RB_OK);
    free(idx);
    assert_non_null(t);
    return t;
}

/* ---- fixtures ------------------------------------------------------------ */

static void check_fixture(rb_thesaurus *t)
{
    size_t n;
    assert_string_equal(syns(t, "car", &n), CAR_EXPECTED);
    assert_int_equal(n, 7);
    assert_string_equal(syns(t, "good", NULL), "4|adj|bad\n"
                                               "3|adj|benevolent\n"
                                               "0|noun|goodness\n"
                                               "0|noun|commodity\n");
    /* German: Oberbegriff is a generic term, Hauptform a plain synonym,
     * register labels make OTHER, every trailing label is stripped, and a
     * synonym that is only a parenthesis stays. pos "-" means none. */
    assert_string_equal(syns(t, "strasse", NULL), "0||gasse\n"
                                                  "1||weg\n"
                                                  "5||karre\n"
                                                  "0||auto\n"
                                                  "5||einzelwort\n"
                                                  "0||(jahreszahl)\n");
    assert_int_equal(rb_thesaurus_meanings(t, "car", 3), 3);
    assert_int_equal(rb_thesaurus_meanings(t, "good", 4), 2);
    assert_int_equal(rb_thesaurus_meanings(t, "strasse", 7), 1);
    assert_int_equal(rb_thesaurus_meanings(t, "bike", 4), 0);
    assert_string_equal(syns(t, "bike", &n), "");
    assert_int_equal(n, 0);
}

static void test_fixture_with_idx(void **state)
{
    (void)state;
    rb_thesaurus *t = open_fix(1);
    assert_int_equal(rb_thesaurus_size(t), 4);
    check_fixture(t);
    rb_thesaurus_close(t);
}

static void test_fixture_scanned(void **state)
{
    (void)state;
    rb_thesaurus *t = open_fix(0);
    assert_int_equal(rb_thesaurus_size(t), 4);
    check_fixture(t);
    rb_thesaurus_close(t);
}

static void test_case_insensitive(void **state)
{
    (void)state;
    rb_thesaurus *t = open_fix(1);
    assert_string_equal(syns(t, "CAR", NULL), CAR_EXPECTED);
    assert_string_equal(syns(t, "cAr", NULL), CAR_EXPECTED);
    /* ß folds to ss, on either side. */
    const char *expect = syns(t, "strasse", NULL);
    char copy[512];
    snprintf(copy, sizeof copy, "%s", expect);
    assert_string_equal(syns(t, "STRASSE", NULL), copy);
    assert_string_equal(syns(t, "Stra\xC3\x9F" "e", NULL), copy);
    assert_int_equal(rb_thesaurus_meanings(t, "GOOD", 4), 2);
    /* Fullwidth letters are NFKC-equal. */
    assert_int_equal(rb_thesaurus_meanings(t, "\xEF\xBD\x87ood", 6), 2);
    rb_thesaurus_close(t);
}

static void test_stop_early(void **state)
{
    (void)state;
    rb_thesaurus *t = open_fix(1);
    struct collect c;
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    assert_int_equal(rb_thesaurus_each(t, "car", 3, collect_fn, &c), 2);
    assert_string_equal(c.out, "0|noun|auto\n0|noun|automobile\n");
    memset(&c, 0, sizeof c);
    c.stop_after = 4; /* stops inside the second meaning */
    assert_int_equal(rb_thesaurus_each(t, "car", 3, collect_fn, &c), 4);
    /* Nothing for a NULL or empty word. */
    assert_int_equal(rb_thesaurus_each(t, "", 0, collect_fn, &c), 0);
    assert_int_equal(rb_thesaurus_each(NULL, "car", 3, collect_fn, &c), 0);
    assert_int_equal(rb_thesaurus_meanings(NULL, "car", 3), 0);
    rb_thesaurus_close(t);
}

static void test_latin1(void **state)
{
    (void)state;
    /* The Spanish file's encoding and its two spellings of the antonym
     * label: the real "Antónimo" and the mojibake the packaged file holds. */
    static const char dat[] = "ISO8859-1\n"
                              "ni\xF1o|2\n"
                              "(m.)|chico|cr\xEDo|adulto (Ant\xF3nimo)|mayor (Ant\xEF\xBF\xBDnimo)\n"
                              "-|inmaduro (fig.)\n"
                              "\xE1rbol|1\n"
                              "-|\xC1rbol grande\n";
    size_t idxlen;
    static const char *const words[] = {"ni\xF1o", "\xE1rbol"};
    char *idx = make_idx(dat, sizeof dat - 1, words, 2, &idxlen);
    for (int with_idx = 0; with_idx < 2; with_idx++) {
        rb_thesaurus *t = NULL;
        rb_err err;
        assert_int_equal(rb_thesaurus_open_mem(with_idx ? idx : NULL, idxlen, dat, sizeof dat - 1,
                                               &t, &err),
                         RB_OK);
        assert_string_equal(syns(t, "ni\xC3\xB1o", NULL), "0|m.|chico\n"
                                                          "0|m.|cr\xC3\xADo\n"
                                                          "4|m.|adulto\n"
                                                          "4|m.|mayor\n"
                                                          "5||inmaduro\n");
        assert_string_equal(syns(t, "\xC3\x81RBOL", NULL), "0||\xC3\xA1rbol grande\n");
        /* The Latin-1 bytes themselves are not UTF-8 and find nothing. */
        assert_int_equal(rb_thesaurus_meanings(t, "ni\xF1o", 3), 0);
        rb_thesaurus_close(t);
    }
    free(idx);
}

static void test_crlf_and_bom(void **state)
{
    (void)state;
    static const char dat[] = "\xEF\xBB\xBFUTF-8\r\ncar|1\r\n(noun)|auto|motorcar (generic term)\r\n";
    rb_thesaurus *t = NULL;
    rb_err err;
    assert_int_equal(rb_thesaurus_open_mem(NULL, 0, dat, sizeof dat - 1, &t, &err), RB_OK);
    assert_string_equal(syns(t, "car", NULL), "0|noun|auto\n1|noun|motorcar\n");
    rb_thesaurus_close(t);
}

static void expect_invalid(const char *idx, size_t idxlen, const char *dat, size_t datlen)
{
    rb_thesaurus *t = (rb_thesaurus *)1;
    rb_err err;
    memset(&err, 0, sizeof err);
    assert_int_not_equal(rb_thesaurus_open_mem(idx, idxlen, dat, datlen, &t, &err), RB_OK);
    assert_null(t);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.type, "invalid_input");
}

static size_t slen(const char *s)
{
    return s ? strlen(s) : 0;
}

static void test_invalid_files(void **state)
{
    (void)state;
    expect_invalid(NULL, 0, "", 0);
#define INVALID(idx, dat) expect_invalid(idx, slen(idx), dat, strlen(dat))
    INVALID(NULL, "\n");
    INVALID(NULL, "bogus-encoding-x\ncar|1\n-|auto\n");
    INVALID(NULL, "UTF-16\ncar|1\n-|auto\n"); /* not ASCII-compatible */
    INVALID(NULL, "UTF-8\n");                  /* no entries */
    INVALID(NULL, "UTF-8\nno header here\n");
    INVALID(NULL, "UTF-8\ncar|12345678901\n-|auto\n"); /* 11 digits */
    /* An .idx whose every offset is out of range gives no entries. */
    INVALID("UTF-8\n1\ncar|999\n", "UTF-8\ncar|1\n-|auto\n");
#undef INVALID
}

static void test_corrupt_entries(void **state)
{
    (void)state;
    rb_thesaurus *t = NULL;
    rb_err err;
    /* Truncated in the middle of the last meaning line; a count far larger
     * than the lines present: both end at the end of the data. */
    static const char trunc[] = "UTF-8\ncar|999999999\n(noun)|auto|aut";
    assert_int_equal(rb_thesaurus_open_mem(NULL, 0, trunc, sizeof trunc - 1, &t, &err), RB_OK);
    assert_string_equal(syns(t, "car", NULL), "0|noun|auto\n0|noun|aut\n");
    assert_int_equal(rb_thesaurus_meanings(t, "car", 3), 1);
    rb_thesaurus_close(t);

    /* An .idx with an offset inside a line, one pointing at another word,
     * one past the end, garbage lines: only the true entry is found. */
    static const char dat[] = "UTF-8\ncar|1\n(noun)|auto\ngood|1\n(adj)|fine\n";
    static const char idx[] = "UTF-8\n5\n"
                              "car|6\n"
                              "bad|8\n"       /* inside "car|1" */
                              "fine|12\n"     /* the start of "(noun)|auto" */
                              "tree|24\n"     /* the header of "good" */
                              "far|4000000\n" /* out of range */
                              "nonsense\n"
                              "x|-1\n";
    assert_int_equal(rb_thesaurus_open_mem(idx, sizeof idx - 1, dat, sizeof dat - 1, &t, &err), RB_OK);
    assert_string_equal(syns(t, "car", NULL), "0|noun|auto\n");
    assert_int_equal(rb_thesaurus_meanings(t, "bad", 3), 0);
    assert_int_equal(rb_thesaurus_meanings(t, "fine", 4), 0);
    assert_int_equal(rb_thesaurus_meanings(t, "tree", 4), 0);
    assert_int_equal(rb_thesaurus_meanings(t, "far", 3), 0);
    assert_int_equal(rb_thesaurus_meanings(t, "good", 4), 0); /* not in this .idx */
    rb_thesaurus_close(t);

    /* Invalid UTF-8 in a synonym skips that synonym only. */
    static const char bad8[] = "UTF-8\ncar|1\n(noun)|a\xFF" "b|auto\n";
    assert_int_equal(rb_thesaurus_open_mem(NULL, 0, bad8, sizeof bad8 - 1, &t, &err), RB_OK);
    assert_string_equal(syns(t, "car", NULL), "0|noun|auto\n");
    rb_thesaurus_close(t);
}

/* Every prefix of the fixture either fails cleanly or yields a subset. */
static void test_every_truncation(void **state)
{
    (void)state;
    size_t full_calls = 0;
    rb_thesaurus *f = open_fix(0);
    syns(f, "car", &full_calls);
    rb_thesaurus_close(f);
    size_t idxlen;
    char *idx = make_idx(FIX, sizeof FIX - 1, FIX_WORDS, 4, &idxlen);
    for (size_t len = 0; len < sizeof FIX - 1; len++) {
        for (int with_idx = 0; with_idx < 2; with_idx++) {
            rb_thesaurus *t = NULL;
            rb_err err;
            int rc = rb_thesaurus_open_mem(with_idx ? idx : NULL, idxlen, FIX, len, &t, &err);
            if (rc != RB_OK) {
                assert_null(t);
                assert_int_equal(err.status, 422);
                continue;
            }
            size_t calls;
            syns(t, "car", &calls);
            assert_true(calls <= full_calls);
            assert_true(rb_thesaurus_meanings(t, "good", 4) <= 2);
            rb_thesaurus_close(t);
        }
        /* And every prefix of the .idx against the whole .dat. */
        if (len < idxlen) {
            rb_thesaurus *t = NULL;
            rb_err err;
            if (rb_thesaurus_open_mem(idx, len, FIX, sizeof FIX - 1, &t, &err) == RB_OK) {
                size_t calls;
                syns(t, "car", &calls);
                assert_true(calls <= full_calls);
                rb_thesaurus_close(t);
            }
        }
    }
    free(idx);
}

struct thread_arg {
    const rb_thesaurus *t;
    int ok;
};

static int count_fn(const char *syn, size_t len, int kind, const char *pos, void *arg)
{
    (*(size_t *)arg)++;
    return 0;
}

static void *lookup_thread(void *p)
{
    struct thread_arg *a = p;
    a->ok = 1;
    for (int i = 0; i < 2000; i++) {
        size_t n = 0;
        if (rb_thesaurus_each(a->t, "car", 3, count_fn, &n) != 7 || n != 7 ||
            rb_thesaurus_meanings(a->t, "strasse", 7) != 1)
            a->ok = 0;
    }
    return NULL;
}

static void test_concurrent_lookups(void **state)
{
    (void)state;
    rb_thesaurus *t = open_fix(1);
    pthread_t th[4];
    struct thread_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i].t = t;
        assert_int_equal(pthread_create(&th[i], NULL, lookup_thread, &a[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_true(a[i].ok);
    }
    rb_thesaurus_close(t);
}

/* ---- directories ------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    unlink(p);
}

static void test_open_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/robots-thes-XXXXXX";
    assert_non_null(mkdtemp(dir));
    rb_thesaurus *t = NULL;
    rb_err err;
    memset(&err, 0, sizeof err);
    assert_int_equal(rb_thesaurus_open(dir, "en", &t, &err), RB_NOTFOUND);
    assert_null(t);
    assert_int_equal(err.status, 404);
    /* Not a language tag: never becomes a file name. */
    assert_int_equal(rb_thesaurus_open(dir, "../x", &t, &err), RB_NOTFOUND);
    assert_int_equal(rb_thesaurus_open(dir, NULL, &t, &err), RB_NOTFOUND);

    /* The Debian name with its .idx, reached from a regional tag. */
    size_t idxlen;
    char *idx = make_idx(FIX, sizeof FIX - 1, FIX_WORDS, 4, &idxlen);
    write_file(dir, "th_en_US_v2.dat", FIX, sizeof FIX - 1);
    write_file(dir, "th_en_US_v2.idx", idx, idxlen);
    assert_int_equal(rb_thesaurus_open(dir, "en-GB", &t, &err), RB_OK);
    assert_string_equal(syns(t, "car", NULL), CAR_EXPECTED);
    rb_thesaurus_close(t);

    /* Without the .idx the .dat is scanned. */
    remove_file(dir, "th_en_US_v2.idx");
    assert_int_equal(rb_thesaurus_open(dir, "EN", &t, &err), RB_OK);
    assert_string_equal(syns(t, "car", NULL), CAR_EXPECTED);
    rb_thesaurus_close(t);

    /* A language we do not list, found by its MyThes name, through
     * ROBOTS_THESAURUS_DIR. A damaged file is an error, not "none". */
    write_file(dir, "th_nl_NL_v2.dat", FIX, sizeof FIX - 1);
    write_file(dir, "th_xx_XX_v2.dat", "UTF-8\n", 6);
    const char *env = getenv("ROBOTS_THESAURUS_DIR");
    char *saved = env ? strdup(env) : NULL;
    setenv("ROBOTS_THESAURUS_DIR", dir, 1);
    assert_int_equal(rb_thesaurus_open(NULL, "nl_BE", &t, &err), RB_OK);
    assert_int_equal(rb_thesaurus_meanings(t, "good", 4), 2);
    rb_thesaurus_close(t);
    memset(&err, 0, sizeof err);
    assert_int_not_equal(rb_thesaurus_open(NULL, "xx", &t, &err), RB_OK);
    assert_null(t);
    assert_int_equal(err.status, 422);
    if (saved)
        setenv("ROBOTS_THESAURUS_DIR", saved, 1);
    else
        unsetenv("ROBOTS_THESAURUS_DIR");
    free(saved);

    remove_file(dir, "th_en_US_v2.dat");
    remove_file(dir, "th_nl_NL_v2.dat");
    remove_file(dir, "th_xx_XX_v2.dat");
    free(idx);
    rmdir(dir);
}

/* ---- the installed Debian thesauri ---------------------------------------- */

struct find {
    const char *word;
    int kind; /* -1: any */
    const char *pos;
    int found;
};

static int find_fn(const char *syn, size_t len, int kind, const char *pos, void *arg)
{
    struct find *f = arg;
    if (strlen(f->word) == len && memcmp(f->word, syn, len) == 0 &&
        (f->kind < 0 || f->kind == kind) && (!f->pos || strcmp(f->pos, pos) == 0))
        f->found = 1;
    return 0;
}

static int has_syn(const rb_thesaurus *t, const char *word, const char *syn, int kind, const char *pos)
{
    struct find f = {syn, kind, pos, 0};
    rb_thesaurus_each(t, word, strlen(word), find_fn, &f);
    return f.found;
}

static rb_thesaurus *open_installed(const char *lang)
{
    rb_thesaurus *t = NULL;
    rb_err err;
    /* NULL: $ROBOTS_THESAURUS_DIR, else /usr/share/mythes, as in production. */
    int rc = rb_thesaurus_open(NULL, lang, &t, &err);
    if (rc == RB_NOTFOUND) {
        print_message("skipping: %s (install mythes-en-us mythes-fr mythes-de mythes-es)\n",
                      err.message);
        return NULL;
    }
    assert_int_equal(rc, RB_OK);
    return t;
}

static void test_installed_en(void **state)
{
    (void)state;
    rb_thesaurus *t = open_installed("en");
    if (!t)
        skip();
    assert_true(rb_thesaurus_size(t) > 100000);
    assert_true(has_syn(t, "car", "automobile", RB_THES_SYNONYM, "noun"));
    assert_true(has_syn(t, "car", "motor vehicle", RB_THES_GENERIC, "noun"));
    assert_true(has_syn(t, "good", "bad", RB_THES_ANTONYM, "adj"));
    assert_true(has_syn(t, "Car", "auto", -1, NULL));
    assert_int_equal(rb_thesaurus_meanings(t, "car", 3), 5);
    assert_int_equal(rb_thesaurus_meanings(t, "zzzzqx", 6), 0);
    rb_thesaurus_close(t);
}

static void test_installed_de(void **state)
{
    (void)state;
    rb_thesaurus *t = open_installed("de");
    if (!t)
        skip();
    /* "auto|2": "-|Auto (Hauptform)|Automobil|...|Wagen|...|Fahrzeug (Oberbegriff)". */
    assert_true(has_syn(t, "Auto", "wagen", RB_THES_SYNONYM, ""));
    assert_true(has_syn(t, "auto", "automobil", RB_THES_SYNONYM, ""));
    assert_true(has_syn(t, "auto", "fahrzeug", RB_THES_GENERIC, ""));
    assert_true(has_syn(t, "auto", "blechb\xC3\xBC" "chse", RB_THES_OTHER, ""));
    assert_int_equal(rb_thesaurus_meanings(t, "Auto", 4), 2);
    rb_thesaurus_close(t);
}

static void test_installed_fr(void **state)
{
    (void)state;
    rb_thesaurus *t = open_installed("fr");
    if (!t)
        skip();
    assert_true(has_syn(t, "voiture", "automobile", RB_THES_SYNONYM, "Nom Verbe"));
    assert_true(has_syn(t, "voiture", "v\xC3\xA9hicule", RB_THES_SYNONYM, NULL));
    rb_thesaurus_close(t);
}

static void test_installed_es(void **state)
{
    (void)state;
    rb_thesaurus *t = open_installed("es-MX");
    if (!t)
        skip();
    /* ISO8859-1 on disk, UTF-8 out. */
    assert_true(has_syn(t, "coche", "autom\xC3\xB3vil", RB_THES_SYNONYM, NULL));
    assert_true(has_syn(t, "ni\xC3\xB1o", "chaval", RB_THES_SYNONYM, NULL));
    assert_true(has_syn(t, "ahorrador", "gastador", RB_THES_ANTONYM, "adj."));
    assert_int_equal(rb_thesaurus_meanings(t, "ni\xC3\xB1o", 5), 3);
    rb_thesaurus_close(t);
}

static void test_process_wide(void **state)
{
    (void)state;
    /* A language with no thesaurus anywhere: NULL, remembered. */
    assert_null(rb_thesaurus_get("zz"));
    assert_null(rb_thesaurus_get("zz-ZZ"));
    assert_null(rb_thesaurus_get("not a tag"));
    rb_thesaurus *probe = open_installed("en");
    if (!probe) {
        rb_thesaurus_shutdown();
        skip();
    }
    rb_thesaurus_close(probe);
    const rb_thesaurus *a = rb_thesaurus_get("en");
    assert_non_null(a);
    assert_ptr_equal(rb_thesaurus_get("en-US"), a);
    assert_true(has_syn(a, "car", "automobile", RB_THES_SYNONYM, "noun"));
    rb_thesaurus_shutdown();
    /* Opened afresh after a shutdown. */
    assert_non_null(rb_thesaurus_get("en"));
    rb_thesaurus_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_with_idx),
        cmocka_unit_test(test_fixture_scanned),
        cmocka_unit_test(test_case_insensitive),
        cmocka_unit_test(test_stop_early),
        cmocka_unit_test(test_latin1),
        cmocka_unit_test(test_crlf_and_bom),
        cmocka_unit_test(test_invalid_files),
        cmocka_unit_test(test_corrupt_entries),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_concurrent_lookups),
        cmocka_unit_test(test_open_dir),
        cmocka_unit_test(test_installed_en),
        cmocka_unit_test(test_installed_de),
        cmocka_unit_test(test_installed_fr),
        cmocka_unit_test(test_installed_es),
        cmocka_unit_test(test_process_wide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
