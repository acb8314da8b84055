/* builtin_answer.c — the builtin ask-questions engine (see builtin_answer.h and
 * docs/builtin-answer.md for the design, the constants and the word lists).
 *
 * Outline:
 *   index   the transcript's sentences become the units of a "key doc" whose
 *           stems have French/Italian elisions stripped ("l'appliqu" ->
 *           "appliqu"); windows of 2*WIN_RADIUS+1 sentences around every
 *           sentence are indexed with Okapi BM25 (rb_bm25), and the window
 *           document frequency of every stem gives the idf used by the
 *           evidence measures.
 *   terms   a question is tokenised like the transcript (rb_transcript_tokenize);
 *           its content terms are the distinct non-stop stems that are not
 *           interrogatives, question-frame words ("video", "mention") or
 *           negators; numbers (digits or number words) become "#<value>";
 *           frequent general words weigh less; a word the transcript never
 *           uses may meet a stem it starts or that starts it.
 *   evidence  the best of the BM25 top windows by E = 0.75 * coverage +
 *           0.25 * min(1, bm25 / sum idf), coverage being the idf-weighted
 *           share of the question's terms the window contains. Below
 *           SKIP_COVERAGE the question is skipped.
 *   answer  yes/no: "no" when the matched terms sit inside the scope of a
 *           negator (or the evidence is a question answered "No."), when a
 *           missing term is contradicted by an alternative (a different
 *           number or name, an antonym), or when the evidence reports what
 *           other people believe; else "yes". A wh-question ("which...?")
 *           cannot be answered yes or no and is skipped. Choice: each
 *           option's terms scored against the candidate windows. Free form:
 *           the best sentence(s) verbatim, cut to the length cap. */
#include "ai/builtin_answer.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ai/bm25.h"
#include "ai/stopwords.h"
#include "ai/textdoc.h"
#include "common/buf.h"

/* ---- tuning (docs/builtin-answer.md, "Constants") ------------------------ */

#define WIN_RADIUS 1        /* a window = a sentence and this many neighbours each side */
#define TOP_WINDOWS 10      /* BM25 hits examined per query */
#define MAX_TERMS 64        /* content terms kept per question (a bit mask each) */
#define SKIP_COVERAGE 0.45  /* idf-weighted share of question terms a window must hold */
#define NEG_RATIO 0.3       /* share of matched weight inside a negation scope for "no" */
#define NEG_SCOPE 8         /* tokens a negator reaches (clause punctuation stops it first) */
#define REJECT_SCOPE 4      /* tokens "instead of"/"rather than"/"than" reach (choices) */
#define CHOICE_MIN 0.45     /* least option score for a choice answer */
#define SHARED_WEIGHT 0.25  /* weight of an option word that other options share */
#define PHRASE_BONUS 1.2    /* an option's words found together, in order */
#define QUESTION_EVIDENCE 0.75 /* coverage kept when the evidence is only a question */
#define QUOTE_MAX 300       /* characters of a sentence quoted in a reasoning */
#define MAX_MISSING_LISTED 8
#define TEXT_MAX ((size_t)1 << 20)

/* ---- small helpers --------------------------------------------------------- */

static int oom(rb_err *err)
{
    return rb_err_set(err, 500, "internal_error", "out of memory answering questions");
}

static double clamp01(double x)
{
    if (!(x == x))
        return 0.0;
    return x < 0 ? 0.0 : x > 1 ? 1.0 : x;
}

static int in_list(const char *w, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

static size_t ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* NFKC + case fold of s (malloc'd), NULL on failure. */
static char *fold(const char *s)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                          UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
    if (n < 0)
        return NULL;
    return (char *)out;
}

/* ---- language word lists (docs/builtin-answer.md, "Word lists") --------- */

static const char *const en_negators[] = {"not", "no", "never", "nor", "cannot", "without",
                                          "none", "nobody", "nothing", "neither", "nowhere",
                                          NULL};
/* "not only", "not just", "no doubt", "no matter" do not negate what follows. */
static const char *const en_neg_exceptions[] = {"only", "just", "doubt", "matter", "way",
                                                 NULL};
static const char *const fr_negators[] = {"ne", "pas", "jamais", "aucun", "aucune", "sans",
                                          "ni", "rien", NULL};
static const char *const de_negators[] = {"nicht", "kein", "keine", "keinen", "keinem",
                                          "keiner", "keines", "nie", "niemals", "ohne",
                                          "weder", "nichts", "niemand", NULL};
static const char *const es_negators[] = {"no", "nunca", "jamás", "jamas", "sin", "ni",
                                          "ningún", "ninguno", "ninguna", "nada", "nadie",
                                          "tampoco", NULL};

/* Contrast words end a negation scope ("we do not use X but we use Y"). */
static const char *const contrast_words[] = {"but", "however", "although", "though",
                                             "whereas", "instead", "mais", "cependant",
                                             "pourtant", "aber", "sondern", "jedoch",
                                             "pero", "sino", "aunque", NULL};

/* Words that only frame a question: interrogatives and "does the video mention". */
static const char *const frame_words[] = {
    /* en */
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "whether", "many",
    "much", "video", "videos", "clip", "recording", "transcript", "speaker", "speakers",
    "presenter", "narrator", "host", "mention", "mentions", "mentioned", "mentioning", "talk",
    "talks", "talked", "talking", "discuss", "discusses", "discussed", "say", "says", "said",
    "saying", "state", "states", "stated", "tell", "tells", "told", "explain", "explains",
    "explained", "describe", "describes", "described", "according", "true", "yes",
    /* the people of a video named by their role */
    "host", "hosts", "guest", "guests", "reviewer", "interviewer", "interviewee", "creator",
    "vlogger", "youtuber", "instructor", "lecturer", "teacher", "coach", "trainer", "narrator",
    "presenters", "invité", "invitée", "animateur", "gast", "moderator", "invitado", "invitada",
    "presentador",
    /* fr */
    "quoi", "quel", "quelle", "quels", "quelles", "quand", "où", "pourquoi", "comment",
    "combien", "vidéo", "est-ce", "mentionne", "parle", "dit",
    /* de */
    "welche", "welcher", "welches", "wann", "warum", "wieso", "wieviel", "wieviele", "video",
    "erwähnt", "sagt", "spricht",
    /* es */
    "cuál", "cuáles", "cuándo", "dónde", "por", "cómo", "cuánto", "cuántos", "cuánta",
    "cuántas", "vídeo", "menciona", "dice", "habla",
    NULL};

/* English antonym pairs (one pair per line), stemmed at run time. */
static const char en_antonyms[] =
    "open closed\nopen close\nfree paid\ncheap expensive\nincrease decrease\nincrease reduce\n"
    "rise fall\nrose fell\ngrow shrink\nwin lose\nwon lost\npass fail\naccept reject\n"
    "allow forbid\nallow ban\nallow prohibit\nsucceed fail\nsuccess failure\neasy difficult\n"
    "easy hard\nfast slow\nlarge small\nbig small\nhot cold\nwarm cold\nearly late\n"
    "same different\ntrue false\ncorrect incorrect\npossible impossible\nlegal illegal\n"
    "like dislike\nlove hate\nagree disagree\ninclude exclude\npublic private\n"
    "online offline\nsafe dangerous\nsafe unsafe\npositive negative\ngood bad\nbetter worse\n"
    "best worst\nhigh low\nhigher lower\nstrong weak\nhappy sad\nyoung old\nnew old\n"
    "first last\nstart stop\nbegin end\nbuy sell\nbought sold\nprofit loss\nenable disable\n"
    "present absent\navailable unavailable\nvisible invisible\nalive dead\nfull empty\n"
    "heavy light\nlong short\nwide narrow\nrich poor\nclean dirty\nwet dry\nnorth south\n"
    "east west\nmale female\nday night\nsummer winter\nsupport oppose\nremote office\n"
    "manual automatic\nmandatory optional\nrequired optional\nlocal remote\nwin lost\n"
    "smaller bigger\nsmaller larger\nbigger smaller\nlarger smaller\nfaster slower\n"
    "higher lower\nlonger shorter\ncheaper pricier\nolder newer\nolder younger\n"
    "more less\nmore fewer\nincreasing decreasing\nfull half\nlarge tiny\nbig tiny\n"
    "huge tiny\nhuge small\n";

/* Frequent general English words (verbs, adjectives, adverbs and nouns of
 * everyday speech, written for this module from common frequency knowledge,
 * not copied from a list): they say little about WHAT a question asks, so
 * they weigh GENERAL_WEIGHT of their idf. A question whose specific words
 * ("calories", "chickens") are missing is skipped; one that only paraphrases
 * the general ones ("important", "include") is not. Stemmed at run time. */
static const char en_general[] =
    "get make go take know see come think look want give use find tell ask work seem feel "
    "try leave call keep put mean become begin help show hear play run move like live "
    "believe hold bring happen write provide sit stand lose pay meet include continue set "
    "learn change lead understand watch follow stop create speak read allow add spend grow "
    "open walk win offer remember love consider appear buy wait serve send expect build "
    "stay fall cut reach remain suggest raise pass sell require report decide pull turn "
    "start need let talk say done made got gone taken given known seen came went took gave "
    "found told kept held brought wrote paid met led understood sent built stayed fell "
    "good new first last long great little own other old right big high different small "
    "large next early young important few public bad same able main particular general "
    "certain real best better full sure whole free likely special clear recent major "
    "possible hard easy low late open short single common simple strong usual actual "
    "ever really always still often never already almost enough quite rather usually "
    "actually probably maybe perhaps especially later today ago away back even well "
    "time year people way day thing man woman world life hand part place case week point "
    "number fact lot kind sort bit side end area home job word idea problem question "
    "reason result example history type form level order course "
    "someone something anything everything anyone everyone recommend advise suggest";
#define GENERAL_WEIGHT 0.4

static void primary_lang(const char *lang, char *out, size_t n)
{
    rb_transcript_primary_lang(lang, out, n);
    if (!out[0])
        snprintf(out, n, "en");
}

static const char *const *negators_for(const char *pl)
{
    if (strcmp(pl, "fr") == 0)
        return fr_negators;
    if (strcmp(pl, "de") == 0)
        return de_negators;
    if (strcmp(pl, "es") == 0)
        return es_negators;
    return en_negators;
}

/* 1 when the token norm (next: the following token's norm or NULL) negates. */
static int is_negator(const char *pl, const char *norm, const char *next)
{
    if (strcmp(pl, "fr") == 0 && strncmp(norm, "n'", 2) == 0)
        return 1;
    if (strcmp(pl, "en") == 0 || !in_list(pl, (const char *const[]){"fr", "de", "es", NULL})) {
        if (ends_with(norm, "n't"))
            return 1;
        if ((strcmp(norm, "not") == 0 || strcmp(norm, "no") == 0) && next &&
            in_list(next, en_neg_exceptions))
            return 0;
    }
    return in_list(norm, negators_for(pl));
}

/* 1 when the token starts a "rejected alternative" ("instead of X", "rather
 * than X", "X than Y", "au lieu de", "plutôt que", "statt", "en vez de"). */
static int is_rejecter(const char *norm, const char *next)
{
    if (strcmp(norm, "than") == 0 || strcmp(norm, "statt") == 0 || strcmp(norm, "anstatt") == 0)
        return 1;
    if (!next)
        return 0;
    return (strcmp(norm, "instead") == 0 && strcmp(next, "of") == 0) ||
           (strcmp(norm, "rather") == 0 && strcmp(next, "than") == 0) ||
           (strcmp(norm, "lieu") == 0 && strcmp(next, "de") == 0) ||
           (strcmp(norm, "plutôt") == 0 && strcmp(next, "que") == 0) ||
           (strcmp(norm, "vez") == 0 && strcmp(next, "de") == 0) ||
           (strcmp(norm, "lugar") == 0 && strcmp(next, "de") == 0);
}

/* Number words, so "thirty minutes" meets "30 minutes" (docs/builtin-answer.md).
 * kind 0: a value that adds (units, teens, tens); 1: multiplies the current
 * group (hundred); 2: closes a group (thousand, million). Articles that are
 * also "one" (un, une, ein, uno, una) are left out on purpose. */
typedef struct numword {
    const char *w;
    long long v;
    int kind;
} numword;

static const numword en_nums[] = {
    {"zero", 0, 0}, {"one", 1, 0}, {"two", 2, 0}, {"three", 3, 0}, {"four", 4, 0},
    {"five", 5, 0}, {"six", 6, 0}, {"seven", 7, 0}, {"eight", 8, 0}, {"nine", 9, 0},
    {"ten", 10, 0}, {"eleven", 11, 0}, {"twelve", 12, 0}, {"thirteen", 13, 0},
    {"fourteen", 14, 0}, {"fifteen", 15, 0}, {"sixteen", 16, 0}, {"seventeen", 17, 0},
    {"eighteen", 18, 0}, {"nineteen", 19, 0}, {"twenty", 20, 0}, {"thirty", 30, 0},
    {"forty", 40, 0}, {"fifty", 50, 0}, {"sixty", 60, 0}, {"seventy", 70, 0},
    {"eighty", 80, 0}, {"ninety", 90, 0}, {"hundred", 100, 1}, {"thousand", 1000, 2},
    {"million", 1000000, 2}, {NULL, 0, 0}};
static const numword fr_nums[] = {
    {"zéro", 0, 0}, {"deux", 2, 0}, {"trois", 3, 0}, {"quatre", 4, 0}, {"cinq", 5, 0},
    {"six", 6, 0}, {"sept", 7, 0}, {"huit", 8, 0}, {"neuf", 9, 0}, {"dix", 10, 0},
    {"onze", 11, 0}, {"douze", 12, 0}, {"treize", 13, 0}, {"quatorze", 14, 0},
    {"quinze", 15, 0}, {"seize", 16, 0}, {"vingt", 20, 0}, {"trente", 30, 0},
    {"quarante", 40, 0}, {"cinquante", 50, 0}, {"soixante", 60, 0}, {"cent", 100, 1},
    {"cents", 100, 1}, {"mille", 1000, 2}, {"million", 1000000, 2}, {NULL, 0, 0}};
static const numword de_nums[] = {
    {"null", 0, 0}, {"zwei", 2, 0}, {"drei", 3, 0}, {"vier", 4, 0}, {"fünf", 5, 0},
    {"sechs", 6, 0}, {"sieben", 7, 0}, {"neun", 9, 0}, {"zehn", 10, 0}, {"elf", 11, 0},
    {"zwölf", 12, 0}, {"zwanzig", 20, 0}, {"dreißig", 30, 0}, {"dreissig", 30, 0},
    {"vierzig", 40, 0}, {"fünfzig", 50, 0}, {"hundert", 100, 1}, {"tausend", 1000, 2},
    {NULL, 0, 0}};
static const numword es_nums[] = {
    {"cero", 0, 0}, {"dos", 2, 0}, {"tres", 3, 0}, {"cuatro", 4, 0}, {"cinco", 5, 0},
    {"seis", 6, 0}, {"siete", 7, 0}, {"ocho", 8, 0}, {"nueve", 9, 0}, {"diez", 10, 0},
    {"once", 11, 0}, {"doce", 12, 0}, {"quince", 15, 0}, {"veinte", 20, 0},
    {"treinta", 30, 0}, {"cuarenta", 40, 0}, {"cincuenta", 50, 0}, {"cien", 100, 1},
    {"ciento", 100, 1}, {"mil", 1000, 2}, {NULL, 0, 0}};

static const numword *numword_of(const char *pl, const char *norm)
{
    const numword *t = strcmp(pl, "fr") == 0   ? fr_nums
                       : strcmp(pl, "de") == 0 ? de_nums
                       : strcmp(pl, "es") == 0 ? es_nums
                                               : en_nums;
    for (; t->w; t++)
        if (strcmp(t->w, norm) == 0)
            return t;
    return NULL;
}

/* A whole number written with digits ("30", "1,000"); -1 otherwise. */
static long long digits_value(const char *norm)
{
    long long v = 0;
    int any = 0;
    for (const char *p = norm; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (v > 100000000000LL)
                return -1;
            v = v * 10 + (*p - '0');
            any = 1;
        } else if (*p != ',' || !any) {
            return -1;
        }
    }
    return any ? v : -1;
}

/* 1 when only spaces or hyphens separate text[from, to). */
static int number_gap(const char *text, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (text[i] != ' ' && text[i] != '-')
            return 0;
    return 1;
}

/* When tokens[i] starts a number (digits, or a run of number words joined by
 * spaces or hyphens: "twenty-four", "two hundred"), returns 1 with its value
 * and the number of tokens it spans. */
static int number_at(const char *pl, const rb_transcript_token *tk, size_t n, const char *text,
                     size_t i, long long *val, size_t *span)
{
    long long d = digits_value(tk[i].norm);
    if (d >= 0) {
        *val = d;
        *span = 1;
        return 1;
    }
    long long total = 0, cur = 0;
    size_t j = i;
    int any = 0;
    for (; j < n; j++) {
        if (j > i && !number_gap(text, tk[j - 1].offset + tk[j - 1].len, tk[j].offset))
            break;
        const numword *w = numword_of(pl, tk[j].norm);
        if (!w)
            break;
        if (w->kind == 0)
            cur += w->v;
        else if (w->kind == 1)
            cur = (cur ? cur : 1) * w->v;
        else {
            total += (cur ? cur : 1) * w->v;
            cur = 0;
        }
        any = 1;
    }
    if (!any)
        return 0;
    *val = total + cur;
    *span = j - i;
    return 1;
}

/* The matching key of a stem: French, Italian and Catalan elisions ("l'",
 * "qu'", "n'") are dropped so "l'application" and "application" meet. */
static const char *stem_key(const char *pl, const char *stem)
{
    if (strcmp(pl, "fr") != 0 && strcmp(pl, "it") != 0 && strcmp(pl, "ca") != 0)
        return stem;
    const char *ap = strchr(stem, '\'');
    if (ap && ap - stem <= 3 && ap[1])
        return ap + 1;
    return stem;
}

/* ---- the index ---------------------------------------------------------- */

typedef struct aindex {
    const rb_transcript *t;
    const rb_transcript_doc *doc;
    char pl[16];
    rb_text_token *ktok;   /* doc tokens with stems replaced by keys */
    char (*numkeys)[24];   /* "#<value>" keys of numbers, one slot per token */
    rb_text_unit *kunits;
    rb_text_doc kdoc;
    rb_text_ids ids;
    int has_ids;
    rb_text_token *wtok;   /* window tokens */
    rb_text_unit *wunits;
    rb_text_doc wdoc;
    rb_bm25 *bm;
    size_t nw;
    int32_t *df;           /* window document frequency per id */
    /* antonym pairs (English): keys of both words */
    rb_transcript_token *ant_toks;
    size_t n_ant_toks;
    /* general words (English), sorted stems for bsearch */
    rb_transcript_token *gen_toks;
    size_t n_gen_toks;
    const char **gen;
    size_t ngen;
} aindex;

static void win_range(const aindex *x, size_t w, size_t *lo, size_t *hi)
{
    *lo = w >= WIN_RADIUS ? w - WIN_RADIUS : 0;
    *hi = w + WIN_RADIUS < x->t->nsentences ? w + WIN_RADIUS : x->t->nsentences - 1;
}

static void index_free(aindex *x)
{
    free(x->ktok);
    free(x->numkeys);
    free(x->kunits);
    if (x->has_ids)
        rb_text_ids_free(&x->ids);
    free(x->wtok);
    free(x->wunits);
    rb_bm25_free(x->bm);
    free(x->df);
    rb_transcript_tokens_free(x->ant_toks, x->n_ant_toks);
    rb_transcript_tokens_free(x->gen_toks, x->n_gen_toks);
    free(x->gen);
    memset(x, 0, sizeof *x);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_general(const aindex *x, const char *key)
{
    return x->ngen && bsearch(&key, x->gen, x->ngen, sizeof *x->gen, cmp_str) != NULL;
}

static int index_build(aindex *x, const rb_transcript *t, const rb_transcript_doc *doc,
                       rb_err *err)
{
    memset(x, 0, sizeof *x);
    x->t = t;
    x->doc = doc;
    primary_lang(t->language, x->pl, sizeof x->pl);
    size_t ns = doc->doc.nunits, ntok = 0;
    for (size_t s = 0; s < ns; s++)
        ntok += doc->doc.units[s].ntokens;
    x->ktok = malloc((ntok ? ntok : 1) * sizeof *x->ktok);
    x->kunits = malloc((ns ? ns : 1) * sizeof *x->kunits);
    x->numkeys = malloc((ntok ? ntok : 1) * sizeof *x->numkeys);
    if (!x->ktok || !x->kunits || !x->numkeys)
        return oom(err);
    size_t k = 0;
    for (size_t s = 0; s < ns; s++) {
        const rb_text_unit *u = &doc->doc.units[s];
        x->kunits[s] = *u;
        x->kunits[s].tokens = &x->ktok[k];
        const rb_transcript_sentence *se = &t->sentences[s];
        size_t rest = 0; /* tokens left in the current number run */
        for (size_t j = 0; j < u->ntokens; j++, k++) {
            x->ktok[k] = u->tokens[j];
            long long v;
            size_t span;
            if (rest > 0) {
                /* Inside a number run: the first token carries the value. */
                x->ktok[k].stop = 1;
                rest--;
                continue;
            }
            if (j < se->ntokens &&
                number_at(x->pl, se->tokens, se->ntokens, se->text, j, &v, &span)) {
                snprintf(x->numkeys[k], sizeof x->numkeys[k], "#%lld", v);
                x->ktok[k].stem = x->numkeys[k];
                x->ktok[k].stop = 0;
                rest = span - 1;
                continue;
            }
            const char *key = stem_key(x->pl, u->tokens[j].stem);
            if (key != u->tokens[j].stem) {
                x->ktok[k].stem = key;
                x->ktok[k].stop = rb_stopwords_is_stop(x->pl, key, strlen(key));
            }
        }
    }
    x->kdoc.units = x->kunits;
    x->kdoc.nunits = ns;
    int rc = rb_text_ids_build(&x->kdoc, 1, &x->ids, err);
    if (rc != RB_OK)
        return rc;
    x->has_ids = 1;

    /* Windows: every sentence with its neighbours. */
    x->nw = ns;
    size_t wtotal = 0;
    for (size_t w = 0; w < ns; w++) {
        size_t lo, hi;
        win_range(x, w, &lo, &hi);
        wtotal += x->ids.unit_off[hi + 1] - x->ids.unit_off[lo];
    }
    if (wtotal > RB_TEXT_MAX_TOKENS)
        return rb_err_set(err, 422, "invalid_parameters",
                          "the transcript is too long for the builtin engine");
    x->wtok = malloc((wtotal ? wtotal : 1) * sizeof *x->wtok);
    x->wunits = malloc((ns ? ns : 1) * sizeof *x->wunits);
    x->df = calloc(x->ids.nvocab ? x->ids.nvocab : 1, sizeof *x->df);
    int32_t *last = malloc((x->ids.nvocab ? x->ids.nvocab : 1) * sizeof *last);
    if (!x->wtok || !x->wunits || !x->df || !last) {
        free(last);
        return oom(err);
    }
    memset(last, 0xff, (x->ids.nvocab ? x->ids.nvocab : 1) * sizeof *last);
    k = 0;
    for (size_t w = 0; w < ns; w++) {
        size_t lo, hi;
        win_range(x, w, &lo, &hi);
        rb_text_unit *u = &x->wunits[w];
        u->text = x->kunits[w].text;
        u->start_ms = x->kunits[lo].start_ms;
        u->end_ms = x->kunits[hi].end_ms;
        u->tokens = &x->wtok[k];
        size_t n = 0;
        for (size_t s = lo; s <= hi; s++)
            for (size_t j = 0; j < x->kunits[s].ntokens; j++)
                x->wtok[k + n++] = x->kunits[s].tokens[j];
        u->ntokens = n;
        k += n;
        for (size_t i = x->ids.unit_off[lo]; i < x->ids.unit_off[hi + 1]; i++) {
            int32_t id = x->ids.ids[i];
            if (id >= 0 && last[id] != (int32_t)w) {
                last[id] = (int32_t)w;
                x->df[id]++;
            }
        }
    }
    free(last);
    x->wdoc.units = x->wunits;
    x->wdoc.nunits = ns;
    rc = rb_bm25_build(&x->wdoc, &x->bm, err);
    if (rc != RB_OK)
        return rc;
    if (strcmp(x->pl, "en") == 0) {
        rc = rb_transcript_tokenize(en_antonyms, "en", &x->ant_toks, &x->n_ant_toks, err);
        if (rc == RB_OK)
            rc = rb_transcript_tokenize(en_general, "en", &x->gen_toks, &x->n_gen_toks, err);
        if (rc != RB_OK)
            return rc;
        x->gen = malloc((x->n_gen_toks ? x->n_gen_toks : 1) * sizeof *x->gen);
        if (!x->gen)
            return oom(err);
        for (size_t i = 0; i < x->n_gen_toks; i++)
            x->gen[x->ngen++] = x->gen_toks[i].stem;
        qsort(x->gen, x->ngen, sizeof *x->gen, cmp_str);
    }
    return RB_OK;
}

/* A word the transcript never uses weighs like one it uses once (UNKNOWN_DF
 * windows), not more: paraphrases should not sink a question on their own. */
#define UNKNOWN_DF (2 * WIN_RADIUS + 1)

static double idf_of(const aindex *x, int32_t id)
{
    double n = (double)x->nw, df = id >= 0 ? (double)x->df[id] : (double)UNKNOWN_DF;
    if (df > n)
        df = n;
    return log(1.0 + (n - df + 0.5) / (df + 0.5));
}

/* For a key the transcript never uses, a transcript stem that it starts or
 * that starts it, at least PREFIX_MIN bytes long ("rooftop" / "roof"), the
 * longest such stem first, then the first in vocabulary order; -1 if none.
 * Snowball leaves such derivations apart; numbers never take this path. */
#define PREFIX_MIN 4

static int32_t prefix_match(const aindex *x, const char *key)
{
    size_t kl = strlen(key);
    int32_t best = -1;
    size_t bestl = 0;
    for (size_t v = 0; v < x->ids.nvocab; v++) {
        const char *st = x->ids.stems[v];
        if (st[0] == '#')
            continue;
        size_t sl = strlen(st);
        size_t shorter = sl < kl ? sl : kl;
        if (shorter < PREFIX_MIN || strncmp(st, key, shorter) != 0)
            continue;
        if (sl > bestl) {
            bestl = sl;
            best = (int32_t)v;
        }
    }
    return best;
}

/* The antonym keys of key, one per call: *pos is the pair to start from
 * (0 first); NULL when there are no more. */
static const char *antonym_next(const aindex *x, const char *key, size_t *pos)
{
    for (size_t i = *pos; i + 1 < x->n_ant_toks; i += 2) {
        *pos = i + 2;
        if (strcmp(x->ant_toks[i].stem, key) == 0)
            return x->ant_toks[i + 1].stem;
        if (strcmp(x->ant_toks[i + 1].stem, key) == 0)
            return x->ant_toks[i].stem;
    }
    *pos = x->n_ant_toks;
    return NULL;
}

/* ---- terms -------------------------------------------------------------- */

typedef struct term {
    const char *key;
    char numkey[24];  /* storage of key for numbers ("#30") */
    int32_t id;
    double idf;
    const char *word; /* as written in its text */
    size_t wlen;
    int number;       /* a numeral */
    int proper;       /* capitalised inside the question: a name */
    int cmp;          /* numbers: +1 "more than N", -1 "less than N", 0 exact */
    int head;         /* the noun after "which"/"what": the answer's type, not its topic */
} term;

typedef struct termset {
    rb_transcript_token *toks;
    size_t ntoks;
    term terms[MAX_TERMS];
    size_t n;
    double wsum;      /* sum of idf */
    uint64_t shared;  /* options: terms other options of the question share */
} termset;

static void termset_free(termset *q)
{
    rb_transcript_tokens_free(q->toks, q->ntoks);
    q->toks = NULL;
    q->ntoks = 0;
}

static int first_is_upper(const char *s, size_t len)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &cp);
    return n > 0 && utf8proc_isupper(cp);
}

static const char *const head_words[] = {"which", "what", "quel", "quelle", "quels",
                                         "quelles", "welche", "welcher", "welches", "welchen",
                                         "cuál", "cuáles", "qué", NULL};

/* "more than N", "over N", "at least N" (+1); "less than N", "under N",
 * "at most N" (-1); 0 otherwise — from the words before token i. */
static int comparison_before(const rb_transcript_token *tk, size_t i)
{
    static const char *const gt1[] = {"over", "above", "exceeding", "über", NULL};
    static const char *const lt1[] = {"under", "below", "unter", NULL};
    static const char *const gt2[] = {"more", "longer", "greater", "higher", "bigger", "larger",
                                      "plus", "mehr", "más", "mas", NULL};
    static const char *const lt2[] = {"less", "fewer", "shorter", "lower", "smaller", "moins",
                                      "weniger", "menos", NULL};
    if (i >= 1 && in_list(tk[i - 1].norm, gt1))
        return 1;
    if (i >= 1 && in_list(tk[i - 1].norm, lt1))
        return -1;
    if (i >= 2 && strcmp(tk[i - 2].norm, "at") == 0)
        return strcmp(tk[i - 1].norm, "least") == 0  ? 1
               : strcmp(tk[i - 1].norm, "most") == 0 ? -1
                                                     : 0;
    if (i >= 2 && strcmp(tk[i - 2].norm, "up") == 0 && strcmp(tk[i - 1].norm, "to") == 0)
        return -1;
    /* "more than", "plus de", "mehr als", "más de"; and "plus de" without "than". */
    const char *const *w = NULL;
    size_t k = i;
    if (i >= 2 && in_list(tk[i - 1].norm, (const char *const[]){"than", "de", "als", "que", NULL}))
        k = i - 1;
    if (k >= 1 && k < i)
        w = in_list(tk[k - 1].norm, gt2) ? gt2 : in_list(tk[k - 1].norm, lt2) ? lt2 : NULL;
    return w == gt2 ? 1 : w == lt2 ? -1 : 0;
}

/* A question-frame word, also in the possessive ("the speaker's company"). */
static int is_frame_word(const char *norm)
{
    if (in_list(norm, frame_words))
        return 1;
    size_t n = strlen(norm);
    if (n > 2 && n < 64 && strcmp(norm + n - 2, "'s") == 0) {
        char base[64];
        memcpy(base, norm, n - 2);
        base[n - 2] = '\0';
        return in_list(base, frame_words);
    }
    return 0;
}

/* Tokenises text and collects its content terms. question = 1 drops frame
 * words and negators; all_if_empty = 1 keeps stop words when nothing else is
 * left (an option such as "none"). */
static int terms_of(const aindex *x, const char *text, int question, int all_if_empty,
                    termset *q, rb_err *err)
{
    memset(q, 0, sizeof *q);
    int rc = rb_transcript_tokenize(text, x->t->language, &q->toks, &q->ntoks, err);
    if (rc != RB_OK)
        return rc;
    for (int pass = 0; pass < 2 && q->n == 0; pass++) {
        if (pass == 1 && !all_if_empty)
            break;
        for (size_t i = 0; i < q->ntoks && q->n < MAX_TERMS; i++) {
            const rb_transcript_token *tk = &q->toks[i];
            long long v;
            size_t span = 1;
            char numkey[24] = "";
            if (number_at(x->pl, q->toks, q->ntoks, text, i, &v, &span))
                snprintf(numkey, sizeof numkey, "#%lld", v);
            const char *key = numkey[0] ? numkey : stem_key(x->pl, tk->stem);
            const char *next = i + 1 < q->ntoks ? q->toks[i + 1].norm : NULL;
            int stop = tk->is_stop || (key != tk->stem && rb_stopwords_is_stop(x->pl, key,
                                                                                strlen(key)));
            if (numkey[0])
                stop = 0;
            size_t first = i;
            i += span - 1;
            if (pass == 0) {
                if (stop)
                    continue;
                if (question && (is_frame_word(tk->norm) ||
                                 is_negator(x->pl, tk->norm, next)))
                    continue;
            }
            int dup = 0;
            for (size_t j = 0; j < q->n; j++)
                if (strcmp(q->terms[j].key, key) == 0)
                    dup = 1;
            if (dup)
                continue;
            term *t = &q->terms[q->n++];
            if (numkey[0]) {
                memcpy(t->numkey, numkey, sizeof numkey);
                t->key = t->numkey;
            } else {
                t->key = key;
            }
            t->id = rb_text_ids_lookup(&x->ids, t->key);
            if (t->id < 0 && !numkey[0])
                t->id = prefix_match(x, t->key);
            /* "Which wood is the roof made of?": "wood" names the kind of
             * answer, and the evidence often says only "cedar". */
            t->head = question && q->n == 1 && first > 0 &&
                      in_list(q->toks[first - 1].norm, head_words);
            t->idf = idf_of(x, t->id);
            if ((!numkey[0] && is_general(x, t->key)) || t->head)
                t->idf *= GENERAL_WEIGHT;
            t->word = text + tk->offset;
            t->wlen = q->toks[i].offset + q->toks[i].len - tk->offset;
            t->number = numkey[0] != 0;
            t->cmp = t->number ? comparison_before(q->toks, first) : 0;
            t->proper = question && first > 0 && strcmp(tk->norm, "i") != 0 &&
                        first_is_upper(text + tk->offset, tk->len);
            q->wsum += t->idf;
        }
    }
    return RB_OK;
}

/* Bit mask of the terms of q present in sentence s. */
static uint64_t sentence_mask(const aindex *x, const termset *q, size_t s)
{
    uint64_t m = 0;
    for (size_t i = x->ids.unit_off[s]; i < x->ids.unit_off[s + 1]; i++) {
        int32_t id = x->ids.ids[i];
        if (id < 0)
            continue;
        for (size_t j = 0; j < q->n; j++)
            if (q->terms[j].id == id)
                m |= (uint64_t)1 << j;
    }
    return m;
}

static uint64_t window_mask(const aindex *x, const termset *q, size_t w)
{
    size_t lo, hi;
    win_range(x, w, &lo, &hi);
    uint64_t m = 0;
    for (size_t s = lo; s <= hi; s++)
        m |= sentence_mask(x, q, s);
    return m;
}

static double mask_weight(const termset *q, uint64_t m)
{
    double w = 0;
    for (size_t j = 0; j < q->n; j++)
        if (m & ((uint64_t)1 << j))
            w += q->terms[j].idf;
    return w;
}

static double coverage(const termset *q, uint64_t m)
{
    return q->wsum > 0 ? mask_weight(q, m) / q->wsum : 0.0;
}

/* BM25 top windows for the union of the keys of a and b (b may be NULL). */
static int query(const aindex *x, const termset *a, const termset *b, rb_bm25_hit *hits,
                 size_t *nhits, rb_err *err)
{
    const char *stems[2 * MAX_TERMS];
    size_t n = 0;
    /* A term matched by prefix is looked up under the transcript's stem. */
    for (size_t j = 0; j < a->n; j++)
        stems[n++] = a->terms[j].id >= 0 ? x->ids.stems[a->terms[j].id] : a->terms[j].key;
    for (size_t j = 0; b && j < b->n; j++)
        stems[n++] = b->terms[j].id >= 0 ? x->ids.stems[b->terms[j].id] : b->terms[j].key;
    *nhits = 0;
    if (n == 0)
        return RB_OK;
    return rb_bm25_query(x->bm, stems, n, hits, TOP_WINDOWS, nhits, err);
}

/* ---- evidence ------------------------------------------------------------ */

typedef struct evidence {
    int found;
    size_t w;          /* window */
    uint64_t mask;     /* terms present in the window */
    double cov, E;
    size_t main;       /* the sentence quoted */
    size_t extra;      /* a second sentence adding terms, or SIZE_MAX */
} evidence;

/* Picks, in window w, the sentence holding most of the terms (ties: nearer
 * the centre, then earlier) and a second one adding missing terms. */
static void pick_sentences(const aindex *x, const termset *q, evidence *ev)
{
    size_t lo, hi;
    win_range(x, ev->w, &lo, &hi);
    double best = -1;
    size_t bestd = SIZE_MAX;
    ev->main = ev->w;
    for (size_t s = lo; s <= hi; s++) {
        double wt = mask_weight(q, sentence_mask(x, q, s));
        size_t d = s > ev->w ? s - ev->w : ev->w - s;
        if (wt > best + 1e-12 || (fabs(wt - best) <= 1e-12 && d < bestd)) {
            best = wt;
            bestd = d;
            ev->main = s;
        }
    }
    ev->extra = SIZE_MAX;
    uint64_t mm = sentence_mask(x, q, ev->main);
    double add = 0;
    for (size_t s = lo; s <= hi; s++) {
        if (s == ev->main)
            continue;
        double wt = mask_weight(q, sentence_mask(x, q, s) & ~mm);
        if (wt > add + 1e-12) {
            add = wt;
            ev->extra = s;
        }
    }
}

static double window_E(const aindex *x, const termset *q, double bm, double cov)
{
    (void)x;
    double nb = q->wsum > 0 ? bm / q->wsum : 0;
    if (nb > 1)
        nb = 1;
    return 0.75 * cov + 0.25 * nb;
}

static int best_evidence(const aindex *x, const termset *q, evidence *ev, rb_err *err)
{
    memset(ev, 0, sizeof *ev);
    rb_bm25_hit hits[TOP_WINDOWS];
    size_t nh = 0;
    int rc = query(x, q, NULL, hits, &nh, err);
    if (rc != RB_OK)
        return rc;
    for (size_t i = 0; i < nh; i++) {
        uint64_t m = window_mask(x, q, hits[i].unit);
        double cov = coverage(q, m);
        double E = window_E(x, q, hits[i].score, cov);
        if (!ev->found || E > ev->E + 1e-12) {
            ev->found = 1;
            ev->w = hits[i].unit;
            ev->mask = m;
            ev->cov = cov;
            ev->E = E;
        }
    }
    if (ev->found)
        pick_sentences(x, q, ev);
    return RB_OK;
}

/* Answer particles: "No." / "Yes." as a sentence of their own. */
static const char *const no_particles[] = {"no", "nope", "non", "nein", NULL};
static const char *const yes_particles[] = {"yes", "yeah", "yep", "oui", "ja", "sí", "si",
                                            NULL};

static const char *tok_norm(const rb_text_token *t)
{
    return t->surface ? t->surface : t->stem;
}

/* Marks the tokens of sentence s inside the scope of a negator (and, when
 * rejecters is set, of "instead of"/"than"...). scope has ntokens entries.
 * A scope runs forward to the end of the clause (punctuation or a contrast
 * word), at most NEG_SCOPE tokens; punctuation right after the negator does
 * not end it ("Never, ever try..."). An answer particle followed by
 * punctuation ("No, ...") negates nothing in its own sentence. German also
 * scopes back to the start of the clause ("..., das mache ich nicht"). */
static void negation_scope(const aindex *x, size_t s, int rejecters, unsigned char *scope,
                           const char **which)
{
    const rb_text_unit *u = &x->doc->doc.units[s];
    size_t n = u->ntokens;
    memset(scope, 0, n ? n : 1);
    int german = strcmp(x->pl, "de") == 0;
    for (size_t j = 0; j < n; j++) {
        const char *norm = tok_norm(&u->tokens[j]);
        const char *next = j + 1 < n ? tok_norm(&u->tokens[j + 1]) : NULL;
        int neg = is_negator(x->pl, norm, next);
        int rej = !neg && rejecters && is_rejecter(norm, next);
        if (!neg && !rej)
            continue;
        if (neg && in_list(norm, no_particles) && (j + 1 >= n || u->tokens[j + 1].brk))
            continue;
        if (neg && which && !*which)
            *which = norm;
        size_t reach = neg ? NEG_SCOPE : REJECT_SCOPE;
        for (size_t k = j + 1; k < n && k - j <= reach; k++) {
            if ((u->tokens[k].brk && k > j + 1) || in_list(tok_norm(&u->tokens[k]), contrast_words))
                break;
            scope[k] = 1;
        }
        if (neg && german) {
            for (size_t k = j; k > 0 && j - (k - 1) <= NEG_SCOPE; k--) {
                if (u->tokens[k].brk || in_list(tok_norm(&u->tokens[k - 1]), contrast_words))
                    break;
                scope[k - 1] = 1;
            }
        }
    }
}

/* Over sentence s: *seen gets the terms of q present; *neg the terms with an
 * occurrence inside a negation scope (all = 0) or with every occurrence
 * inside one (all = 1, for options: an option both rejected and named
 * plainly is not rejected). */
static int scope_masks(const aindex *x, const termset *q, size_t s, int rejecters, int all,
                       uint64_t *seen, uint64_t *neg, const char **which)
{
    const rb_text_unit *u = &x->doc->doc.units[s];
    unsigned char stackbuf[256];
    unsigned char *scope = u->ntokens <= sizeof stackbuf ? stackbuf : malloc(u->ntokens);
    if (!scope)
        return RB_ERR;
    negation_scope(x, s, rejecters, scope, which);
    uint64_t in = 0, out = 0;
    size_t off = x->ids.unit_off[s];
    for (size_t j = 0; j < u->ntokens; j++) {
        int32_t id = x->ids.ids[off + j];
        if (id < 0)
            continue;
        for (size_t t = 0; t < q->n; t++)
            if (q->terms[t].id == id) {
                if (scope[j])
                    in |= (uint64_t)1 << t;
                else
                    out |= (uint64_t)1 << t;
            }
    }
    if (scope != stackbuf)
        free(scope);
    *seen |= in | out;
    *neg |= all ? in & ~out : in;
    return RB_OK;
}

/* 1 when sentence s is a short reply that starts with a negator (at most
 * three words: "No.", "Not really.", "Never."), denying the sentence before. */
static int short_denial(const aindex *x, size_t s, const char **which)
{
    const rb_text_unit *u = &x->doc->doc.units[s];
    if (u->ntokens == 0 || u->ntokens > 3)
        return 0;
    const char *norm = tok_norm(&u->tokens[0]);
    if (!is_negator(x->pl, norm, u->ntokens > 1 ? tok_norm(&u->tokens[1]) : NULL))
        return 0;
    if (which && !*which)
        *which = norm;
    return 1;
}

static int same_speaker(const rb_transcript *t, size_t a, size_t b)
{
    return strcmp(t->cues[t->sentences[a].last_cue].speaker,
                  t->cues[t->sentences[b].first_cue].speaker) == 0;
}

static int ends_with_question(const char *text)
{
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '"'))
        n--;
    return n > 0 && (text[n - 1] == '?' || (n >= 2 && strcmp(text + n - 2, "？") == 0));
}

/* Negation of the evidence for the question terms q: over the main sentence
 * (and the extra one when it carries at least as much of the question);
 * when the main sentence is itself a question ("do you put oil in it?"), the
 * reply in the next sentence decides; a short denial right after the main
 * sentence negates it. Returns the negated share of the matched weight. */
static int evidence_negation(const aindex *x, const termset *q, const evidence *ev,
                             double *ratio, const char **which)
{
    uint64_t seen = 0, neg = 0;
    *ratio = 0;
    size_t ns = x->t->nsentences;
    if (ends_with_question(x->t->sentences[ev->main].text) && ev->main + 1 < ns) {
        size_t r = ev->main + 1;
        const rb_text_unit *u = &x->doc->doc.units[r];
        if (u->ntokens > 0 && in_list(tok_norm(&u->tokens[0]), yes_particles))
            return RB_OK;
        if (short_denial(x, r, which)) {
            *ratio = 1;
            return RB_OK;
        }
        if (scope_masks(x, q, r, 0, 0, &seen, &neg, which) != RB_OK)
            return RB_ERR;
        if (neg) {
            *ratio = mask_weight(q, neg) / mask_weight(q, seen);
            return RB_OK;
        }
        seen = neg = 0;
    }
    /* Each evidence sentence on its own: one that negates the question's
     * terms is evidence for "no" even next to one that only names them. */
    size_t lo, hi;
    win_range(x, ev->w, &lo, &hi);
    for (size_t s = lo; s <= hi; s++) {
        if (s != ev->main && s != ev->extra)
            continue;
        seen = neg = 0;
        if (scope_masks(x, q, s, 0, 0, &seen, &neg, which) != RB_OK)
            return RB_ERR;
        double mw = mask_weight(q, seen);
        double r = mw > 0 ? mask_weight(q, neg) / mw : 0;
        if (r > *ratio)
            *ratio = r;
    }
    /* A short denial by the same speaker right after the evidence ("It's
     * free. Not anymore."); another speaker's "No way." is surprise. */
    if (*ratio < NEG_RATIO && ev->main + 1 < ns &&
        same_speaker(x->t, ev->main, ev->main + 1) && short_denial(x, ev->main + 1, which))
        *ratio = 1;
    return RB_OK;
}

/* Reported beliefs: "people often think X", "everybody says X", "mucha gente
 * piensa que X". A speaker who reports what others believe is usually about
 * to correct it, so such evidence answers "no". */
static const char *const others_words[] = {"people", "everybody", "everyone", "many",
                                           "most", "gens", "monde", "leute", "viele",
                                           "gente", "todos", "muchos", NULL};
static const char *const belief_words[] = {
    "think", "thinks", "say", "says", "believe", "believes", "assume", "assumes", "claim",
    "claims", "pensent", "pense", "croient", "croit", "disent", "dit", "denken", "denkt",
    "glauben", "glaubt", "sagen", "sagt", "piensa", "piensan", "cree", "creen", "dice",
    "dicen", NULL};

static int reported_belief(const aindex *x, size_t s)
{
    const rb_text_unit *u = &x->doc->doc.units[s];
    size_t others = SIZE_MAX;
    for (size_t j = 0; j < u->ntokens && j < 4; j++)
        if (in_list(tok_norm(&u->tokens[j]), others_words)) {
            others = j;
            break;
        }
    if (others == SIZE_MAX)
        return 0;
    for (size_t j = others + 1; j < u->ntokens && j <= others + 3; j++)
        if (in_list(tok_norm(&u->tokens[j]), belief_words))
            return 1;
    return 0;
}

/* ---- text output ----------------------------------------------------------- */

static void fmt_time(int64_t ms, char *out, size_t n)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s >= 3600)
        snprintf(out, n, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
                 (long long)(s % 60));
    else
        snprintf(out, n, "%02lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

/* Appends `At mm:ss: "<sentence, cut>"`. */
static int put_quote(rb_buf *b, const rb_transcript *t, size_t s)
{
    char ts[32];
    fmt_time(t->sentences[s].start_ms, ts, sizeof ts);
    const char *text = t->sentences[s].text;
    char *q = rb_answer_cut(text, QUOTE_MAX);
    if (!q)
        return RB_ERR;
    int cut = strlen(q) < strlen(text);
    int rc = rb_buf_appendf(b, "At %s: \"%s%s\"", ts, q, cut ? "…" : "");
    free(q);
    return rc;
}

static int put_words(rb_buf *b, const termset *q, uint64_t mask)
{
    size_t listed = 0;
    int rc = RB_OK;
    for (size_t j = 0; j < q->n && rc == RB_OK; j++) {
        if (!(mask & ((uint64_t)1 << j)))
            continue;
        if (listed == MAX_MISSING_LISTED) {
            rc = rb_buf_puts(b, ", …");
            break;
        }
        rc = rb_buf_appendf(b, "%s\"%.*s\"", listed ? ", " : "", (int)q->terms[j].wlen,
                            q->terms[j].word);
        listed++;
    }
    return rc;
}

static int set_str(char **dst, rb_buf *b)
{
    free(*dst);
    *dst = rb_buf_steal(b);
    return *dst ? RB_OK : RB_ERR;
}

static int skip_with(rb_answer *a, rb_buf *b)
{
    a->skipped = 1;
    a->confidence = 0;
    free(a->answer);
    a->answer = NULL;
    return set_str(&a->reasoning, b);
}

/* Reasoning of a skipped question from its evidence. */
static int skip_for_evidence(const aindex *x, const termset *q, const evidence *ev,
                             rb_answer *a)
{
    rb_buf b;
    rb_buf_init(&b, TEXT_MAX);
    int rc;
    uint64_t all = q->n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << q->n) - 1);
    if (q->n == 0) {
        rc = rb_buf_puts(&b, "The question has no content words to look for in the transcript.");
    } else if (!ev->found) {
        rc = rb_buf_puts(&b, "The transcript does not mention ");
        if (rc == RB_OK)
            rc = put_words(&b, q, all);
        if (rc == RB_OK)
            rc = rb_buf_puts(&b, ".");
    } else {
        rc = rb_buf_puts(&b, "Not enough evidence in the transcript. The closest passage (");
        if (rc == RB_OK)
            rc = put_quote(&b, x->t, ev->main);
        if (rc == RB_OK)
            rc = rb_buf_puts(&b, ") does not mention ");
        if (rc == RB_OK)
            rc = put_words(&b, q, all & ~ev->mask);
        if (rc == RB_OK)
            rc = rb_buf_puts(&b, ".");
    }
    if (rc == RB_OK)
        rc = skip_with(a, &b);
    rb_buf_free(&b);
    return rc;
}

static double conf_from(double E)
{
    return clamp01(0.15 + 0.8 * E);
}

/* ---- yes / no ------------------------------------------------------------- */

/* The first token of sentence s of class cls (1 number, 2 name) that is not a
 * term of q, as written; *len gets its length. NULL when none. */
static const char *alternative_in(const aindex *x, const termset *q, size_t s, int cls,
                                  size_t *len, long long *value)
{
    const rb_transcript_sentence *se = &x->t->sentences[s];
    for (size_t j = 0; j < se->ntokens; j++) {
        const rb_transcript_token *tk = &se->tokens[j];
        char numkey[24];
        const char *key;
        if (cls == 1) {
            long long v;
            size_t span;
            if (!number_at(x->pl, se->tokens, se->ntokens, se->text, j, &v, &span))
                continue;
            snprintf(numkey, sizeof numkey, "#%lld", v);
            key = numkey;
            *value = v;
            *len = se->tokens[j + span - 1].offset + se->tokens[j + span - 1].len - tk->offset;
        } else {
            if (tk->is_stop || j == 0 || strcmp(tk->norm, "i") == 0 ||
                !first_is_upper(se->text + tk->offset, tk->len))
                continue;
            key = stem_key(x->pl, tk->stem);
            *len = tk->len;
        }
        int inq = 0;
        for (size_t t = 0; t < q->n; t++)
            if (strcmp(q->terms[t].key, key) == 0)
                inq = 1;
        if (inq)
            continue;
        return se->text + tk->offset;
    }
    return NULL;
}

static const char *antonym_in(const aindex *x, const char *ant, size_t s, size_t *len)
{
    const rb_transcript_sentence *se = &x->t->sentences[s];
    for (size_t j = 0; j < se->ntokens; j++)
        if (strcmp(se->tokens[j].stem, ant) == 0) {
            *len = se->tokens[j].len;
            return se->text + se->tokens[j].offset;
        }
    return NULL;
}

/* Words that open a question asking for a fact rather than yes or no. */
static const char *const en_wh[] = {"what", "which", "who", "whom", "whose", "when", "where",
                                    "why", "how", NULL};
static const char *const fr_wh[] = {"quel", "quelle", "quels", "quelles", "qui", "quoi",
                                    "quand", "où", "pourquoi", "comment", "combien", "qu'est",
                                    NULL};
static const char *const de_wh[] = {"welche", "welcher", "welches", "welchen", "was", "wer",
                                    "wie", "wo", "wann", "warum", "wieviel", NULL};
static const char *const es_wh[] = {"qué", "cuál", "cuáles", "quién", "quiénes", "cómo",
                                    "cuánto", "cuánta", "cuántos", "cuántas", "dónde", "cuándo",
                                    NULL};

/* 1 when the question's first word is an interrogative of the transcript's
 * language ("Which wine...?", "Combien...?"). */
static int is_wh_question(const aindex *x, const char *question, rb_err *err, int *rc)
{
    rb_transcript_token *toks = NULL;
    size_t n = 0;
    *rc = rb_transcript_tokenize(question, x->t->language, &toks, &n, err);
    const char *const *list = strcmp(x->pl, "fr") == 0   ? fr_wh
                              : strcmp(x->pl, "de") == 0 ? de_wh
                              : strcmp(x->pl, "es") == 0 ? es_wh
                                                         : en_wh;
    int wh = *rc == RB_OK && n > 0 && in_list(toks[0].norm, list);
    rb_transcript_tokens_free(toks, n);
    return wh;
}

static int answer_yesno(const aindex *x, const rb_answer_question *qq, int yes_idx, int no_idx,
                        rb_answer *a, rb_err *err)
{
    int rc;
    if (is_wh_question(x, qq->question, err, &rc)) {
        /* Yes or no cannot answer "which" or "how many": the caller should
         * have asked for a free-form reply or given answer_options. */
        rb_buf b;
        rb_buf_init(&b, TEXT_MAX);
        rc = rb_buf_puts(&b, "The question asks for a fact, not for yes or no; ask it with "
                             "free_form_reply or answer_options to get an answer.");
        if (rc == RB_OK)
            rc = skip_with(a, &b);
        rb_buf_free(&b);
        return rc == RB_OK ? RB_OK : oom(err);
    }
    if (rc != RB_OK)
        return rc;
    termset q;
    rc = terms_of(x, qq->question, 1, 0, &q, err);
    if (rc != RB_OK)
        return rc;
    evidence ev;
    rc = best_evidence(x, &q, &ev, err);
    if (rc != RB_OK)
        goto done;
    if (q.n == 0 || !ev.found) {
        rc = skip_for_evidence(x, &q, &ev, a) == RB_OK ? RB_OK : oom(err);
        goto done;
    }

    /* A missing term contradicted by an alternative in the evidence. */
    uint64_t all = q.n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << q.n) - 1);
    uint64_t missing = all & ~ev.mask;
    uint64_t alt_terms = 0;
    const char *alt_word = NULL, *alt_q = NULL;
    size_t alt_len = 0, alt_qlen = 0;
    for (size_t j = 0; j < q.n; j++) {
        if (!(missing & ((uint64_t)1 << j)))
            continue;
        const term *tm = &q.terms[j];
        const char *w = NULL;
        size_t wl = 0;
        for (int k = 0; k < 2 && !w; k++) {
            size_t s = k == 0 ? ev.main : ev.extra;
            if (s == SIZE_MAX)
                continue;
            size_t pos = 0;
            const char *ant;
            while (!w && (ant = antonym_next(x, tm->key, &pos)) != NULL)
                w = antonym_in(x, ant, s, &wl);
            long long ev_value = 0;
            if (!w && tm->number) {
                w = alternative_in(x, &q, s, 1, &wl, &ev_value);
                long long qv = strtoll(tm->key + 1, NULL, 10);
                if (w && tm->cmp != 0 && (tm->cmp > 0 ? ev_value >= qv : ev_value <= qv)) {
                    /* "more than ten" against "fifteen": consistent, so the
                     * number counts as found. */
                    ev.mask |= (uint64_t)1 << j;
                    w = NULL;
                    break;
                }
            }
            if (!w && tm->proper)
                w = alternative_in(x, &q, s, 2, &wl, &ev_value);
        }
        if (w) {
            alt_terms |= (uint64_t)1 << j;
            if (!alt_word) {
                alt_word = w;
                alt_len = wl;
                alt_q = tm->word;
                alt_qlen = tm->wlen;
            }
        }
    }
    double cov = coverage(&q, ev.mask);
    if (alt_terms) {
        double rest = q.wsum - mask_weight(&q, alt_terms);
        cov = rest > 0 ? mask_weight(&q, ev.mask) / rest : 0;
    }
    /* Evidence that is only a question ("Why does the sea go in and out?")
     * asserts nothing: it counts QUESTION_EVIDENCE of its coverage. */
    int asked = ends_with_question(x->t->sentences[ev.main].text) &&
                (ev.extra == SIZE_MAX || ends_with_question(x->t->sentences[ev.extra].text));
    if (asked)
        cov *= QUESTION_EVIDENCE;
    if (cov < SKIP_COVERAGE) {
        rc = skip_for_evidence(x, &q, &ev, a) == RB_OK ? RB_OK : oom(err);
        goto done;
    }

    /* Negation over the evidence sentence(s). */
    const char *negword = NULL;
    double ratio = 0;
    if (evidence_negation(x, &q, &ev, &ratio, &negword) != RB_OK) {
        rc = oom(err);
        goto done;
    }
    int negated = ratio >= NEG_RATIO;

    double E = 0.75 * cov + (ev.E - 0.75 * ev.cov);
    double conf = conf_from(E);
    int belief = 0;
    if (!negated && !alt_terms) {
        size_t lo, hi;
        win_range(x, ev.w, &lo, &hi);
        for (size_t s = lo; s <= hi && !belief; s++)
            belief = sentence_mask(x, &q, s) && reported_belief(x, s);
    }
    if (belief)
        conf *= 0.8;
    int no = negated || alt_terms || belief;
    if (alt_terms && negated)
        no = 0; /* "not Munich but Berlin": a negated alternative confirms. */
    if (alt_terms)
        conf *= 0.85;
    if (negated && ratio < 0.6)
        conf *= 0.85;

    rb_buf b;
    rb_buf_init(&b, TEXT_MAX);
    /* Quotes in time order: the main sentence and the one adding terms. */
    size_t q1 = ev.main, q2 = ev.extra;
    if (q2 != SIZE_MAX && q2 < q1) {
        q1 = ev.extra;
        q2 = ev.main;
    }
    rc = put_quote(&b, x->t, q1);
    if (rc == RB_OK && q2 != SIZE_MAX) {
        rc = rb_buf_puts(&b, " ");
        if (rc == RB_OK)
            rc = put_quote(&b, x->t, q2);
    }
    if (rc == RB_OK && negated && !alt_terms)
        rc = rb_buf_appendf(&b, " The statement is negated (\"%s\").", negword ? negword : "not");
    else if (rc == RB_OK && belief)
        rc = rb_buf_puts(&b, " This is reported as what others believe, not stated as fact.");
    else if (rc == RB_OK && alt_terms && !negated)
        rc = rb_buf_appendf(&b, " It says \"%.*s\", not \"%.*s\".", (int)alt_len, alt_word,
                            (int)alt_qlen, alt_q);
    if (rc == RB_OK)
        rc = set_str(&a->reasoning, &b);
    rb_buf_free(&b);
    if (rc != RB_OK) {
        rc = oom(err);
        goto done;
    }
    int idx = no ? no_idx : yes_idx;
    a->answer = strdup(idx >= 0 ? qq->options[idx] : (no ? "no" : "yes"));
    a->skipped = 0;
    a->confidence = conf;
    rc = a->answer ? RB_OK : oom(err);
done:
    termset_free(&q);
    return rc;
}

/* ---- choices ------------------------------------------------------------------ */

typedef struct opt_score {
    double s;
    size_t w;      /* window of the best score */
    size_t sent;   /* sentence quoted */
    int found;
} opt_score;

/* Smallest token distance, in sentence s, between a term of o and a term of
 * q (SIZE_MAX when either is absent). */
static size_t term_distance(const aindex *x, const termset *o, const termset *q, size_t s)
{
    size_t off = x->ids.unit_off[s], n = x->ids.unit_off[s + 1] - off;
    size_t last_o = SIZE_MAX, last_q = SIZE_MAX, best = SIZE_MAX;
    for (size_t j = 0; j < n; j++) {
        int32_t id = x->ids.ids[off + j];
        if (id < 0)
            continue;
        int io = 0, iq = 0;
        for (size_t t = 0; t < o->n; t++)
            io |= o->terms[t].id == id;
        for (size_t t = 0; t < q->n; t++)
            iq |= q->terms[t].id == id && !q->terms[t].head;
        if (io)
            last_o = j;
        if (iq)
            last_q = j;
        if ((io || iq) && last_o != SIZE_MAX && last_q != SIZE_MAX) {
            size_t d = last_o > last_q ? last_o - last_q : last_q - last_o;
            if (d < best)
                best = d;
        }
    }
    return best;
}

/* 1 when the words of option o (two or more) appear in sentence s as a
 * phrase: consecutive content words in the option's order ("quatre heures"
 * for "4 heures", not "deux couches ... heures"). */
static int phrase_in_sentence(const aindex *x, const termset *o, size_t s)
{
    if (o->n < 2)
        return 0;
    for (size_t j = 0; j < o->n; j++)
        if (o->terms[j].id < 0)
            return 0;
    size_t off = x->ids.unit_off[s], end = x->ids.unit_off[s + 1];
    for (size_t i = off; i < end; i++) {
        if (x->ids.ids[i] != o->terms[0].id)
            continue;
        size_t k = 1, p = i + 1;
        while (k < o->n && p < end) {
            if (x->ids.ids[p] < 0) { /* stop words between are fine */
                p++;
                continue;
            }
            if (x->ids.ids[p] != o->terms[k].id)
                break;
            k++;
            p++;
        }
        if (k == o->n)
            return 1;
    }
    return 0;
}

/* The score of option o in window w (see docs/builtin-answer.md). */
static int option_in_window(const aindex *x, const termset *q, const termset *o, size_t w,
                            double *score, size_t *sent)
{
    *score = 0;
    *sent = w;
    uint64_t om = window_mask(x, o, w);
    double cov_o = coverage(o, om);
    if (cov_o <= 0)
        return RB_OK;
    double cov_q = q->n ? coverage(q, window_mask(x, q, w)) : 1.0;
    size_t lo, hi;
    win_range(x, w, &lo, &hi);
    uint64_t seen = 0, neg = 0;
    size_t best_d = SIZE_MAX;
    double best_sw = -1;
    int phrase = 0;
    for (size_t s = lo; s <= hi; s++) {
        uint64_t sm = sentence_mask(x, o, s);
        if (!sm)
            continue;
        if (scope_masks(x, o, s, 1, 1, &seen, &neg, NULL) != RB_OK)
            return RB_ERR;
        phrase |= phrase_in_sentence(x, o, s);
        size_t d = q->n ? term_distance(x, o, q, s) : SIZE_MAX;
        if (d < best_d)
            best_d = d;
        double sw = mask_weight(o, sm) + (q->n ? mask_weight(q, sentence_mask(x, q, s)) : 0);
        if (sw > best_sw + 1e-12) {
            best_sw = sw;
            *sent = s;
        }
    }
    double rej = (seen && (neg & seen) == seen) ? 0.25 : 1.0;
    if ((om & ~o->shared) == 0)
        rej *= SHARED_WEIGHT;
    double prox = best_d == SIZE_MAX ? 1.0 : 1.0 + 0.15 / (1.0 + (double)best_d);
    *score = cov_o * (0.35 + 0.65 * cov_q) * rej * prox * (phrase ? PHRASE_BONUS : 1.0);
    return RB_OK;
}

static int answer_choice(const aindex *x, const rb_answer_question *qq, rb_answer *a,
                         rb_err *err)
{
    termset q;
    int rc = terms_of(x, qq->question, 1, 0, &q, err);
    if (rc != RB_OK)
        return rc;
    size_t no = qq->noptions;
    termset *opts = calloc(no ? no : 1, sizeof *opts);
    opt_score *sc = calloc(no ? no : 1, sizeof *sc);
    if (!opts || !sc) {
        free(opts);
        free(sc);
        termset_free(&q);
        return oom(err);
    }
    rb_bm25_hit base[TOP_WINDOWS];
    size_t nbase = 0;
    rc = query(x, &q, NULL, base, &nbase, err);
    for (size_t i = 0; i < no && rc == RB_OK; i++)
        rc = terms_of(x, qq->options[i], 0, 1, &opts[i], err);
    /* Words other options share ("about 4 ..." / "Mercado ...") cannot tell
     * the options apart: they weigh SHARED_WEIGHT of their idf, and an option
     * found only through shared words (or made only of them) scores
     * SHARED_WEIGHT of its score (option_in_window). */
    for (size_t i = 0; i < no && rc == RB_OK && no > 1; i++) {
        opts[i].wsum = 0;
        for (size_t j = 0; j < opts[i].n; j++) {
            size_t holders = 0;
            for (size_t k = 0; k < no; k++)
                for (size_t m = 0; m < opts[k].n; m++)
                    if (strcmp(opts[k].terms[m].key, opts[i].terms[j].key) == 0) {
                        holders++;
                        break;
                    }
            if (holders > 1) {
                opts[i].terms[j].idf *= SHARED_WEIGHT;
                opts[i].shared |= (uint64_t)1 << j;
            }
            opts[i].wsum += opts[i].terms[j].idf;
        }
    }
    for (size_t i = 0; i < no && rc == RB_OK; i++) {
        rb_bm25_hit hits[TOP_WINDOWS];
        size_t nh = 0;
        rc = query(x, &q, &opts[i], hits, &nh, err);
        /* Candidates: the question's windows and the question+option ones. */
        for (size_t k = 0; k < nbase + nh && rc == RB_OK; k++) {
            size_t w = k < nbase ? base[k].unit : hits[k - nbase].unit;
            double s;
            size_t sent;
            if (option_in_window(x, &q, &opts[i], w, &s, &sent) != RB_OK) {
                rc = oom(err);
                break;
            }
            if (s > sc[i].s + 1e-12) {
                sc[i].s = s;
                sc[i].w = w;
                sc[i].sent = sent;
                sc[i].found = 1;
            }
        }
    }
    if (rc != RB_OK)
        goto done;
    size_t best = 0;
    for (size_t i = 1; i < no; i++)
        if (sc[i].s > sc[best].s + 1e-12)
            best = i;
    double s2 = 0;
    for (size_t i = 0; i < no; i++)
        if (i != best && sc[i].s > s2)
            s2 = sc[i].s;
    rb_buf b;
    rb_buf_init(&b, TEXT_MAX);
    if (no == 0 || !sc[best].found || sc[best].s < CHOICE_MIN) {
        rc = rb_buf_puts(&b, "None of the answer options is supported by the transcript");
        evidence ev;
        if (rc == RB_OK && best_evidence(x, &q, &ev, err) == RB_OK && ev.found && q.n) {
            rc = rb_buf_puts(&b, "; the closest passage to the question is: ");
            if (rc == RB_OK)
                rc = put_quote(&b, x->t, ev.main);
        }
        if (rc == RB_OK)
            rc = rb_buf_puts(&b, ".");
        if (rc == RB_OK)
            rc = skip_with(a, &b);
    } else {
        double s1 = sc[best].s > 1 ? 1 : sc[best].s;
        double margin = sc[best].s > 0 ? (sc[best].s - s2) / sc[best].s : 0;
        a->confidence = clamp01(0.15 + 0.8 * s1 * (0.6 + 0.4 * margin));
        rc = put_quote(&b, x->t, sc[best].sent);
        if (rc == RB_OK)
            rc = rb_buf_appendf(&b, " This supports \"%s\".", qq->options[best]);
        if (rc == RB_OK)
            rc = set_str(&a->reasoning, &b);
        a->answer = strdup(qq->options[best]);
        a->skipped = 0;
        if (!a->answer)
            rc = RB_ERR;
    }
    rb_buf_free(&b);
    if (rc != RB_OK)
        rc = oom(err);
done:
    for (size_t i = 0; i < no; i++)
        termset_free(&opts[i]);
    free(opts);
    free(sc);
    termset_free(&q);
    return rc;
}

/* ---- free form ------------------------------------------------------------------- */

static int answer_free(const aindex *x, const rb_answer_question *qq, size_t max_len,
                       rb_answer *a, rb_err *err)
{
    termset q;
    int rc = terms_of(x, qq->question, 1, 0, &q, err);
    if (rc != RB_OK)
        return rc;
    evidence ev;
    rc = best_evidence(x, &q, &ev, err);
    if (rc != RB_OK)
        goto done;
    if (q.n == 0 || !ev.found || ev.cov < SKIP_COVERAGE) {
        rc = skip_for_evidence(x, &q, &ev, a) == RB_OK ? RB_OK : oom(err);
        goto done;
    }
    size_t first = ev.main, second = ev.extra;
    if (second != SIZE_MAX && second < first) {
        size_t tmp = first;
        first = second;
        second = tmp;
    }
    rb_buf b;
    rb_buf_init(&b, TEXT_MAX);
    rc = rb_buf_puts(&b, x->t->sentences[first].text);
    if (rc == RB_OK && second != SIZE_MAX) {
        rc = rb_buf_puts(&b, " ");
        if (rc == RB_OK)
            rc = rb_buf_puts(&b, x->t->sentences[second].text);
    }
    char *full = rc == RB_OK ? rb_buf_steal(&b) : NULL;
    rb_buf_free(&b);
    if (!full) {
        rc = oom(err);
        goto done;
    }
    a->answer = rb_answer_cut(full, max_len);
    free(full);
    char ts[32];
    fmt_time(x->t->sentences[first].start_ms, ts, sizeof ts);
    rb_buf_init(&b, TEXT_MAX);
    rc = rb_buf_appendf(&b, "Quoted from the transcript at %s.", ts);
    if (rc == RB_OK)
        rc = set_str(&a->reasoning, &b);
    rb_buf_free(&b);
    a->confidence = conf_from(ev.E);
    a->skipped = 0;
    if (rc != RB_OK || !a->answer)
        rc = oom(err);
done:
    termset_free(&q);
    return rc;
}

/* ---- public ---------------------------------------------------------------------- */

static int is_word(const char *folded, const char *const *words)
{
    return folded && in_list(folded, words);
}

int rb_answer_kind(const rb_answer_question *q, const char *lang, int *yes_idx, int *no_idx)
{
    if (yes_idx)
        *yes_idx = -1;
    if (no_idx)
        *no_idx = -1;
    if (q->free_form)
        return RB_ANSWER_FREE;
    if (!q->options || q->noptions == 0)
        return RB_ANSWER_YESNO;
    if (q->noptions != 2)
        return RB_ANSWER_CHOICE;
    char pl[16];
    primary_lang(lang, pl, sizeof pl);
    static const char *const en_yes[] = {"yes", NULL}, *const en_no[] = {"no", NULL};
    static const char *const fr_yes[] = {"oui", NULL}, *const fr_no[] = {"non", NULL};
    static const char *const de_yes[] = {"ja", NULL}, *const de_no[] = {"nein", NULL};
    static const char *const es_yes[] = {"sí", "si", NULL}, *const es_no[] = {"no", NULL};
    const char *const *yes = en_yes, *const *nos = en_no;
    if (strcmp(pl, "fr") == 0) {
        yes = fr_yes;
        nos = fr_no;
    } else if (strcmp(pl, "de") == 0) {
        yes = de_yes;
        nos = de_no;
    } else if (strcmp(pl, "es") == 0) {
        yes = es_yes;
        nos = es_no;
    }
    char *a = fold(q->options[0]), *b = fold(q->options[1]);
    int kind = RB_ANSWER_CHOICE, yi = -1, ni = -1;
    if (is_word(a, yes) && is_word(b, nos)) {
        yi = 0;
        ni = 1;
    } else if (is_word(a, nos) && is_word(b, yes)) {
        yi = 1;
        ni = 0;
    }
    if (yi >= 0) {
        kind = RB_ANSWER_YESNO;
        if (yes_idx)
            *yes_idx = yi;
        if (no_idx)
            *no_idx = ni;
    }
    free(a);
    free(b);
    return kind;
}

char *rb_answer_cut(const char *s, size_t max_chars)
{
    size_t len = strlen(s), i = 0, chars = 0;
    while (i < len && chars < max_chars) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    if (i < len) {
        /* Prefer the last white space in the second half of the kept text. */
        size_t cut = i;
        for (size_t k = i; k > i / 2; k--)
            if (s[k] == ' ' || s[k] == '\n' || s[k] == '\t') {
                cut = k;
                break;
            }
        i = cut;
        while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == ',' || s[i - 1] == ';' ||
                         s[i - 1] == ':' || s[i - 1] == '\n' || s[i - 1] == '\t'))
            i--;
    }
    char *out = malloc(i + 1);
    if (!out)
        return NULL;
    memcpy(out, s, i);
    out[i] = '\0';
    return out;
}

/* s without leading/trailing white space and a trailing '.', folded. */
static char *fold_trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
                     s[n - 1] == '\r' || s[n - 1] == '.'))
        n--;
    char *tmp = strndup(s, n);
    if (!tmp)
        return NULL;
    char *f = fold(tmp);
    free(tmp);
    return f;
}

int rb_answer_post(const rb_answer_question *q, const char *lang, size_t max_free_len,
                   rb_answer *a, rb_err *err)
{
    if (!a->reasoning && !(a->reasoning = strdup("")))
        return oom(err);
    if (a->answer) {
        const char *p = a->answer;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            a->skipped = 1;
    } else {
        a->skipped = 1;
    }
    if (!a->skipped) {
        int yi, ni;
        int kind = rb_answer_kind(q, lang, &yi, &ni);
        if (kind == RB_ANSWER_FREE) {
            if (max_free_len < 1 || max_free_len > RB_ANSWER_MAX_FREE_LEN)
                max_free_len = RB_ANSWER_DEFAULT_FREE_LEN;
            char *c = rb_answer_cut(a->answer, max_free_len);
            if (!c)
                return oom(err);
            free(a->answer);
            a->answer = c;
        } else {
            static const char *const dflt[] = {"yes", "no"};
            const char *const *opts = q->noptions ? q->options : dflt;
            size_t n = q->noptions ? q->noptions : 2;
            char *fa = fold_trimmed(a->answer);
            if (!fa)
                return oom(err);
            const char *match = NULL;
            for (size_t i = 0; i < n && !match; i++) {
                char *fo = fold_trimmed(opts[i]);
                if (!fo) {
                    free(fa);
                    return oom(err);
                }
                if (strcmp(fo, fa) == 0)
                    match = opts[i];
                free(fo);
            }
            free(fa);
            if (match) {
                char *c = strdup(match);
                if (!c)
                    return oom(err);
                free(a->answer);
                a->answer = c;
            } else {
                rb_buf b;
                rb_buf_init(&b, TEXT_MAX);
                char *shown = rb_answer_cut(a->answer, 150);
                int rc = shown ? rb_buf_appendf(&b,
                                                "The answer given (\"%s\") is not one of the "
                                                "answer options.%s%s",
                                                shown, a->reasoning[0] ? " " : "", a->reasoning)
                               : RB_ERR;
                free(shown);
                if (rc == RB_OK)
                    rc = set_str(&a->reasoning, &b);
                rb_buf_free(&b);
                if (rc != RB_OK)
                    return oom(err);
                a->skipped = 1;
            }
        }
    }
    if (a->skipped) {
        free(a->answer);
        a->answer = NULL;
        a->confidence = 0;
    } else {
        a->confidence = clamp01(a->confidence);
    }
    return RB_OK;
}

void rb_answers_free(rb_answer *a, size_t n)
{
    if (!a)
        return;
    for (size_t i = 0; i < n; i++) {
        free(a[i].answer);
        free(a[i].reasoning);
        a[i].answer = NULL;
        a[i].reasoning = NULL;
    }
}

int rb_builtin_answer(const rb_transcript *t, const rb_transcript_doc *doc,
                      const rb_answer_question *q, size_t nq, size_t max_free_len,
                      rb_answer *out, rb_err *err)
{
    for (size_t i = 0; i < nq; i++)
        memset(&out[i], 0, sizeof out[i]);
    if (max_free_len < 1 || max_free_len > RB_ANSWER_MAX_FREE_LEN)
        max_free_len = RB_ANSWER_DEFAULT_FREE_LEN;
    if (!t) {
        for (size_t i = 0; i < nq; i++) {
            out[i].skipped = 1;
            out[i].reasoning = strdup("The asset has no transcript (no ready caption track), so "
                                      "the question cannot be answered from it.");
            if (!out[i].reasoning) {
                rb_answers_free(out, nq);
                return oom(err);
            }
        }
        return RB_OK;
    }
    aindex x;
    int rc = index_build(&x, t, doc, err);
    for (size_t i = 0; i < nq && rc == RB_OK; i++) {
        int yi, ni;
        int kind = rb_answer_kind(&q[i], t->language, &yi, &ni);
        if (kind == RB_ANSWER_FREE)
            rc = answer_free(&x, &q[i], max_free_len, &out[i], err);
        else if (kind == RB_ANSWER_CHOICE)
            rc = answer_choice(&x, &q[i], &out[i], err);
        else
            rc = answer_yesno(&x, &q[i], yi, ni, &out[i], err);
        if (rc == RB_OK)
            rc = rb_answer_post(&q[i], t->language, max_free_len, &out[i], err);
    }
    index_free(&x);
    if (rc != RB_OK)
        rb_answers_free(out, nq);
    return rc;
}
