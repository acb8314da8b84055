/* builtin_answer.c — the builtin ask-questions engine (see builtin_answer.h and
 * docs/builtin-answer.md for the design, the constants and the word lists).
 *
 * Outline:
 *   index   the transcript's sentences become the units of a "key doc" whose
 *           stems have French/Italian elisions stripped ("l'appliqu" ->
 *           "appliqu") and English irregular past forms read as their base
 *           ("stung" -> "sting"); windows of 2*WIN_RADIUS+1 sentences around every
 *           sentence are indexed with Okapi BM25 (rb_bm25), and the window
 *           document frequency of every stem gives the idf used by the
 *           evidence measures.
 *   terms   a question is tokenised like the transcript (rb_transcript_tokenize);
 *           its content terms are the distinct non-stop stems that are not
 *           interrogatives, question-frame words ("video", "mention") or
 *           negators; numbers (digits or number words) become "#<value>";
 *           frequent general words weigh less; a word the transcript never
 *           uses may meet a stem it starts or that starts it, or its head
 *           as a compound; every term also meets the transcript words that
 *           hold it as a compound part ("member" / "councilmember").
 *   evidence  the best of the BM25 top windows by E = 0.75 * coverage +
 *           0.25 * min(1, bm25 / sum idf), coverage being the idf-weighted
 *           share of the question's terms the window contains, terms said
 *           just outside it counting partly (a positional kernel), and
 *           terms the transcript says with the window's terms elsewhere
 *           counting by their lift (cooc_credit). Below SKIP_COVERAGE the
 *           question is skipped.
 *   answer  yes/no: "no" when the matched terms sit inside the scope of a
 *           negator (or the evidence is a question answered "No.", or is
 *           followed by an elliptical denial: "I don't do that."), when a
 *           missing term is contradicted by an alternative (a different
 *           number or name, an antonym), when the evidence states the
 *           question's measurement with another value in any unit ("about
 *           an hour" / "thirty-five minutes"), when an "only" question meets
 *           "both", or when the evidence reports what other people believe;
 *           else "yes". A wh-question ("which...?")
 *           cannot be answered yes or no and is skipped. Choice: each
 *           option's terms scored against the candidate windows, with a
 *           bonus for the question's terms around the option. Free form:
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
#include "ai/thesaurus.h"
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
#define PROX_WEIGHT 0.15    /* bonus of an option surrounded by the question's terms */
#define QUESTION_EVIDENCE 0.75 /* coverage kept when the evidence is only a question */
#define SYN_CREDIT 0.5      /* share of a term's weight a thesaurus synonym earns */
#define SYN_FLOOR 0.25      /* literal coverage a passage needs before synonyms count */
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

/* Words that open a condition ("if", "si", "wenn", "falls"). */
static const char *const conditionals[] = {"if", "si", "wenn", "falls", NULL};

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
    /* "selon X" is "according to X"; the modals and the auxiliary of an
     * inverted question ("Peut-on...", "Faut-il...", "A-t-elle...") frame
     * it as English "can/must/has" do, which are stop words there. */
    "selon", "peut", "peuvent", "faut", "doit", "doivent", "a",
    /* de */
    "welche", "welcher", "welches", "wann", "warum", "wieso", "wieviel", "wieviele", "video",
    "erwähnt", "sagt", "spricht", "laut",
    /* the modals and passive auxiliary that open a German yes/no question
     * ("Soll...", "Muss...", "Wird ... gemacht?"), as "should/must/will" */
    "soll", "sollte", "sollen", "muss", "müssen", "darf", "dürfen", "wird", "werden",
    /* es */
    "cuál", "cuáles", "cuándo", "dónde", "por", "cómo", "cuánto", "cuántos", "cuánta",
    "cuántas", "vídeo", "menciona", "dice", "habla", "según", "puede", "pueden", "debe",
    "deben",
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

/* The same for French, German and Spanish: the basic pairs of the English
 * list (quantity and size comparatives, open/closed, free/paid, hot/cold,
 * early/late, allowed/forbidden, win/lose), in the forms speech uses most. */
static const char fr_antonyms[] =
    "moins davantage\nouvert fermé\nouverte fermée\ngratuit payant\ngratuite payante\n"
    "grand petit\ngrande petite\nplus moins\nchaud froid\nchaude froide\ntôt tard\n"
    "autorisé interdit\ngagné perdu\nplein vide\nhausse baisse\naugmente diminue\n";
static const char de_antonyms[] =
    "mehr weniger\ngrößer kleiner\nhöher niedriger\nlänger kürzer\nschneller langsamer\n"
    "offen geschlossen\nkostenlos kostenpflichtig\ngroß klein\nwarm kalt\nheiß kalt\n"
    "früh spät\nerlaubt verboten\ngewonnen verloren\nvoll leer\nsteigt sinkt\n"
    "zunehmen abnehmen\n";
static const char es_antonyms[] =
    "más menos\nmayor menor\nabierto cerrado\nabierta cerrada\ngratis pagado\n"
    "grande pequeño\ngrande pequeña\ncaliente frío\ncaliente fría\ntemprano tarde\n"
    "permitido prohibido\nganó perdió\nlleno vacío\nlleno vacía\nsube baja\n"
    "aumenta disminuye\n";

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

/* Closed classes whose members exclude each other as answers: days,
 * months, parts of the day, seasons, colours (one class per line). A
 * question naming one ("on Saturday?") that the evidence answers with
 * another ("am Sonntag") is answered "no", as a different number is.
 * Words that are also common in another sense are left out ("may",
 * "march", "fall", "morgen", "mañana", "tarde"). */
static const char en_classes[] =
    "monday tuesday wednesday thursday friday saturday sunday\n"
    "january february april june july august september october november december\n"
    "morning afternoon evening night noon midnight\n"
    "spring summer autumn winter\n"
    "red blue green yellow black white orange purple pink brown grey gray\n";
static const char fr_classes[] =
    "lundi mardi mercredi jeudi vendredi samedi dimanche\n"
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre\n"
    "matin après-midi soir soirée nuit midi minuit\n"
    "printemps automne hiver\n"
    "rouge bleu bleue vert verte jaune noir noire blanc blanche violet rose marron gris\n";
static const char de_classes[] =
    "montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag\n"
    "januar februar märz april mai juni juli august september oktober november dezember\n"
    "vormittag nachmittag abend nacht mittag mitternacht\n"
    "frühling sommer herbst winter\n"
    "rot blau grün gelb schwarz weiß lila rosa braun grau\n";
static const char es_classes[] =
    "lunes martes miércoles jueves viernes sábado domingo\n"
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre\n"
    "madrugada mediodía noche medianoche\n"
    "primavera verano otoño invierno\n"
    "rojo roja azul verde amarillo amarilla negro negra blanco blanca morado rosa marrón gris\n";

/* English irregular verbs: the base form, then its past forms (one verb per
 * line, from common grammar knowledge). Snowball cannot relate "stung" to
 * "sting" or "bought" to "buy"; both become the base's stem. Forms that are
 * also common nouns or adjectives of another meaning (left, found, saw, felt,
 * lay, ground, rose, fell, led, wound, bound, shot, spoke...) are left out. */
static const char en_irregular[] =
    "arise arose arisen\nbear bore borne\nbeat beaten\nbecome became\nbegin began begun\n"
    "bend bent\nbite bitten\nblow blew blown\nbreak broke broken\nbring brought\n"
    "build built\nburn burnt\nbuy bought\ncatch caught\nchoose chose chosen\ncling clung\n"
    "come came\ncreep crept\ndeal dealt\ndig dug\ndraw drew drawn\ndream dreamt\n"
    "drink drank drunk\ndrive drove driven\neat ate eaten\nfight fought\nfly flew flown\n"
    "forbid forbade forbidden\nforget forgot forgotten\nforgive forgave forgiven\n"
    "freeze froze frozen\nget got gotten\ngive gave given\ngo went gone\ngrow grew grown\n"
    "hang hung\nhear heard\nhide hid hidden\nhold held\nkeep kept\nkneel knelt\n"
    "know knew known\nlend lent\nlose lost\nmake made\nmean meant\nmeet met\npay paid\n"
    "ride rode ridden\nring rang\nrise risen\nrun ran\nsay said\nseek sought\nsell sold\n"
    "send sent\nshake shook shaken\nshine shone\nshrink shrank shrunk\nsing sang sung\n"
    "sink sank sunk\nsit sat\nsleep slept\nslide slid\nspend spent\nspin spun\n"
    "steal stole stolen\nstick stuck\nsting stung\nstrike struck\nswear swore sworn\n"
    "sweep swept\nswim swam swum\nswing swung\ntake took taken\nteach taught\ntear torn\n"
    "tell told\nthink thought\nthrow threw thrown\nunderstand understood\nwake woke woken\n"
    "wear wore worn\nweep wept\nwin won\nwrite wrote written\n";

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
    {"eighty", 80, 0}, {"ninety", 90, 0}, {"twenties", 20, 0}, {"thirties", 30, 0},
    {"forties", 40, 0}, {"fifties", 50, 0}, {"sixties", 60, 0}, {"seventies", 70, 0},
    {"eighties", 80, 0}, {"nineties", 90, 0}, {"hundred", 100, 1}, {"thousand", 1000, 2},
    {"million", 1000000, 2}, {NULL, 0, 0}};
static const numword fr_nums[] = {
    {"zéro", 0, 0}, {"deux", 2, 0}, {"trois", 3, 0}, {"quatre", 4, 0}, {"cinq", 5, 0},
    {"six", 6, 0}, {"sept", 7, 0}, {"huit", 8, 0}, {"neuf", 9, 0}, {"dix", 10, 0},
    {"onze", 11, 0}, {"douze", 12, 0}, {"treize", 13, 0}, {"quatorze", 14, 0},
    {"quinze", 15, 0}, {"seize", 16, 0}, {"vingt", 20, 0}, {"vingts", 20, 0},
    {"trente", 30, 0}, {"quarante", 40, 0}, {"cinquante", 50, 0}, {"soixante", 60, 0},
    {"septante", 70, 0}, {"huitante", 80, 0}, {"octante", 80, 0}, {"nonante", 90, 0},
    {"cent", 100, 1},
    {"cents", 100, 1}, {"mille", 1000, 2}, {"million", 1000000, 2}, {NULL, 0, 0}};
static const numword de_nums[] = {
    {"null", 0, 0}, {"zwei", 2, 0}, {"drei", 3, 0}, {"vier", 4, 0}, {"fünf", 5, 0},
    {"sechs", 6, 0}, {"sieben", 7, 0}, {"acht", 8, 0}, {"neun", 9, 0}, {"zehn", 10, 0},
    {"elf", 11, 0}, {"zwölf", 12, 0}, {"sechzehn", 16, 0}, {"siebzehn", 17, 0},
    {"zwanzig", 20, 0}, {"dreißig", 30, 0}, {"dreissig", 30, 0}, {"vierzig", 40, 0},
    {"fünfzig", 50, 0}, {"sechzig", 60, 0}, {"siebzig", 70, 0}, {"achtzig", 80, 0},
    {"neunzig", 90, 0}, {"hundert", 100, 1}, {"tausend", 1000, 2}, {"million", 1000000, 2},
    {"millionen", 1000000, 2}, {NULL, 0, 0}};
static const numword es_nums[] = {
    {"cero", 0, 0}, {"dos", 2, 0}, {"tres", 3, 0}, {"cuatro", 4, 0}, {"cinco", 5, 0},
    {"seis", 6, 0}, {"siete", 7, 0}, {"ocho", 8, 0}, {"nueve", 9, 0}, {"diez", 10, 0},
    {"once", 11, 0}, {"doce", 12, 0}, {"trece", 13, 0}, {"catorce", 14, 0},
    {"quince", 15, 0}, {"dieciséis", 16, 0}, {"diecisiete", 17, 0}, {"dieciocho", 18, 0},
    {"diecinueve", 19, 0}, {"veinte", 20, 0}, {"veintiuno", 21, 0}, {"veintidós", 22, 0},
    {"veintitrés", 23, 0}, {"veinticuatro", 24, 0}, {"veinticinco", 25, 0},
    {"veintiséis", 26, 0}, {"veintisiete", 27, 0}, {"veintiocho", 28, 0},
    {"veintinueve", 29, 0}, {"treinta", 30, 0}, {"cuarenta", 40, 0}, {"cincuenta", 50, 0},
    {"sesenta", 60, 0}, {"setenta", 70, 0}, {"ochenta", 80, 0}, {"noventa", 90, 0},
    {"cien", 100, 1}, {"ciento", 100, 1}, {"doscientos", 200, 0}, {"trescientos", 300, 0},
    {"cuatrocientos", 400, 0}, {"quinientos", 500, 0}, {"seiscientos", 600, 0},
    {"setecientos", 700, 0}, {"ochocientos", 800, 0}, {"novecientos", 900, 0},
    {"mil", 1000, 2}, {"millón", 1000000, 2}, {"millones", 1000000, 2}, {NULL, 0, 0}};

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

/* Numbers are read up to this value; a longer run of number words is not a
 * number anyone says, and stopping keeps the arithmetic from overflowing. */
#define NUMBER_MAX 1000000000000LL

/* A German number written as one word ("dreiundzwanzig", "zweihundert",
 * "Zehntausende", "neunzehnhundertfünfzig"): number words joined by "und",
 * with "ein" inside, an optional ending (-e, -en, -er, -ern, -s); at least two
 * parts, or one hundred/thousand word with an ending ("Tausende"), so
 * "einer" and "Elfen" stay words. -1 otherwise. */
static long long de_compound_value(const char *norm)
{
    long long total = 0, cur = 0;
    size_t parts = 0;
    int big = 0;
    const char *p = norm;
    while (*p) {
        if (parts > 0 && strncmp(p, "und", 3) == 0 && p[3]) {
            p += 3;
            continue;
        }
        const numword *best = NULL;
        size_t bl = 0;
        for (const numword *t = de_nums; t->w; t++) {
            size_t l = strlen(t->w);
            if (l > bl && strncmp(p, t->w, l) == 0) {
                best = t;
                bl = l;
            }
        }
        long long v = best ? best->v : 1;
        int kind = best ? best->kind : 0;
        if (!best && strncmp(p, "eins", 4) == 0)
            bl = 4;
        else if (!best && strncmp(p, "ein", 3) == 0)
            bl = 3;
        if (!bl) {
            if (parts > 0 && in_list(p, (const char *const[]){"e", "en", "er", "ern", "s", NULL}))
                break;
            return -1;
        }
        if (cur > NUMBER_MAX || total > NUMBER_MAX)
            return -1; /* "hunderthunderthundert...": no such number */
        if (kind == 0)
            cur += v;
        else if (kind == 1)
            cur = (cur ? cur : 1) * v;
        else {
            total += (cur ? cur : 1) * v;
            cur = 0;
        }
        big |= kind != 0;
        parts++;
        p += bl;
    }
    if (parts == 0 || (parts == 1 && !(big && *p)))
        return -1;
    return total + cur;
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
static const char *const one_articles[] = {"a", "an", "un", "une", "ein", "eine", "einen",
                                           "einer", "una", "uno", NULL};
static const char *const time_units[] = {
    "second", "minute", "hour", "day", "week", "month", "year", "seconde", "heure", "jour",
    "semaine", "mois", "an", "année", "sekunde", "minute", "stunde", "tag", "woche", "monat",
    "jahr", "segundo", "minuto", "hora", "día", "semana", "mes", "año", NULL};

/* Ordinals (docs/builtin-answer.md, "Round 3b"). An ordinal names the
 * number it is formed from, and centuries and reigns are said as ordinals
 * and written in Roman numerals ("au quinzième siècle" / "XVe siècle",
 * "the fifteenth century" / "15th century", "im fünfzehnten Jahrhundert",
 * "siglo XV"), so an ordinal is read as its number. Regular ordinals only:
 * en -th/-ieth (and the four irregular fifth, eighth, ninth, twelfth), fr
 * -ième, de -te/-ste with their endings, digits with st/nd/rd/th/e/er/ème;
 * the words for first to third (first, second, deuxième, erste, zweite...)
 * and the Spanish words are left out: they are mostly "at first", "a
 * second", "zweitens", not counts. Roman
 * numerals are read when written in capitals of I, V and X (up to 39) and
 * either two letters long or followed by a French ordinal ending ("Ve"), so
 * the pronoun "I" and names such as "CD" or "DC" stay words. -1 otherwise. */
static long long roman_value(const char *s, size_t len)
{
    static const char *const ones[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII",
                                       "IX", NULL};
    size_t tens = 0;
    while (tens < len && tens < 3 && s[tens] == 'X')
        tens++;
    for (size_t k = 0; ones[k]; k++)
        if (len - tens == strlen(ones[k]) && strncmp(s + tens, ones[k], len - tens) == 0)
            return len ? (long long)(10 * tens + k) : -1;
    return -1;
}

static long long ordinal_value(const char *pl, const rb_transcript_token *tk, const char *text)
{
    const char *norm = tk->norm, *sf = text + tk->offset;
    size_t n = strlen(norm);
    /* Roman numerals, by the surface's capitals. */
    size_t r = 0;
    while (r < tk->len && (sf[r] == 'I' || sf[r] == 'V' || sf[r] == 'X'))
        r++;
    if (r > 0) {
        const char *rest = norm + r;
        int suffix = strcmp(pl, "fr") == 0 && in_list(rest, (const char *const[]){
                                                                "e", "er", "ème", "eme", NULL});
        long long v = roman_value(sf, r);
        if (v > 0 && ((rest[0] == '\0' && r >= 2) || suffix))
            return v;
    }
    /* Digits with an ordinal ending: "15th", "2nd", "XVe" done above, "15e". */
    size_t d = 0;
    while (d < n && norm[d] >= '0' && norm[d] <= '9')
        d++;
    if (d > 0 && d < n && d <= 4 &&
        in_list(norm + d, (const char *const[]){"st", "nd", "rd", "th", "e", "er", "ème", NULL})) {
        long long v = 0;
        for (size_t k = 0; k < d; k++)
            v = v * 10 + (norm[k] - '0');
        return v;
    }
    char base[48];
    if (n + 3 >= sizeof base)
        return -1;
    const numword *w = NULL;
    long long v = -1;
    if (strcmp(pl, "en") == 0) {
        static const char *const irr[] = {"fifth", "five", "eighth", "eight", "ninth", "nine",
                                           "twelfth", "twelve", NULL};
        for (size_t k = 0; irr[k]; k += 2)
            if (strcmp(norm, irr[k]) == 0)
                w = numword_of(pl, irr[k + 1]);
        if (!w && n > 4 && ends_with(norm, "ieth")) {
            snprintf(base, sizeof base, "%.*sy", (int)(n - 4), norm);
            w = numword_of(pl, base);
        } else if (!w && n > 4 && ends_with(norm, "th")) {
            snprintf(base, sizeof base, "%.*s", (int)(n - 2), norm);
            w = numword_of(pl, base);
        }
    } else if (strcmp(pl, "fr") == 0 && n > 5 && ends_with(norm, "ième")) {
        size_t m = n - strlen("ième");
        static const char *const adds[] = {"", "e", NULL};
        for (size_t k = 0; adds[k] && !w; k++) {
            snprintf(base, sizeof base, "%.*s%s", (int)m, norm, adds[k]);
            w = numword_of(pl, base);
        }
        if (!w && strncmp(norm, "cinqu", m) == 0 && m == 5)
            w = numword_of(pl, "cinq");
        if (!w && strncmp(norm, "neuv", m) == 0 && m == 4)
            w = numword_of(pl, "neuf");
        if (!w && m == 2 && strncmp(norm, "un", 2) == 0)
            v = 1; /* "vingt et unième" */
    } else if (strcmp(pl, "de") == 0) {
        static const char *const ends[] = {"sten", "ster", "stem", "stes", "ste", "ten", "ter",
                                           "tem", "tes", "te", NULL};
        for (size_t k = 0; ends[k] && !w && v < 0; k++) {
            size_t el = strlen(ends[k]);
            if (n <= el + 2 || !ends_with(norm, ends[k]))
                continue;
            snprintf(base, sizeof base, "%.*s", (int)(n - el), norm);
            w = numword_of(pl, base);
            if (!w)
                v = de_compound_value(base);
            /* erste/zweite/dritte are irregular and left out; "siebte" and
             * "achte" have no regular base here either. */
            if ((w && w->v < 4) || (v >= 0 && v < 4)) {
                w = NULL;
                v = -1;
            }
        }
    }
    if (w && w->v >= 4)
        return w->v;
    return v;
}

static int number_at(const char *pl, const rb_transcript_token *tk, size_t n, const char *text,
                     size_t i, long long *val, size_t *span)
{
    long long d = digits_value(tk[i].norm);
    if (d >= 0) {
        *val = d;
        *span = 1;
        return 1;
    }
    /* The indefinite article counts one of a unit of time ("about an hour",
     * "une heure", "eine Stunde", "una hora"); elsewhere it is no number. */
    if (i + 1 < n && in_list(tk[i].norm, one_articles) && in_list(tk[i + 1].norm, time_units)) {
        *val = 1;
        *span = 1;
        return 1;
    }
    long long total = 0, cur = 0, prev = -1;
    size_t j = i;
    int any = 0;
    for (; j < n; j++) {
        if (j > i && !number_gap(text, tk[j - 1].offset + tk[j - 1].len, tk[j].offset))
            break;
        const numword *w = numword_of(pl, tk[j].norm);
        numword compound = {NULL, 0, 0};
        if (!w && strcmp(pl, "de") == 0 && (compound.v = de_compound_value(tk[j].norm)) >= 0)
            w = &compound;
        /* An ordinal ends the number it closes ("dix-neuvième" is 19). */
        int ordinal = 0;
        if (!w && (compound.v = ordinal_value(pl, &tk[j], text)) >= 0) {
            compound.kind = compound.v >= 1000 ? 2 : compound.v == 100 ? 1 : 0;
            w = &compound;
            ordinal = 1;
        }
        if (!w || cur > NUMBER_MAX || total > NUMBER_MAX)
            break;
        if (strcmp(pl, "fr") == 0 && w->v == 20 && prev == 4) {
            cur += 76; /* "quatre-vingts": four twenties */
            prev = 80;
            any = 1;
            continue;
        }
        if (strcmp(pl, "fr") == 0 && w->kind == 0 && (prev == 60 || prev == 80) && w->v >= 10 &&
            w->v < 20)
            cur += w->v; /* "soixante-dix", "quatre-vingt-dix": 70, 90 */
        else if (w->kind == 0 && prev >= 10 && w->v >= 10)
            cur = cur * 100 + w->v; /* a year read in pairs: "nineteen forty(s)" */
        else if (w->kind == 0)
            cur += w->v;
        else if (w->kind == 1)
            cur = (cur ? cur : 1) * w->v;
        else {
            total += (cur ? cur : 1) * w->v;
            cur = 0;
        }
        prev = w->kind == 0 ? w->v : -1;
        any = 1;
        if (ordinal) {
            j++;
            break;
        }
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

/* ---- quantities (docs/builtin-answer.md, "Round 3") ------------------------- */

/* A measurement: a number with a unit ("thirty-five minutes", "half an hour",
 * "2,5 kg", "zehn bis fünfzehn Minuten"), normalised to an interval in the
 * base unit of its dimension, so that a question's quantity can be compared
 * with the transcript's across units and wordings. Counts of things ("three
 * eggs") are not quantities: the number rule compares those. */
enum {
    QD_TIME = 1, QD_LENGTH, QD_MASS, QD_VOLUME, QD_TEMP, QD_DEGREE, QD_PERCENT, QD_USD, QD_EUR,
    QD_GBP, QD_PESO, QD_COUNT
};
#define QD_RATE 0x100  /* per unit of time; the value is then per second */
#define HEDGE_TOL 0.2  /* "about", "environ", "etwa", "unos", "une dizaine": +-20 % */
#define MAX_QTY 8      /* quantities kept per question */
#define QTY_EPS 1e-9   /* relative: conversions are exact up to rounding */

typedef struct qty {
    int dim;
    double lo, hi;  /* in the base unit: s, m, g, l, degree C, %, currency */
    size_t t0, t1;  /* the tokens it spans in its text */
    int bound;      /* one-sided: "more than", "at least", "under", "up to" */
} qty;

typedef struct unitdef {
    const char *w;
    int dim;
    double f;       /* base units per unit */
} unitdef;

#define U_MIN 60.0
#define U_HOUR 3600.0
#define U_DAY 86400.0
#define U_WEEK (7 * U_DAY)
#define U_MONTH (30.436875 * U_DAY) /* a Gregorian year / 12 */
#define U_YEAR (365.2425 * U_DAY)

/* Abbreviations, in every language. */
static const unitdef units_any[] = {
    {"sec", QD_TIME, 1}, {"secs", QD_TIME, 1}, {"min", QD_TIME, U_MIN}, {"mins", QD_TIME, U_MIN},
    {"hr", QD_TIME, U_HOUR}, {"hrs", QD_TIME, U_HOUR}, {"mm", QD_LENGTH, 0.001},
    {"cm", QD_LENGTH, 0.01}, {"km", QD_LENGTH, 1000}, {"mg", QD_MASS, 0.001},
    {"kg", QD_MASS, 1000}, {"ml", QD_VOLUME, 0.001}, {"cl", QD_VOLUME, 0.01},
    {"dl", QD_VOLUME, 0.1}, {"lb", QD_MASS, 453.59237}, {"lbs", QD_MASS, 453.59237},
    {"oz", QD_MASS, 28.349523125}, {"mph", QD_LENGTH | QD_RATE, 1609.344 / U_HOUR},
    {NULL, 0, 0}};
/* Single letters only right after digits ("500 g", "100 m", "2 l"). */
static const unitdef units_letter[] = {{"g", QD_MASS, 1}, {"m", QD_LENGTH, 1},
                                       {"l", QD_VOLUME, 1}, {"s", QD_TIME, 1},
                                       {"h", QD_TIME, U_HOUR}, {NULL, 0, 0}};
static const unitdef units_en[] = {
    {"second", QD_TIME, 1}, {"seconds", QD_TIME, 1}, {"minute", QD_TIME, U_MIN},
    {"minutes", QD_TIME, U_MIN}, {"hour", QD_TIME, U_HOUR}, {"hours", QD_TIME, U_HOUR},
    {"day", QD_TIME, U_DAY}, {"days", QD_TIME, U_DAY}, {"week", QD_TIME, U_WEEK},
    {"weeks", QD_TIME, U_WEEK}, {"fortnight", QD_TIME, 2 * U_WEEK},
    {"fortnights", QD_TIME, 2 * U_WEEK}, {"month", QD_TIME, U_MONTH},
    {"months", QD_TIME, U_MONTH}, {"year", QD_TIME, U_YEAR}, {"years", QD_TIME, U_YEAR},
    {"millimeter", QD_LENGTH, 0.001}, {"millimeters", QD_LENGTH, 0.001},
    {"millimetre", QD_LENGTH, 0.001}, {"millimetres", QD_LENGTH, 0.001},
    {"centimeter", QD_LENGTH, 0.01}, {"centimeters", QD_LENGTH, 0.01},
    {"centimetre", QD_LENGTH, 0.01}, {"centimetres", QD_LENGTH, 0.01},
    {"meter", QD_LENGTH, 1}, {"meters", QD_LENGTH, 1}, {"metre", QD_LENGTH, 1},
    {"metres", QD_LENGTH, 1}, {"kilometer", QD_LENGTH, 1000}, {"kilometers", QD_LENGTH, 1000},
    {"kilometre", QD_LENGTH, 1000}, {"kilometres", QD_LENGTH, 1000},
    {"inch", QD_LENGTH, 0.0254}, {"inches", QD_LENGTH, 0.0254}, {"foot", QD_LENGTH, 0.3048},
    {"feet", QD_LENGTH, 0.3048}, {"yard", QD_LENGTH, 0.9144}, {"yards", QD_LENGTH, 0.9144},
    {"mile", QD_LENGTH, 1609.344}, {"miles", QD_LENGTH, 1609.344},
    {"milligram", QD_MASS, 0.001}, {"milligrams", QD_MASS, 0.001}, {"gram", QD_MASS, 1},
    {"grams", QD_MASS, 1}, {"gramme", QD_MASS, 1}, {"grammes", QD_MASS, 1},
    {"kilogram", QD_MASS, 1000}, {"kilograms", QD_MASS, 1000}, {"kilo", QD_MASS, 1000},
    {"kilos", QD_MASS, 1000}, {"pound", QD_MASS, 453.59237}, {"pounds", QD_MASS, 453.59237},
    {"ounce", QD_MASS, 28.349523125}, {"ounces", QD_MASS, 28.349523125},
    {"tonne", QD_MASS, 1e6}, {"tonnes", QD_MASS, 1e6}, {"milliliter", QD_VOLUME, 0.001},
    {"milliliters", QD_VOLUME, 0.001}, {"millilitre", QD_VOLUME, 0.001},
    {"millilitres", QD_VOLUME, 0.001}, {"liter", QD_VOLUME, 1}, {"liters", QD_VOLUME, 1},
    {"litre", QD_VOLUME, 1}, {"litres", QD_VOLUME, 1}, {"gallon", QD_VOLUME, 3.785411784},
    {"gallons", QD_VOLUME, 3.785411784}, {"pint", QD_VOLUME, 0.473176473},
    {"pints", QD_VOLUME, 0.473176473}, {"percent", QD_PERCENT, 1}, {"dollar", QD_USD, 1},
    {"dollars", QD_USD, 1}, {"buck", QD_USD, 1}, {"bucks", QD_USD, 1}, {"cent", QD_USD, 0.01},
    {"cents", QD_USD, 0.01}, {"euro", QD_EUR, 1}, {"euros", QD_EUR, 1}, {"peso", QD_PESO, 1},
    {"pesos", QD_PESO, 1}, {"degree", QD_DEGREE, 1}, {"degrees", QD_DEGREE, 1},
    {NULL, 0, 0}};
static const unitdef units_fr[] = {
    {"seconde", QD_TIME, 1}, {"secondes", QD_TIME, 1}, {"minute", QD_TIME, U_MIN},
    {"minutes", QD_TIME, U_MIN}, {"heure", QD_TIME, U_HOUR}, {"heures", QD_TIME, U_HOUR},
    {"jour", QD_TIME, U_DAY}, {"jours", QD_TIME, U_DAY}, {"journée", QD_TIME, U_DAY},
    {"journées", QD_TIME, U_DAY}, {"semaine", QD_TIME, U_WEEK}, {"semaines", QD_TIME, U_WEEK},
    {"mois", QD_TIME, U_MONTH}, {"an", QD_TIME, U_YEAR}, {"ans", QD_TIME, U_YEAR},
    {"année", QD_TIME, U_YEAR}, {"années", QD_TIME, U_YEAR},
    {"millimètre", QD_LENGTH, 0.001}, {"millimètres", QD_LENGTH, 0.001},
    {"centimètre", QD_LENGTH, 0.01}, {"centimètres", QD_LENGTH, 0.01},
    {"mètre", QD_LENGTH, 1}, {"mètres", QD_LENGTH, 1}, {"kilomètre", QD_LENGTH, 1000},
    {"kilomètres", QD_LENGTH, 1000}, {"milligramme", QD_MASS, 0.001},
    {"milligrammes", QD_MASS, 0.001}, {"gramme", QD_MASS, 1}, {"grammes", QD_MASS, 1},
    {"kilo", QD_MASS, 1000}, {"kilos", QD_MASS, 1000}, {"kilogramme", QD_MASS, 1000},
    {"kilogrammes", QD_MASS, 1000}, {"tonne", QD_MASS, 1e6}, {"tonnes", QD_MASS, 1e6},
    {"millilitre", QD_VOLUME, 0.001}, {"millilitres", QD_VOLUME, 0.001},
    {"centilitre", QD_VOLUME, 0.01}, {"centilitres", QD_VOLUME, 0.01},
    {"litre", QD_VOLUME, 1}, {"litres", QD_VOLUME, 1}, {"euro", QD_EUR, 1},
    {"euros", QD_EUR, 1}, {"centime", QD_EUR, 0.01}, {"centimes", QD_EUR, 0.01},
    {"dollar", QD_USD, 1}, {"dollars", QD_USD, 1}, {"degré", QD_DEGREE, 1},
    {"degrés", QD_DEGREE, 1}, {NULL, 0, 0}};
static const unitdef units_de[] = {
    {"sekunde", QD_TIME, 1}, {"sekunden", QD_TIME, 1}, {"minute", QD_TIME, U_MIN},
    {"minuten", QD_TIME, U_MIN}, {"stunde", QD_TIME, U_HOUR}, {"stunden", QD_TIME, U_HOUR},
    {"viertelstunde", QD_TIME, U_HOUR / 4}, {"viertelstunden", QD_TIME, U_HOUR / 4},
    {"dreiviertelstunde", QD_TIME, 3 * U_HOUR / 4}, {"tag", QD_TIME, U_DAY},
    {"tage", QD_TIME, U_DAY}, {"tagen", QD_TIME, U_DAY}, {"woche", QD_TIME, U_WEEK},
    {"wochen", QD_TIME, U_WEEK}, {"monat", QD_TIME, U_MONTH}, {"monate", QD_TIME, U_MONTH},
    {"monaten", QD_TIME, U_MONTH}, {"jahr", QD_TIME, U_YEAR}, {"jahre", QD_TIME, U_YEAR},
    {"jahren", QD_TIME, U_YEAR}, {"millimeter", QD_LENGTH, 0.001},
    {"zentimeter", QD_LENGTH, 0.01}, {"meter", QD_LENGTH, 1}, {"metern", QD_LENGTH, 1},
    {"kilometer", QD_LENGTH, 1000}, {"kilometern", QD_LENGTH, 1000},
    {"milligramm", QD_MASS, 0.001}, {"gramm", QD_MASS, 1}, {"kilo", QD_MASS, 1000},
    {"kilos", QD_MASS, 1000}, {"kilogramm", QD_MASS, 1000}, {"pfund", QD_MASS, 500},
    {"tonne", QD_MASS, 1e6}, {"tonnen", QD_MASS, 1e6}, {"milliliter", QD_VOLUME, 0.001},
    {"liter", QD_VOLUME, 1}, {"litern", QD_VOLUME, 1}, {"prozent", QD_PERCENT, 1},
    {"euro", QD_EUR, 1}, {"cent", QD_EUR, 0.01}, {"dollar", QD_USD, 1},
    {"grad", QD_DEGREE, 1}, {NULL, 0, 0}};
static const unitdef units_es[] = {
    {"segundo", QD_TIME, 1}, {"segundos", QD_TIME, 1}, {"minuto", QD_TIME, U_MIN},
    {"minutos", QD_TIME, U_MIN}, {"hora", QD_TIME, U_HOUR}, {"horas", QD_TIME, U_HOUR},
    {"día", QD_TIME, U_DAY}, {"días", QD_TIME, U_DAY}, {"dia", QD_TIME, U_DAY},
    {"dias", QD_TIME, U_DAY}, {"semana", QD_TIME, U_WEEK}, {"semanas", QD_TIME, U_WEEK},
    {"quincena", QD_TIME, 15 * U_DAY}, {"quincenas", QD_TIME, 15 * U_DAY},
    {"mes", QD_TIME, U_MONTH}, {"meses", QD_TIME, U_MONTH}, {"año", QD_TIME, U_YEAR},
    {"años", QD_TIME, U_YEAR}, {"milímetro", QD_LENGTH, 0.001},
    {"milímetros", QD_LENGTH, 0.001}, {"centímetro", QD_LENGTH, 0.01},
    {"centímetros", QD_LENGTH, 0.01}, {"metro", QD_LENGTH, 1}, {"metros", QD_LENGTH, 1},
    {"kilómetro", QD_LENGTH, 1000}, {"kilómetros", QD_LENGTH, 1000},
    {"miligramo", QD_MASS, 0.001}, {"miligramos", QD_MASS, 0.001}, {"gramo", QD_MASS, 1},
    {"gramos", QD_MASS, 1}, {"kilo", QD_MASS, 1000}, {"kilos", QD_MASS, 1000},
    {"kilogramo", QD_MASS, 1000}, {"kilogramos", QD_MASS, 1000}, {"tonelada", QD_MASS, 1e6},
    {"toneladas", QD_MASS, 1e6}, {"mililitro", QD_VOLUME, 0.001},
    {"mililitros", QD_VOLUME, 0.001}, {"litro", QD_VOLUME, 1}, {"litros", QD_VOLUME, 1},
    {"euro", QD_EUR, 1}, {"euros", QD_EUR, 1}, {"céntimo", QD_EUR, 0.01},
    {"céntimos", QD_EUR, 0.01}, {"dólar", QD_USD, 1}, {"dólares", QD_USD, 1},
    {"peso", QD_PESO, 1}, {"pesos", QD_PESO, 1}, {"centavo", QD_PESO, 0.01},
    {"centavos", QD_PESO, 0.01}, {"grado", QD_DEGREE, 1}, {"grados", QD_DEGREE, 1},
    {NULL, 0, 0}};

/* Nouns that count a round number ("a dozen", "une dizaine de", "una
 * docena"); the French and Spanish -aine / -ena forms are approximate. */
typedef struct countnoun {
    const char *w;
    double v;
    int approx;
} countnoun;
static const countnoun count_nouns[] = {
    {"dozen", 12, 0}, {"couple", 2, 1}, {"douzaine", 12, 1}, {"dizaine", 10, 1},
    {"quinzaine", 15, 1}, {"vingtaine", 20, 1}, {"trentaine", 30, 1}, {"quarantaine", 40, 1},
    {"cinquantaine", 50, 1}, {"soixantaine", 60, 1}, {"centaine", 100, 1},
    {"dutzend", 12, 0}, {"docena", 12, 0}, {"decena", 10, 1}, {"veintena", 20, 1},
    {"treintena", 30, 1}, {"centenar", 100, 1}, {NULL, 0, 0}};
/* Fractions of a unit: "a quarter of an hour", "trois quarts d'heure". */
static const countnoun fraction_nouns[] = {
    {"quarter", 0.25, 0}, {"quarters", 0.25, 0}, {"quart", 0.25, 0}, {"quarts", 0.25, 0},
    {"cuarto", 0.25, 0}, {"cuartos", 0.25, 0}, {"third", 1.0 / 3, 0}, {"thirds", 1.0 / 3, 0},
    {"tiers", 1.0 / 3, 0}, {"tercio", 1.0 / 3, 0}, {"tercios", 1.0 / 3, 0},
    {"half", 0.5, 0}, {NULL, 0, 0}};
static const char *const half_words[] = {"half", "demi", "demie", "halb", "halbe", "halben",
                                         "halber", "halbes", "media", "medio", NULL};
static const char *const q_articles[] = {"a", "an", "one", "un", "une", "ein", "eine", "einen",
                                         "einem", "einer", "una", "uno", NULL};
/* Hedges: before the amount ("about", "environ", "etwa", "unos") or, as
 * two words, with "to"/"de" ("close to", "près de", "cerca de"). */
static const char *const hedge1[] = {
    "about", "around", "roughly", "approximately", "approx", "nearly", "almost", "some",
    "circa", "ca", "environ", "presque", "quasiment", "approximativement", "etwa", "ungefähr",
    "rund", "knapp", "fast", "circa", "unos", "unas", "aproximadamente", "casi", NULL};
static const char *const hedge2[] = {"close", "près", "autour", "alrededor", "cerca", NULL};
static const char *const range_words[] = {"to", "or", "à", "ou", "bis", "oder", "a", "o", NULL};
static const char *const between_words[] = {"between", "entre", "zwischen", NULL};
static const char *const and_words[] = {"and", "et", "und", "y", NULL};
/* "per", "a", "par", "pro", "por", "al", "am", "im": a rate when a time unit follows. */
static const char *const rate_words[] = {"per", "a", "an", "each", "every", "par", "pro", "por",
                                         "al", "am", "im", "jeden", "jede", "cada", NULL};

static const unitdef *unit_in(const unitdef *t, const char *w)
{
    for (; t->w; t++)
        if (strcmp(t->w, w) == 0)
            return t;
    return NULL;
}

/* The norm of a token without a French elision ("d'heure" -> "heure");
 * *elided is set when one was dropped (it stands for "de"). */
static const char *qword(const char *pl, const rb_transcript_token *tk, int *elided)
{
    const char *w = tk->norm;
    if (elided)
        *elided = 0;
    if (strcmp(pl, "fr") == 0) {
        const char *ap = strchr(w, '\'');
        if (ap && ap - w <= 3 && ap[1]) {
            if (elided)
                *elided = ap - w == 1 && w[0] == 'd';
            return ap + 1;
        }
    }
    return w;
}

/* A number written with digits, with a decimal part ("2.5"; "2,5" outside
 * English) and thousands groups ("1,000"; "1.000" outside English). Returns
 * the bytes read (0 when the token does not start with a digit). */
static size_t decimal_value(const char *pl, const char *s, double *v)
{
    char dec = strcmp(pl, "en") == 0 ? '.' : ',', grp = dec == '.' ? ',' : '.';
    double x = 0, scale = 0;
    size_t i = 0;
    if (!(s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (scale > 0) {
                x += (c - '0') * scale;
                scale /= 10;
            } else {
                x = x * 10 + (c - '0');
            }
        } else if (c == grp && scale == 0 && s[i + 1] >= '0' && s[i + 1] <= '9' &&
                   s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9' &&
                   !(s[i + 4] >= '0' && s[i + 4] <= '9')) {
            continue;
        } else if ((c == dec || c == grp) && scale == 0 && s[i + 1] >= '0' && s[i + 1] <= '9') {
            scale = 0.1;
        } else {
            break;
        }
        if (x > 1e15)
            return 0;
    }
    *v = x;
    return i;
}

/* The number whose last token is e (digits, or a run of number words as
 * number_at reads it), with the joins number_at leaves apart: English
 * "a hundred and twenty", Spanish "treinta y cinco", French "vingt et un".
 * Returns 1 with the value and its first token. */
static int number_run_ending(const char *pl, const rb_transcript_token *tk, size_t n,
                             const char *text, size_t e, double *v, size_t *start)
{
    double d;
    size_t used = decimal_value(pl, tk[e].norm, &d);
    if (used > 0 && tk[e].norm[used] == '\0') {
        *v = d;
        *start = e;
        return 1;
    }
    int found = 0;
    const char *w = qword(pl, &tk[e], NULL);
    if ((strcmp(pl, "es") == 0 || strcmp(pl, "fr") == 0) &&
        in_list(w, (const char *const[]){"un", "uno", "una", "une", NULL})) {
        *v = 1;
        *start = e;
        found = 2; /* only as the units after "y"/"et" */
    }
    for (size_t i = e + 1 >= 8 ? e + 1 - 8 : 0; i <= e && !found; i++) {
        long long val;
        size_t span;
        if (!number_at(pl, tk, n, text, i, &val, &span) || in_list(tk[i].norm, one_articles))
            continue;
        if (i + span - 1 == e) {
            *v = (double)val;
            *start = i;
            found = 1;
        }
        i += span - 1;
    }
    if (!found)
        return 0;
    /* The joins: tens or hundreds, "and"/"y"/"et", the rest. */
    size_t r = *start;
    if (r >= 2 && in_list(tk[r - 1].norm, and_words)) {
        double hv;
        size_t hs;
        if (number_run_ending(pl, tk, n, text, r - 2, &hv, &hs) && hv >= 20) {
            int en = strcmp(pl, "en") == 0;
            if ((en && fmod(hv, 100) == 0 && *v < 100) ||
                (!en && hv < 100 && fmod(hv, 10) == 0 && *v < 10)) {
                *v += hv;
                *start = hs;
                return 1;
            }
        }
    }
    return found == 1;
}

/* The amount before a unit, ending at token e: a number, "half (an)", "a
 * quarter of (an)", "trois quarts d'", "une dizaine de", "anderthalb",
 * "zweieinhalb", "two and a half", or an article ("an hour" = 1).
 * unit_elided: the unit token carried "d'" ("d'heure"). Returns 1 with the
 * value, its first token and whether it is approximate. */
static int amount_ending(const char *pl, const rb_transcript_token *tk, size_t n,
                         const char *text, size_t e, int unit_elided, double *v,
                         size_t *start, int *approx)
{
    *approx = 0;
    const char *w = qword(pl, &tk[e], NULL);
    /* "a quarter of an hour", "trois quarts d'heure", "une dizaine de". */
    size_t f = e;
    int of = unit_elided;
    if (!of && (strcmp(w, "of") == 0 || strcmp(w, "de") == 0) && e >= 1) {
        f = e - 1;
        of = 1;
    } else if (!of && e >= 2 && in_list(w, q_articles) && strcmp(tk[e - 1].norm, "of") == 0) {
        f = e - 2;
        of = 2; /* "of an": only fractions take the article */
    }
    if (of) {
        const char *fw = qword(pl, &tk[f], NULL);
        const countnoun *c = NULL;
        for (const countnoun *t = fraction_nouns; t->w && !c; t++)
            if (strcmp(t->w, fw) == 0)
                c = t;
        for (const countnoun *t = count_nouns; t->w && !c && of == 1; t++)
            if (strcmp(t->w, fw) == 0)
                c = t;
        if (c) {
            double m = 1;
            size_t s = f, ms;
            if (f >= 1 && in_list(qword(pl, &tk[f - 1], NULL), q_articles))
                s = f - 1;
            else if (f >= 1 && number_run_ending(pl, tk, n, text, f - 1, &m, &ms))
                s = ms;
            *v = m * c->v;
            *start = s;
            *approx = c->approx;
            return 1;
        }
    }
    /* "half an hour", "half a kilo", "a half hour", "two and a half
     * hours", "une demi-heure", "eine halbe Stunde", "media hora". */
    size_t h = e;
    if (in_list(w, (const char *const[]){"a", "an", NULL}) && e >= 1 &&
        strcmp(tk[e - 1].norm, "half") == 0)
        h = e - 1;
    if (in_list(qword(pl, &tk[h], NULL), half_words)) {
        double m;
        size_t ms;
        *v = 0.5;
        *start = h;
        if (h >= 3 && strcmp(tk[h - 1].norm, "a") == 0 && strcmp(tk[h - 2].norm, "and") == 0 &&
            number_run_ending(pl, tk, n, text, h - 3, &m, &ms)) {
            *v = m + 0.5;
            *start = ms;
        } else if (h >= 1 && in_list(qword(pl, &tk[h - 1], NULL), q_articles)) {
            *start = h - 1;
        }
        return 1;
    }
    if (strcmp(pl, "de") == 0) {
        size_t wl = strlen(w);
        if (strcmp(w, "anderthalb") == 0 || strcmp(w, "eineinhalb") == 0) {
            *v = 1.5;
            *start = e;
            return 1;
        }
        if (wl > 7 && strcmp(w + wl - 7, "einhalb") == 0 && wl - 7 < 32) {
            char pre[32];
            memcpy(pre, w, wl - 7);
            pre[wl - 7] = '\0';
            const numword *nw = numword_of("de", pre);
            long long pv = nw ? nw->v : de_compound_value(pre);
            if (pv > 0) {
                *v = (double)pv + 0.5;
                *start = e;
                return 1;
            }
        }
    }
    if (number_run_ending(pl, tk, n, text, e, v, start)) {
        /* "a hundred": the article belongs to the number. */
        if (*v >= 100 && *start >= 1 && in_list(tk[*start - 1].norm, q_articles) &&
            strcmp(tk[*start - 1].norm, "one") != 0)
            (*start)--;
        return 1;
    }
    if (in_list(w, q_articles)) {
        *v = 1;
        *start = e;
        return 1;
    }
    return 0;
}

/* The unit at token j: a unit word, a symbol after digits ("45 $", "70 %",
 * "20 °C"), "per cent"/"pour cent"/"por ciento". Returns the unit or NULL;
 * *u0 gets its first token, *elided whether it carries "d'". */
static int unit_at(const char *pl, const rb_transcript_token *tk, size_t n, const char *text,
                   size_t j, unitdef *out, size_t *u0, size_t *u1, int *elided)
{
    const char *w = qword(pl, &tk[j], elided);
    const unitdef *u = NULL;
    *u0 = j;
    *u1 = j;
    if (j >= 1 && ((strcmp(w, "cent") == 0 && (strcmp(tk[j - 1].norm, "per") == 0 ||
                                               strcmp(tk[j - 1].norm, "pour") == 0)) ||
                   (strcmp(w, "ciento") == 0 && strcmp(tk[j - 1].norm, "por") == 0))) {
        static const unitdef pc = {"percent", QD_PERCENT, 1};
        *u0 = j - 1;
        u = &pc;
    }
    if (!u) {
        const unitdef *t = strcmp(pl, "fr") == 0   ? units_fr
                           : strcmp(pl, "de") == 0 ? units_de
                           : strcmp(pl, "es") == 0 ? units_es
                                                   : units_en;
        u = unit_in(t, w);
        if (!u)
            u = unit_in(units_any, w);
        double d;
        if (!u && j >= 1 && decimal_value(pl, tk[j - 1].norm, &d) > 0)
            u = unit_in(units_letter, w);
    }
    if (!u)
        return 0;
    *out = *u;
    if (u->dim == QD_DEGREE && j + 1 < n) {
        const char *nx = tk[j + 1].norm;
        if (in_list(nx, (const char *const[]){"celsius", "centigrade", "c", NULL})) {
            out->dim = QD_TEMP;
            *u1 = j + 1;
        } else if (in_list(nx, (const char *const[]){"fahrenheit", "f", NULL})) {
            out->dim = QD_TEMP;
            out->f = -1; /* converted by the caller */
            *u1 = j + 1;
        }
    }
    (void)text;
    return 1;
}

/* A unit written as a symbol around a digit token i: "$45", "45 €", "70 %",
 * "20 °C". Returns 1 and the unit; *u1 gets the last token it covers. */
static int symbol_unit(const char *pl, const rb_transcript_token *tk, size_t n,
                       const char *text, size_t i, unitdef *out, size_t *u1)
{
    double d;
    if (decimal_value(pl, tk[i].norm, &d) == 0)
        return 0;
    size_t a = tk[i].offset;
    *u1 = i;
    const char *sym = NULL;
    /* Before: "$45", "€ 45". */
    size_t b = a;
    while (b > 0 && text[b - 1] == ' ')
        b--;
    if (b >= 1 && text[b - 1] == '$')
        sym = "$";
    else if (b >= 3 && memcmp(text + b - 3, "\xe2\x82\xac", 3) == 0)
        sym = "€";
    else if (b >= 2 && memcmp(text + b - 2, "\xc2\xa3", 2) == 0)
        sym = "£";
    if (!sym) {
        size_t c = a + tk[i].len;
        while (text[c] == ' ')
            c++;
        if (text[c] == '$')
            sym = "$";
        else if (text[c] == '%')
            sym = "%";
        else if (strncmp(text + c, "\xe2\x82\xac", 3) == 0)
            sym = "€";
        else if (strncmp(text + c, "\xc2\xb0", 2) == 0)
            sym = "°";
    }
    if (!sym)
        return 0;
    out->w = sym;
    out->f = 1;
    out->dim = sym[0] == '$' ? QD_USD : sym[0] == '%' ? QD_PERCENT : strcmp(sym, "£") == 0 ? QD_GBP
               : strcmp(sym, "€") == 0 ? QD_EUR : QD_DEGREE;
    if (out->dim == QD_DEGREE && i + 1 < n) {
        if (strcmp(tk[i + 1].norm, "c") == 0) {
            out->dim = QD_TEMP;
            *u1 = i + 1;
        } else if (strcmp(tk[i + 1].norm, "f") == 0) {
            out->dim = QD_TEMP;
            out->f = -1;
            *u1 = i + 1;
        }
    }
    return 1;
}

/* Bounds before the amount starting at token k: +1 "more than", "over", "plus
 * de", "mehr als", "más de"; +2 "at least", "au moins", "mindestens", "al
 * menos"; -1 "less than", "under", "moins de", "weniger als", "menos de";
 * -2 "at most", "up to", "jusqu'à", "bis zu", "hasta" (in a question "up
 * to" asks for the most there is: an exact value); 0 none. *approx is set
 * by a hedge. *first gets the first token of the qualifier. */
static int qualifier_before(const char *pl, const rb_transcript_token *tk, size_t k,
                            int elided, int question, int *approx, size_t *first)
{
    static const char *const more1[] = {"over", "above", "exceeding", "über", NULL};
    static const char *const less1[] = {"under", "below", "within", "unter", "hasta",
                                        "jusqu'à", NULL};
    static const char *const atleast1[] = {"mindestens", "minimum", NULL};
    static const char *const atmost1[] = {"höchstens", "maximum", NULL};
    static const char *const more2[] = {"more", "longer", "greater", "higher", "bigger",
                                        "larger", "plus", "mehr", "más", "mas", "länger", NULL};
    static const char *const less2[] = {"less", "fewer", "shorter", "lower", "smaller",
                                        "moins", "weniger", "menos", "kürzer", NULL};
    static const char *const than[] = {"than", "de", "als", "que", NULL};
    *first = k;
    const char *w1 = k >= 1 ? tk[k - 1].norm : "";
    const char *w2 = k >= 2 ? tk[k - 2].norm : "";
    const char *w3 = k >= 3 ? tk[k - 3].norm : "";
    /* "près d'une heure": the elided "de" is the second word. */
    if (elided) {
        w3 = w2;
        w2 = w1;
        w1 = "de";
        k++;
    }
    if (in_list(w1, hedge1)) {
        *approx = 1;
        *first = k - 1;
        return 0;
    }
    if (in_list(w1, (const char *const[]){"to", "de", NULL}) && in_list(w2, hedge2)) {
        *approx = 1;
        *first = strcmp(w2, "près") == 0 && strcmp(w3, "peu") == 0 ? k - 4 : k - 2;
        return 0;
    }
    if (strcmp(w1, "menos") == 0 && strcmp(w2, "o") == 0 && strcmp(w3, "más") == 0) {
        *approx = 1;
        *first = k - 3;
        return 0;
    }
    if (strcmp(w1, "less") == 0 && strcmp(w2, "or") == 0 && strcmp(w3, "more") == 0) {
        *approx = 1;
        *first = k - 3;
        return 0;
    }
    if ((strcmp(w2, "at") == 0 && strcmp(w1, "least") == 0) ||
        (strcmp(w2, "au") == 0 && strcmp(w1, "moins") == 0) ||
        (strcmp(w2, "al") == 0 && strcmp(w1, "menos") == 0) ||
        (strcmp(w2, "lo") == 0 && strcmp(w1, "menos") == 0)) {
        *first = k - 2;
        return 2;
    }
    if ((strcmp(w2, "at") == 0 && strcmp(w1, "most") == 0) ||
        (strcmp(w2, "au") == 0 && strcmp(w1, "plus") == 0) ||
        (strcmp(w2, "bis") == 0 && strcmp(w1, "zu") == 0) ||
        (strcmp(w2, "up") == 0 && strcmp(w1, "to") == 0)) {
        *first = k - 2;
        return question && strcmp(w2, "up") == 0 ? 0 : -2;
    }
    if (in_list(w1, more1)) {
        *first = k - 1;
        return 1;
    }
    if (in_list(w1, less1)) {
        *first = k - 1;
        return -1;
    }
    if (in_list(w1, atleast1)) {
        *first = k - 1;
        return 2;
    }
    if (in_list(w1, atmost1)) {
        *first = k - 1;
        return -2;
    }
    if (in_list(w1, than) && (in_list(w2, more2) || in_list(w2, less2))) {
        *first = k - 2;
        int neg = strcmp(w3, "no") == 0 || strcmp(w3, "not") == 0;
        if (neg)
            *first = k - 3;
        /* "no more than ten" is at most ten. */
        return in_list(w2, more2) ? (neg ? -2 : 1) : (neg ? 2 : -1);
    }
    if (in_list(w1, more2) && strcmp(pl, "fr") == 0 && elided) {
        *first = k - 2;
        return 1;
    }
    return 0;
}

/* A share written as a fraction at token j ("half of", "two thirds of", "la
 * moitié des", "un tiers de", "die Hälfte der", "ein Drittel", "la mitad
 * de"), not one of a unit ("a quarter of an hour" is a time). Returns 1
 * with the value in percent, its first and its last token. */
static int share_at(const char *pl, const rb_transcript_token *tk, size_t n, const char *text,
                    size_t j, double *v, size_t *start, size_t *last)
{
    static const countnoun shares[] = {
        {"half", 50, 0},          {"moitié", 50, 0},       {"hälfte", 50, 0},
        {"mitad", 50, 0},         {"third", 100.0 / 3, 0}, {"thirds", 100.0 / 3, 0},
        {"tiers", 100.0 / 3, 0},  {"drittel", 100.0 / 3, 0}, {"tercio", 100.0 / 3, 0},
        {"tercios", 100.0 / 3, 0}, {"quarter", 25, 0},     {"quarters", 25, 0},
        {"viertel", 25, 0},       {NULL, 0, 0}};
    static const char *const of_words[] = {"of", "the", "de", "des", "du", "der", "des", "den",
                                           "del", "de", "d'", NULL};
    const countnoun *c = NULL;
    for (const countnoun *t = shares; t->w && !c; t++)
        if (strcmp(t->w, tk[j].norm) == 0)
            c = t;
    if (!c || j + 1 >= n)
        return 0;
    int el = 0;
    const char *nx = qword(pl, &tk[j + 1], &el);
    if (!in_list(tk[j + 1].norm, of_words) && !el)
        return 0;
    /* A unit within the next three words makes it a fraction of that unit. */
    for (size_t k = j + 1; k < n && k <= j + 3; k++) {
        unitdef u;
        size_t u0, u1;
        int e2;
        if (unit_at(pl, tk, n, text, k, &u, &u0, &u1, &e2))
            return 0;
    }
    (void)nx;
    double m = 1;
    size_t s = j, ms;
    if (j >= 1 && number_run_ending(pl, tk, n, text, j - 1, &m, &ms) && m > 1 && m < 10 &&
        c->v < 50)
        s = ms;
    else
        m = 1;
    *v = m * c->v;
    *start = s;
    *last = j;
    return 1;
}

/* Reads the quantities of a token sequence (a sentence or a question) into
 * out (at most max); returns how many. */
static size_t qty_scan(const char *pl, const rb_transcript_token *tk, size_t n, const char *text,
                       int question, qty *out, size_t max)
{
    size_t nq = 0;
    size_t next = 0; /* first token not yet part of a quantity */
    for (size_t j = 0; j < n && nq < max; j++) {
        unitdef u;
        size_t u0, u1, start, e = j; /* e: the amount's last token */
        int elided = 0, approx = 0;
        double v;
        if (j < next)
            continue;
        if (share_at(pl, tk, n, text, j, &v, &start, &u1)) {
            /* "half of the members", "un tiers des", "die Hälfte der": a
             * share, compared with percentages. */
            u.w = "%";
            u.dim = QD_PERCENT;
            u.f = 1;
            u0 = j;
            e = j;
            goto amount;
        }
        if (symbol_unit(pl, tk, n, text, j, &u, &u1)) {
            if (number_run_ending(pl, tk, n, text, j, &v, &start) == 0)
                continue;
            u0 = j + 1;
            e = j;
        } else if (unit_at(pl, tk, n, text, j, &u, &u0, &u1, &elided)) {
            /* A time unit after a rate word: "ten minutes a day", "two per
             * second", "zweimal pro Woche". */
            size_t rw = u0;
            if (u.dim == QD_TIME && rw >= 1 && in_list(tk[rw - 1].norm, rate_words))
                rw--;
            else if (u.dim == QD_TIME && rw >= 2 && strcmp(tk[rw - 1].norm, "la") == 0 &&
                     strcmp(tk[rw - 2].norm, "a") == 0)
                rw -= 2;
            if (rw < u0 && rw >= 1) {
                if (nq > 0 && out[nq - 1].t1 + 1 == rw && !(out[nq - 1].dim & QD_RATE)) {
                    out[nq - 1].dim |= QD_RATE;
                    out[nq - 1].lo /= u.f;
                    out[nq - 1].hi /= u.f;
                    out[nq - 1].t1 = u1;
                    next = u1 + 1;
                    continue;
                }
                /* A count per time: "two per second", "twice a week", "N
                 * times a day", "sixty beats per minute". */
                size_t c = rw - 1, cs;
                double cv = -1;
                int ca = 0;
                const char *cw = tk[c].norm;
                if (strcmp(cw, "once") == 0 || strcmp(cw, "twice") == 0) {
                    cv = cw[0] == 'o' ? 1 : 2;
                    cs = c;
                } else if (in_list(cw, (const char *const[]){"times", "fois", "veces", "vez",
                                                             "mal", NULL}) && c >= 1 &&
                           amount_ending(pl, tk, n, text, c - 1, 0, &cv, &cs, &ca)) {
                } else if (strcmp(pl, "de") == 0 && strlen(cw) > 3 &&
                           strcmp(cw + strlen(cw) - 3, "mal") == 0) {
                    char pre[32];
                    size_t pl3 = strlen(cw) - 3;
                    if (pl3 < sizeof pre) {
                        memcpy(pre, cw, pl3);
                        pre[pl3] = '\0';
                        const numword *nw = numword_of("de", pre);
                        long long pv = strcmp(pre, "ein") == 0 ? 1 : nw ? nw->v
                                                                         : de_compound_value(pre);
                        if (pv > 0) {
                            cv = (double)pv;
                            cs = c;
                        }
                    }
                } else if (!in_list(cw, q_articles) &&
                           number_run_ending(pl, tk, n, text, c, &cv, &cs)) {
                } else if (in_list(tk[rw].norm, (const char *const[]){"per", "par", "pro",
                                                                      "por", NULL}) &&
                           c >= 1 && !tk[c].is_stop &&
                           number_run_ending(pl, tk, n, text, c - 1, &cv, &cs)) {
                }
                if (cv > 0) {
                    /* "a hundred (and twenty) a minute": the article counts. */
                    if (cv >= 100 && cs >= 1 && in_list(tk[cs - 1].norm, q_articles))
                        cs--;
                    v = cv;
                    start = cs;
                    e = c;
                    approx = ca;
                    u.dim = QD_COUNT | QD_RATE;
                    u.f = 1.0 / u.f;
                    goto amount;
                }
            }
            if (u0 == 0)
                continue;
            e = u0 - 1;
            int a2 = 0;
            if (!amount_ending(pl, tk, n, text, e, elided, &v, &start, &a2))
                continue;
            approx = a2;
        } else {
            /* "5km", "500g": digits and a unit in one token. */
            double d;
            size_t used = decimal_value(pl, tk[j].norm, &d);
            const unitdef *su = used && tk[j].norm[used] ? unit_in(units_any, tk[j].norm + used)
                                                         : NULL;
            if (!su && used && tk[j].norm[used])
                su = unit_in(units_letter, tk[j].norm + used);
            if (!su)
                continue;
            u = *su;
            v = d;
            start = j;
            u0 = u1 = j;
        }
    amount:
        if (nq > 0 && start <= out[nq - 1].t1)
            continue;
        /* After the unit: "an hour and a half", "une heure et demie", "dos
         * horas y media", "deux heures et quart"; "or so", "environ". */
        size_t t1 = u1;
        double add = 0;
        if (t1 + 2 < n && strcmp(tk[t1 + 1].norm, "and") == 0 &&
            in_list(tk[t1 + 2].norm, (const char *const[]){"a", "one", NULL}) && t1 + 3 < n &&
            (strcmp(tk[t1 + 3].norm, "half") == 0 || strcmp(tk[t1 + 3].norm, "quarter") == 0)) {
            add = tk[t1 + 3].norm[0] == 'h' ? 0.5 : 0.25;
            t1 += 3;
        } else if (t1 + 2 < n && in_list(tk[t1 + 1].norm, (const char *const[]){"et", "y", NULL})) {
            const char *a = tk[t1 + 2].norm;
            if (in_list(a, (const char *const[]){"demi", "demie", "media", "medio", NULL}))
                add = 0.5;
            else if (strcmp(a, "quart") == 0 || strcmp(a, "cuarto") == 0)
                add = 0.25;
            if (add > 0)
                t1 += 2;
        }
        v += add;
        int bound = 0;
        size_t first = start;
        int el0 = 0;
        (void)qword(pl, &tk[start], &el0);
        bound = qualifier_before(pl, tk, start, el0, question, &approx, &first);
        /* A range: "ten to fifteen minutes", "10-15 minutes", "between ten
         * and fifteen", "deux ou trois jours", "zehn bis fünfzehn". */
        double lo = v, hi = v;
        if (bound == 0 && !approx && start >= 2) {
            size_t c = start - 1, rs;
            double rv;
            int gap_hyphen = 0;
            for (size_t b = tk[start - 1].offset + tk[start - 1].len; b < tk[start].offset; b++)
                gap_hyphen |= text[b] == '-';
            int conn = in_list(tk[c].norm, range_words);
            size_t last = c - 1;
            if (gap_hyphen && decimal_value(pl, tk[start - 1].norm, &rv) > 0) {
                conn = 1;
                last = start - 1;
            }
            if (!conn && in_list(tk[c].norm, and_words))
                conn = 2;
            /* "between twenty and sixty thousand": the first number
             * shares the second's multiplier. */
            double mult = 1;
            const char *mw = tk[e].norm;
            if (in_list(mw, (const char *const[]){"thousand", "mille", "tausend", "mil", NULL}))
                mult = 1000;
            else if (in_list(mw, (const char *const[]){"million", "millions", "millionen",
                                                       "millón", "millones", NULL}))
                mult = 1e6;
            int rn = conn && number_run_ending(pl, tk, n, text, last, &rv, &rs) &&
                     !in_list(tk[rs].norm, q_articles);
            if (rn && rv < mult && rv * mult < v)
                rv *= mult;
            if (rn && rv < v) {
                int between = rs >= 1 && in_list(tk[rs - 1].norm, between_words);
                if (conn != 2 || between) {
                    lo = rv;
                    first = between ? rs - 1 : rs;
                    start = rs;
                    bound = qualifier_before(pl, tk, first, 0, question, &approx, &first);
                }
            } else if (conn && nq > 0 && out[nq - 1].t1 == last && out[nq - 1].dim == u.dim &&
                       out[nq - 1].lo < v * u.f) {
                /* "forty-five minutes to an hour": one range. */
                lo = out[nq - 1].lo / u.f;
                first = out[nq - 1].t0;
                nq--;
            }
        }
        if (t1 + 2 < n && strcmp(tk[t1 + 1].norm, "or") == 0 &&
            strcmp(tk[t1 + 2].norm, "so") == 0) {
            approx = 1;
            t1 += 2;
        } else if (t1 + 1 < n && in_list(tk[t1 + 1].norm, (const char *const[]){
                                                                "environ", "ungefähr", "etwa",
                                                                "aproximadamente", NULL})) {
            approx = 1;
            t1 += 1;
        } else if (t1 + 2 < n && in_list(tk[t1 + 1].norm, (const char *const[]){"or", "ou",
                                                                                "oder", "o",
                                                                                NULL}) &&
                   in_list(tk[t1 + 2].norm, (const char *const[]){"more", "plus", "mehr", "más",
                                                                  "longer", NULL})) {
            bound = 2;
            t1 += 2;
        }
        if (u.f < 0) { /* Fahrenheit */
            lo = (lo - 32) * 5 / 9;
            hi = (hi - 32) * 5 / 9;
        } else {
            lo *= u.f;
            hi *= u.f;
        }
        if (approx && bound == 0) {
            double d1 = fabs(lo) * HEDGE_TOL, d2 = fabs(hi) * HEDGE_TOL;
            lo -= d1;
            hi += d2;
        }
        if (bound == 1 || bound == 2) {
            lo = bound == 1 ? hi + fabs(hi) * 1e-6 : hi;
            hi = INFINITY;
        } else if (bound == -1 || bound == -2) {
            hi = bound == -1 ? lo - fabs(lo) * 1e-6 : lo;
            lo = u.dim == QD_TEMP || u.dim == QD_DEGREE ? -INFINITY : 0;
        }
        qty *o = &out[nq++];
        o->dim = u.dim;
        o->lo = lo;
        o->hi = hi;
        o->t0 = first;
        o->t1 = t1;
        o->bound = bound != 0;
        next = t1 + 1;
    }
    return nq;
}

/* How quantity b bears on quantity a: 1 the same measurement (the same
 * dimension and overlapping intervals, unless both are one-sided bounds:
 * "under thirty seconds" is not supported by "less than two days"), -1
 * a different value of the same dimension (disjoint intervals), 0 no
 * bearing. */
static int qty_relation(const qty *a, const qty *b)
{
    if (a->dim != b->dim)
        return 0;
    double tol = 0;
    if (isfinite(a->lo) && isfinite(b->hi))
        tol = QTY_EPS * (fabs(a->lo) + fabs(b->hi));
    if (!(a->lo <= b->hi + tol))
        return -1;
    tol = 0;
    if (isfinite(b->lo) && isfinite(a->hi))
        tol = QTY_EPS * (fabs(b->lo) + fabs(a->hi));
    if (!(b->lo <= a->hi + tol))
        return -1;
    return a->bound && b->bound ? 0 : 1;
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
    const char **vsurf;    /* id -> the surface (norm) of its first occurrence */
    /* irregular verbs (English): past form -> base stem, sorted by form */
    rb_transcript_token *irr_toks;
    size_t n_irr_toks;
    struct irr { const char *form, *base; } *irr;
    size_t nirr;
    const rb_thesaurus *th; /* synonyms of the language, NULL when none installed */
    struct who { const char *key; const char *speaker; } *who; /* name -> speaker, sorted */
    size_t nwho;
    struct cls { const char *key; int c; } *cls; /* closed-class keys, sorted */
    size_t ncls;
    rb_transcript_token *cls_toks;
    size_t n_cls_toks;
    struct rsyn { char *word; int32_t id; } *rs; /* thesaurus word -> transcript word */
    size_t nrs;
    qty *qs;               /* the quantities of every sentence, in order */
    size_t *qoff;          /* sentence s holds qs[qoff[s] .. qoff[s + 1]) */
} aindex;

/* Answer particles: "No." / "Yes." as a sentence of their own. */
static const char *const no_particles[] = {"no", "nope", "non", "nein", NULL};
static const char *const yes_particles[] = {"yes", "yeah", "yep", "oui", "ja", "sí", "si",
                                            NULL};

static int first_is_upper(const char *s, size_t len)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &cp);
    return n > 0 && utf8proc_isupper(cp);
}

/* The speaker label of sentence s ("" when the captions have none). */
static const char *speaker_of(const aindex *x, size_t s)
{
    const char *sp = x->t->cues[x->t->sentences[s].first_cue].speaker;
    return sp ? sp : "";
}

static const char *tok_norm(const rb_text_token *t)
{
    return t->surface ? t->surface : t->stem;
}

static void win_range(const aindex *x, size_t w, size_t *lo, size_t *hi)
{
    *lo = w >= WIN_RADIUS ? w - WIN_RADIUS : 0;
    *hi = w + WIN_RADIUS < x->t->nsentences ? w + WIN_RADIUS : x->t->nsentences - 1;
}

#define NEAR_SIGMA 1.0 /* sentences: width of the proximity kernel (near_credit) */
#define NEAR_MAX 3     /* farthest sentence from a window's centre that gets credit */

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
    free(x->vsurf);
    rb_transcript_tokens_free(x->irr_toks, x->n_irr_toks);
    free(x->irr);
    free(x->cls);
    free(x->who);
    rb_transcript_tokens_free(x->cls_toks, x->n_cls_toks);
    for (size_t i = 0; i < x->nrs; i++)
        free(x->rs[i].word);
    free(x->rs);
    free(x->qs);
    free(x->qoff);
    memset(x, 0, sizeof *x);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_irr(const void *a, const void *b)
{
    return strcmp(((const struct irr *)a)->form, ((const struct irr *)b)->form);
}

/* Reads en_irregular into x->irr (form -> the stem of its base). */
static int irregular_build(aindex *x, rb_err *err)
{
    int rc = rb_transcript_tokenize(en_irregular, "en", &x->irr_toks, &x->n_irr_toks, err);
    if (rc != RB_OK)
        return rc;
    x->irr = malloc((x->n_irr_toks ? x->n_irr_toks : 1) * sizeof *x->irr);
    if (!x->irr)
        return oom(err);
    const char *base = NULL;
    for (size_t i = 0; i < x->n_irr_toks; i++) {
        size_t off = x->irr_toks[i].offset;
        if (off == 0 || en_irregular[off - 1] == '\n')
            base = x->irr_toks[i].stem; /* the first word of a line */
        else if (base)
            x->irr[x->nirr++] = (struct irr){x->irr_toks[i].norm, base};
    }
    qsort(x->irr, x->nirr, sizeof *x->irr, cmp_irr);
    return RB_OK;
}

/* The base stem of an irregular past form ("stung" -> "sting"), or NULL. */
static const char *irregular_base(const aindex *x, const char *norm)
{
    if (!x->nirr)
        return NULL;
    struct irr k = {norm, NULL};
    const struct irr *f = bsearch(&k, x->irr, x->nirr, sizeof *x->irr, cmp_irr);
    return f ? f->base : NULL;
}

static int is_general(const aindex *x, const char *key)
{
    return x->ngen && bsearch(&key, x->gen, x->ngen, sizeof *x->gen, cmp_str) != NULL;
}

static int reverse_build(aindex *x);
static int quantities_build(aindex *x);
static int who_build(aindex *x, rb_err *err);

static int cmp_cls(const void *a, const void *b)
{
    return strcmp(((const struct cls *)a)->key, ((const struct cls *)b)->key);
}

/* The closed classes of the transcript's language as sorted (key, class). */
static int classes_build(aindex *x, rb_err *err)
{
    const char *src = strcmp(x->pl, "en") == 0   ? en_classes
                      : strcmp(x->pl, "fr") == 0 ? fr_classes
                      : strcmp(x->pl, "de") == 0 ? de_classes
                      : strcmp(x->pl, "es") == 0 ? es_classes
                                                 : NULL;
    if (!src)
        return RB_OK;
    int rc = rb_transcript_tokenize(src, x->pl, &x->cls_toks, &x->n_cls_toks, err);
    if (rc != RB_OK)
        return rc;
    x->cls = malloc((x->n_cls_toks ? x->n_cls_toks : 1) * sizeof *x->cls);
    if (!x->cls)
        return oom(err);
    /* The class of a token is the number of line ends before it. */
    int c = 0;
    size_t prev = 0;
    for (size_t i = 0; i < x->n_cls_toks; i++) {
        for (size_t k = prev; k < x->cls_toks[i].offset; k++)
            c += src[k] == '\n';
        prev = x->cls_toks[i].offset;
        x->cls[x->ncls].key = stem_key(x->pl, x->cls_toks[i].stem);
        x->cls[x->ncls].c = c;
        x->ncls++;
    }
    qsort(x->cls, x->ncls, sizeof *x->cls, cmp_cls);
    return RB_OK;
}

/* The closed class of key, -1 when none. */
static int class_of(const aindex *x, const char *key)
{
    struct cls k = {key, 0};
    const struct cls *hit = x->ncls ? bsearch(&k, x->cls, x->ncls, sizeof *x->cls, cmp_cls) : NULL;
    return hit ? hit->c : -1;
}

static int index_build(aindex *x, const rb_transcript *t, const rb_transcript_doc *doc,
                       rb_err *err)
{
    memset(x, 0, sizeof *x);
    x->t = t;
    x->doc = doc;
    primary_lang(t->language, x->pl, sizeof x->pl);
    x->th = rb_thesaurus_get(x->pl);
    if (strcmp(x->pl, "en") == 0) {
        int irc = irregular_build(x, err);
        if (irc != RB_OK)
            return irc;
    }
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
            const char *key = irregular_base(x, tok_norm(&u->tokens[j]));
            if (!key)
                key = stem_key(x->pl, u->tokens[j].stem);
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
    x->vsurf = calloc(x->ids.nvocab ? x->ids.nvocab : 1, sizeof *x->vsurf);
    if (!x->vsurf)
        return oom(err);
    for (size_t s = 0, i = 0; s < ns; s++)
        for (size_t j = 0; j < x->kunits[s].ntokens; j++, i++) {
            int32_t id = x->ids.ids[i];
            if (id >= 0 && !x->vsurf[id])
                x->vsurf[id] = tok_norm(&x->kunits[s].tokens[j]);
        }

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
    const char *ants = strcmp(x->pl, "fr") == 0   ? fr_antonyms
                       : strcmp(x->pl, "de") == 0 ? de_antonyms
                       : strcmp(x->pl, "es") == 0 ? es_antonyms
                       : strcmp(x->pl, "en") == 0 ? en_antonyms
                                                  : NULL;
    if (ants) {
        rc = rb_transcript_tokenize(ants, x->pl, &x->ant_toks, &x->n_ant_toks, err);
        if (rc != RB_OK)
            return rc;
    }
    if (strcmp(x->pl, "en") == 0) {
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
    if (reverse_build(x) != RB_OK)
        return oom(err);
    if (quantities_build(x) != RB_OK)
        return oom(err);
    int crc = classes_build(x, err);
    return crc == RB_OK ? who_build(x, err) : crc;
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
 * that starts it, at least PREFIX_MIN bytes long ("rooftop" / "roof"), or,
 * when heads is set (question words, not answer options, which must name
 * exactly one thing), the head of the key read as a compound, after at least
 * 4 bytes ("fingernail" / "nail"); the longest such stem first, then the
 * first in vocabulary order; -1 if none. Snowball leaves such derivations
 * apart; numbers never take this path. */
#define PREFIX_MIN 4

static int32_t prefix_match(const aindex *x, const char *key, int heads)
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
        if (shorter < PREFIX_MIN)
            continue;
        /* The head of a compound the transcript uses only in part
         * ("fingernail" / "nail"). */
        int head = heads && kl >= sl + 4 && strcmp(key + kl - sl, st) == 0;
        if (!head && strncmp(st, key, shorter) != 0)
            continue;
        if (sl > bestl) {
            bestl = sl;
            best = (int32_t)v;
        }
    }
    return best;
}

/* Derivational morphology (docs/builtin-answer.md, "Round 3b"). Snowball
 * removes inflections and a few derivational suffixes, and prefix_match
 * joins a stem with one that extends it ("cycl" / "cyclist"); two words
 * derived from one root by different suffixes still stay apart when neither
 * stem extends the other ("reparatur" for "Reparatur", "repariert";
 * "trainerin", "trainiert"). Such words share their root and differ
 * only by productive derivational or verbal suffixes of the language, so a
 * question word the transcript never uses meets a transcript stem that
 * shares at least DERIV_ROOT bytes with it when what is left of each is
 * empty or one of those suffixes, as Snowball leaves them. */
#define DERIV_ROOT 5

static const char *const en_deriv[] = {
    "ation", "ition", "ion", "ment", "ness", "iti", "ity", "anc", "ance", "enc", "ence", "ist",
    "ism", "er", "or", "ing", "al", "iv", "ive", "ous", "ful", "less", "abl", "ibl", "ic",
    "ical", "ship", "hood", "ur", "ure", "ee", "y", "i", "e", "ed", "ant", "ent", "iz", "is",
    "ize", "ise", "ag", "age", "s", "t", "d", NULL};
static const char *const fr_deriv[] = {
    "ation", "ition", "ion", "ment", "ement", "eur", "eus", "euse", "ier", "ièr", "ière", "ag",
    "age", "iqu", "ique", "i", "ie", "ien", "ienn", "ist", "iste", "ism", "isme", "abl",
    "ibl", "ité", "ur", "ure", "er", "ir", "é", "ée", "eux", "if", "iv", "al", "el", "ell",
    "ant", "ent", "ateur", "atric", "atrice", "is", "iss", "e", "t", "s", "u", "r", "re",
    NULL};
static const char *const de_deriv[] = {
    "ung", "er", "erin", "heit", "keit", "lich", "ig", "isch", "bar", "schaft", "nis", "chen",
    "lein", "ler", "ling", "tum", "sam", "ei", "in", "ation", "ion", "atur", "ur", "ist",
    "istin", "ismus", "ität", "ier", "iert", "ieren", "t", "et", "en", "n", "e", "s", NULL};
static const char *const es_deriv[] = {
    "ción", "cion", "sión", "sion", "mient", "miento", "dor", "dora", "der", "ero", "era",
    "ista", "ismo", "bl", "ble", "ía", "ia", "ic", "ico", "ica", "al", "os", "oso", "osa",
    "ar", "er", "ir", "ad", "ado", "ada", "id", "ido", "ida", "anz", "anza", "enci", "encia",
    "anci", "ancia", "ment", "mente", "ez", "eza", "idad", "dad", "o", "a", "e", NULL};

static const char *const *deriv_suffixes(const char *pl)
{
    if (strcmp(pl, "en") == 0)
        return en_deriv;
    if (strcmp(pl, "fr") == 0)
        return fr_deriv;
    if (strcmp(pl, "de") == 0)
        return de_deriv;
    if (strcmp(pl, "es") == 0)
        return es_deriv;
    return NULL;
}

static int deriv_rest_ok(const char *rest, const char *const *suf)
{
    return rest[0] == '\0' || in_list(rest, suf);
}

/* The transcript stem that shares a root with key as described above (the
 * longest root first, then the first in vocabulary order), -1 if none. */
static int32_t deriv_match(const aindex *x, const char *key)
{
    const char *const *suf = deriv_suffixes(x->pl);
    size_t kl = strlen(key);
    if (!suf || kl < DERIV_ROOT || key[0] == '#')
        return -1;
    int32_t best = -1;
    size_t bestl = 0;
    for (size_t v = 0; v < x->ids.nvocab; v++) {
        const char *st = x->ids.stems[v];
        if (st[0] == '#' || strncmp(st, key, DERIV_ROOT) != 0)
            continue;
        size_t l = DERIV_ROOT;
        while (st[l] && st[l] == key[l])
            l++;
        /* Every root length from the longest shared prefix down, so that
         * "creat-iv" meets "creat-ion" although "creati" is shared; a root
         * ends on a character boundary. */
        for (; l >= DERIV_ROOT && l > bestl; l--) {
            if (((unsigned char)key[l] & 0xC0) == 0x80)
                continue;
            if (st[l] == '\0' && key[l] == '\0')
                break;
            if (deriv_rest_ok(st + l, suf) && deriv_rest_ok(key + l, suf)) {
                bestl = l;
                best = (int32_t)v;
                break;
            }
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

#define MAX_ALT 8 /* compound words a term may also match */

typedef struct term {
    const char *key;
    char numkey[24];  /* storage of key for numbers ("#30") */
    int32_t id;
    int32_t alt[MAX_ALT]; /* transcript words holding the term as a compound part */
    size_t nalt;
    double idf;
    const char *word; /* as written in its text */
    size_t wlen;
    int number;       /* a numeral */
    int proper;       /* capitalised inside the question: a name */
    int cmp;          /* numbers: +1 "more than N", -1 "less than N", 0 exact */
    int head;         /* the noun after "which"/"what": the answer's type, not its topic */
    int general;      /* weighs GENERAL_WEIGHT: a general word or a head */
    int role;         /* an absent role subject or event noun (weigh_roles) */
    int synonym;      /* alt holds thesaurus synonyms, not compounds */
    const char *speaker; /* a participant's name: that speaker's sentences hold it */
    int rejected;     /* in the question's "rather than"/"instead of" scope */
    size_t tok0, tok1; /* the question tokens it was read from (first, last) */
} term;

typedef struct termset {
    rb_transcript_token *toks;
    size_t ntoks;
    term terms[MAX_TERMS];
    size_t n;
    double wsum;      /* sum of idf */
    uint64_t shared;  /* options: terms other options of the question share */
    uint64_t *idmask; /* vocabulary id -> the terms it matches */
    uint64_t rejected; /* terms with .rejected set */
    uint64_t who;      /* terms with .speaker set */
    qty qq[MAX_QTY];   /* the question's measurements */
    uint64_t qqmask[MAX_QTY]; /* the terms each one was read from */
    size_t nqq;
} termset;

static void termset_free(termset *q)
{
    rb_transcript_tokens_free(q->toks, q->ntoks);
    q->toks = NULL;
    q->ntoks = 0;
    free(q->idmask);
    q->idmask = NULL;
}

/* 1 when the primary language writes compounds as one word (German, Dutch,
 * the Scandinavian languages): there a compound's first part may stand for
 * the whole ("Brut" in "Brutpaare"). */
static int compounding_lang(const char *pl)
{
    return in_list(pl, (const char *const[]){"de", "nl", "sv", "da", "no", "nb", "nn", "is",
                                             NULL});
}

#define COMPOUND_MIN 5   /* bytes a key needs to be found inside a compound */
#define COMPOUND_REST 4  /* bytes the other part of the compound needs */
#define INFLECTION 3     /* bytes of ending allowed after a compound's head */

/* Collects into t->alt the transcript words that hold t's key as a compound
 * part: as the head, after a modifier of at least COMPOUND_REST bytes and
 * followed by at most an inflection ("member" in "councilmembers"), and, in
 * compounding languages, as the modifier, followed by a head of at least
 * COMPOUND_REST bytes ("kranich" in "kranichbeobachter"). Words are compared
 * by their surface, keys by their stem, so "member" meets "councilmember"
 * although Snowball stems that one "councilmemb". */
static void compound_matches(const aindex *x, term *t)
{
    size_t kl = strlen(t->key);
    int modifier = compounding_lang(x->pl);
    if (t->number || kl < (modifier ? COMPOUND_MIN - 1 : COMPOUND_MIN))
        return;
    for (size_t v = 0; v < x->ids.nvocab && t->nalt < MAX_ALT; v++) {
        const char *sf = x->vsurf[v];
        if ((int32_t)v == t->id || !sf || sf[0] == '#')
            continue;
        size_t sl = strlen(sf);
        if (sl < kl + COMPOUND_REST)
            continue;
        int hit = modifier && strncmp(sf, t->key, kl) == 0;
        for (size_t p = COMPOUND_REST; !hit && p + kl <= sl && sl - (p + kl) <= INFLECTION; p++)
            hit = strncmp(sf + p, t->key, kl) == 0;
        if (hit)
            t->alt[t->nalt++] = (int32_t)v;
    }
}

/* A compound is named in full once and then by its head ("der Kirchturm"
 * ... "der Turm ist sechzig Meter hoch"): a question's compound that the
 * transcript uses also meets the transcript's head of it, in compounding
 * languages, where the head is a word of its own (at least PREFIX_MIN bytes,
 * after a modifier of at least COMPOUND_REST bytes; the longest such stem). A
 * compound the transcript never uses already meets its head in prefix_match
 * (docs/builtin-answer.md, "Round 3b"). */
static void head_matches(const aindex *x, term *t)
{
    if (t->number || t->id < 0 || t->nalt >= MAX_ALT || !compounding_lang(x->pl))
        return;
    size_t kl = strlen(t->key);
    int32_t best = -1;
    size_t bestl = 0;
    for (size_t v = 0; v < x->ids.nvocab; v++) {
        const char *st = x->ids.stems[v];
        size_t sl = strlen(st);
        if ((int32_t)v == t->id || st[0] == '#' || sl < PREFIX_MIN || kl < sl + COMPOUND_REST ||
            sl <= bestl || strcmp(t->key + kl - sl, st) != 0)
            continue;
        best = (int32_t)v;
        bestl = sl;
    }
    if (best < 0)
        return;
    for (size_t k = 0; k < t->nalt; k++)
        if (t->alt[k] == best)
            return;
    t->alt[t->nalt++] = best;
}

/* ---- participants --------------------------------------------------------- */

/* A question names the people of a video ("Hat Lena schon einmal ...
 * verloren?") where the transcript has them speak in the first person ("Ich
 * hab mal mit Schwarz verloren"). Two classic cues tie a name to a speaker
 * label: a self-introduction ("I'm Dana", "this is Jenna", "ich heiße ...",
 * "je m'appelle ...", "me llamo ...") names the one who says it, a name
 * said to someone ("du bist Miriam, oder?", "you're Miriam") names the next
 * other speaker, and a
 * vocative - a capitalised word set off by punctuation or after a greeting,
 * never the sentence's first word, where interjections stand ("So, Lena,
 * schön, dass du da bist.", "Hi Marcus, ...") - names the next other
 * speaker. A word the thesaurus knows is a common word ("..., Rochade, ...",
 * "ich bin Schwarz" - German capitalises every noun), not a name. A name
 * tied to two speakers is dropped. Without speaker labels nothing is tied. */
static int has_digit(const char *s)
{
    for (; *s; s++)
        if (*s >= '0' && *s <= '9')
            return 1;
    return 0;
}

static const char *const greetings[] = {"hi", "hello", "hey", "thanks", "bonjour", "salut",
                                        "merci", "hallo", "danke", "hola", "gracias", NULL};
static const char *const intro1[] = {"i'm", "m'appelle", "heiße", "heisse", "llamo", "soy",
                                     NULL};
static const char *const intro2[] = {"i am", "this is", "name is", "je suis", "ich bin",
                                     "name ist", "nombre es", NULL};
/* "You're Miriam, right?", "du bist Miriam, oder?": the name of the one
 * spoken to, the next other speaker. */
static const char *const addressed1[] = {"you're", NULL};
static const char *const addressed2[] = {"you are", "du bist", "tu es", "vous êtes",
                                         "usted es", NULL};

static int cmp_who(const void *a, const void *b)
{
    return strcmp(((const struct who *)a)->key, ((const struct who *)b)->key);
}

/* 1 when token j follows one of the one-word forms l1 or two-word forms l2. */
static int after_forms(const rb_transcript_sentence *se, size_t j, const char *const *l1,
                       const char *const *l2)
{
    if (j >= 1 && in_list(se->tokens[j - 1].norm, l1))
        return 1;
    if (j < 2)
        return 0;
    char two[64];
    snprintf(two, sizeof two, "%s %s", se->tokens[j - 2].norm, se->tokens[j - 1].norm);
    return in_list(two, l2);
}

static int who_add(aindex *x, size_t *cap, const char *key, const char *speaker)
{
    if (x->nwho == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        struct who *w = realloc(x->who, nc * sizeof *w);
        if (!w)
            return RB_ERR;
        x->who = w;
        *cap = nc;
    }
    x->who[x->nwho].key = key;
    x->who[x->nwho].speaker = speaker;
    x->nwho++;
    return RB_OK;
}

static int who_build(aindex *x, rb_err *err)
{
    size_t cap = 0, ns = x->t->nsentences;
    for (size_t s = 0; s < ns; s++) {
        const char *sp = speaker_of(x, s);
        const rb_transcript_sentence *se = &x->t->sentences[s];
        const rb_text_unit *u = &x->doc->doc.units[s];
        if (!sp[0] || u->ntokens != se->ntokens)
            continue;
        for (size_t j = 0; j < se->ntokens; j++) {
            const rb_transcript_token *tk = &se->tokens[j];
            if (tk->is_stop || !first_is_upper(se->text + tk->offset, tk->len) ||
                has_digit(tk->norm) ||
                (x->th && rb_thesaurus_meanings(x->th, tk->norm, strlen(tk->norm)) > 0))
                continue;
            const char *key = stem_key(x->pl, tk->stem);
            const char *to = NULL;
            int vocative = j > 0 &&
                           (u->tokens[j].brk || in_list(se->tokens[j - 1].norm, greetings)) &&
                           (j + 1 == se->ntokens || u->tokens[j + 1].brk);
            if (after_forms(se, j, intro1, intro2)) {
                to = sp;
            } else if (vocative || after_forms(se, j, addressed1, addressed2)) {
                for (size_t r = s + 1; r < ns && !to; r++)
                    if (speaker_of(x, r)[0] && strcmp(speaker_of(x, r), sp) != 0)
                        to = speaker_of(x, r);
            }
            if (to && who_add(x, &cap, key, to) != RB_OK)
                return oom(err);
        }
    }
    if (x->nwho == 0)
        return RB_OK;
    qsort(x->who, x->nwho, sizeof *x->who, cmp_who);
    /* One speaker per name: a name tied to two speakers is dropped. */
    size_t k = 0;
    for (size_t i = 0; i < x->nwho;) {
        size_t e = i;
        int one = 1;
        while (e < x->nwho && strcmp(x->who[e].key, x->who[i].key) == 0) {
            one = one && strcmp(x->who[e].speaker, x->who[i].speaker) == 0;
            e++;
        }
        if (one)
            x->who[k++] = x->who[i];
        i = e;
    }
    x->nwho = k;
    return RB_OK;
}

static const char *speaker_named(const aindex *x, const char *key)
{
    struct who k = {key, NULL};
    const struct who *w = x->nwho ? bsearch(&k, x->who, x->nwho, sizeof *x->who, cmp_who) : NULL;
    return w ? w->speaker : NULL;
}

/* ---- synonyms (thesaurus.h) ------------------------------------------- */

/* Relations a question word may be met by: its synonyms and near synonyms
 * (usage variants such as "ugs." are synonyms too). Not its broader terms:
 * a transcript that says "software" does not say "firmware". Antonyms are
 * the antonym rule's business. The other direction, a transcript word whose
 * broader term the question uses ("software" asked, "firmware" said), is
 * the reverse index's (reverse_build). */
static int syn_kind_ok(int kind)
{
    return kind == RB_THES_SYNONYM || kind == RB_THES_SIMILAR || kind == RB_THES_OTHER;
}

typedef struct syn_ctx {
    const aindex *x;
    term *t;
} syn_ctx;

/* The vocabulary id of a one-word text ("automobile"), -1 when the text has
 * more or fewer than one content word or the transcript never uses it. */
static int32_t single_word_id(const aindex *x, const char *text)
{
    rb_transcript_token *tk = NULL;
    size_t n = 0;
    rb_err e;
    rb_err_clear(&e);
    if (rb_transcript_tokenize(text, x->t->language, &tk, &n, &e) != RB_OK)
        return -1;
    int32_t id = -1;
    if (n == 1 && !tk[0].is_stop) {
        const char *key = irregular_base(x, tk[0].norm);
        id = rb_text_ids_lookup(&x->ids, key ? key : stem_key(x->pl, tk[0].stem));
    }
    rb_transcript_tokens_free(tk, n);
    return id;
}

static int syn_visit(const char *syn, size_t len, int kind, const char *pos, void *arg)
{
    (void)len;
    (void)pos;
    syn_ctx *c = arg;
    if (!syn_kind_ok(kind))
        return 0;
    int32_t id = single_word_id(c->x, syn);
    if (id < 0 || id == c->t->id || c->x->ids.stems[id][0] == '#')
        return 0;
    for (size_t k = 0; k < c->t->nalt; k++)
        if (c->t->alt[k] == id)
            return 0;
    c->t->alt[c->t->nalt++] = id;
    return c->t->nalt >= MAX_ALT;
}

/* w (n bytes) without its inflectional ending e into out ("crates" - "s" ->
 * "crate"; "-ies"/"-ied" -> "-y": "batteries" -> "battery"). The length
 * written, 0 when w does not end in e or would keep fewer than 3 bytes. */
static size_t without_ending(const char *w, size_t n, const char *e, char *out, size_t outlen)
{
    size_t el = strlen(e);
    if (n <= el + 2 || n + 2 > outlen || strcmp(w + n - el, e) != 0)
        return 0;
    size_t m = n - el;
    memcpy(out, w, m);
    if (strcmp(e, "ies") == 0 || strcmp(e, "ied") == 0)
        out[m++] = 'y';
    out[m] = '\0';
    return m;
}

/* 1 when word, tokenised and stemmed like the transcript, is one token whose
 * matching key is key: a headword or infinitive built by cutting an ending
 * is accepted only if it leads back to the question word's own stem. */
static int stems_to(const aindex *x, const char *word, const char *key)
{
    rb_transcript_token *tk = NULL;
    size_t nt = 0;
    rb_err e;
    rb_err_clear(&e);
    int same = 0;
    if (rb_transcript_tokenize(word, x->t->language, &tk, &nt, &e) == RB_OK && nt == 1)
        same = strcmp(stem_key(x->pl, tk[0].stem), key) == 0;
    rb_transcript_tokens_free(tk, nt);
    return same;
}

/* The thesaurus headword of a question word: the word itself, else the word
 * with an inflectional ending removed whose stem is still the word's key
 * ("crates" -> "crate", "looked" -> "look"). NULL when none; out holds it. */
static const char *headword_of(const aindex *x, const rb_thesaurus *th, const char *norm,
                               const char *key, char *out, size_t outlen)
{
    static const char *const endings[] = {"s", "es", "ed", "d", "ing", "e", "en", "n", "er",
                                          "ies", "ied", NULL};
    size_t n = strlen(norm);
    if (n + 2 > outlen)
        return NULL;
    if (rb_thesaurus_meanings(th, norm, n) > 0)
        return norm;
    for (size_t i = 0; endings[i]; i++) {
        size_t m = without_ending(norm, n, endings[i], out, outlen);
        if (m == 0 || rb_thesaurus_meanings(th, out, m) == 0)
            continue;
        if (stems_to(x, out, key))
            return out;
    }
    return NULL;
}

typedef struct rs_ctx {
    aindex *x;
    int32_t id;
    size_t cap;
    int oom;
} rs_ctx;

static int rs_visit(const char *syn, size_t len, int kind, const char *pos, void *arg)
{
    (void)pos;
    rs_ctx *c = arg;
    if (kind != RB_THES_GENERIC || memchr(syn, ' ', len))
        return 0;
    if (c->x->nrs == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        struct rsyn *r = realloc(c->x->rs, cap * sizeof *r);
        if (!r) {
            c->oom = 1;
            return 1;
        }
        c->x->rs = r;
        c->cap = cap;
    }
    char *w = strndup(syn, len);
    if (!w) {
        c->oom = 1;
        return 1;
    }
    c->x->rs[c->x->nrs].word = w;
    c->x->rs[c->x->nrs].id = c->id;
    c->x->nrs++;
    return 0;
}

static int cmp_rsyn(const void *a, const void *b)
{
    const struct rsyn *x = a, *y = b;
    int c = strcmp(x->word, y->word);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* The reverse thesaurus: for every content word of the transcript, the
 * broader terms its thesaurus entry lists, so that a question's general word
 * meets the transcript's specific one ("software" asked, "firmware" said:
 * firmware is software). Synonyms need no reverse index: the thesauri list
 * them both ways and synonym_matches looks them up from the question. An
 * inflected surface is tried without its ending, with no stem check (a
 * rare wrong lemma only adds a broader term nobody asks for). */
static int reverse_build(aindex *x)
{
    if (!x->th)
        return RB_OK;
    static const char *const endings[] = {"s", "es", "ies", "ed", "d", "ing", NULL};
    rs_ctx c = {x, -1, 0, 0};
    char buf[128];
    for (size_t v = 0; v < x->ids.nvocab && !c.oom; v++) {
        const char *sf = x->vsurf[v];
        size_t n = sf ? strlen(sf) : 0;
        if (n < 3 || n + 2 > sizeof buf || sf[0] == '#' || rb_stopwords_is_stop(x->pl, sf, n))
            continue;
        c.id = (int32_t)v;
        if (rb_thesaurus_each(x->th, sf, n, rs_visit, &c) > 0)
            continue;
        for (size_t i = 0; endings[i]; i++) {
            size_t m = without_ending(sf, n, endings[i], buf, sizeof buf);
            if (m > 0 && rb_thesaurus_each(x->th, buf, m, rs_visit, &c) > 0)
                break;
        }
    }
    if (c.oom)
        return RB_ERR;
    if (x->nrs)
        qsort(x->rs, x->nrs, sizeof *x->rs, cmp_rsyn);
    return RB_OK;
}

static void reverse_matches(const aindex *x, term *t, const char *head)
{
    size_t lo = 0, hi = x->nrs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(x->rs[mid].word, head) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < x->nrs && t->nalt < MAX_ALT && strcmp(x->rs[i].word, head) == 0; i++) {
        int32_t id = x->rs[i].id;
        int dup = id == t->id;
        for (size_t k = 0; k < t->nalt && !dup; k++)
            dup = t->alt[k] == id;
        if (!dup)
            t->alt[t->nalt++] = id;
    }
}

/* Fills q->idmask from the terms' ids and compound matches. */
static int termset_index(const aindex *x, termset *q)
{
    q->idmask = calloc(x->ids.nvocab ? x->ids.nvocab : 1, sizeof *q->idmask);
    if (!q->idmask)
        return RB_ERR;
    for (size_t j = 0; j < q->n; j++) {
        uint64_t bit = (uint64_t)1 << j;
        if (q->terms[j].rejected)
            q->rejected |= bit;
        if (q->terms[j].speaker)
            q->who |= bit;
        if (q->terms[j].id >= 0)
            q->idmask[q->terms[j].id] |= bit;
        for (size_t k = 0; k < q->terms[j].nalt; k++)
            q->idmask[q->terms[j].alt[k]] |= bit;
    }
    return RB_OK;
}


static const char *const head_words[] = {"which", "what", "quel", "quelle", "quels",
                                         "quelles", "welche", "welcher", "welches", "welchen",
                                         "cuál", "cuáles", "qué", NULL};

/* "more than N", "over N", "at least N" (+1); "less than N", "under N",
 * "at most N" (-1); 0 otherwise — from the words before token i. */
static int comparison_before(const rb_transcript_token *tk, size_t i)
{
    static const char *const gt1[] = {"over", "above", "exceeding", "after", "über", "après",
                                      NULL};
    static const char *const lt1[] = {"under", "below", "before", "unter", "avant", NULL};
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
    /* "Can you get up to ten thousand back?" asks for the most there is,
     * a number to compare exactly, not a bound. */
    if (i >= 2 && strcmp(tk[i - 2].norm, "up") == 0 && strcmp(tk[i - 1].norm, "to") == 0)
        return 0;
    /* "more than", "plus de", "mehr als", "más de"; and "plus de" without "than". */
    const char *const *w = NULL;
    size_t k = i;
    if (i >= 2 && in_list(tk[i - 1].norm, (const char *const[]){"than", "de", "als", "que", NULL}))
        k = i - 1;
    if (k >= 1 && k < i)
        w = in_list(tk[k - 1].norm, gt2) ? gt2 : in_list(tk[k - 1].norm, lt2) ? lt2 : NULL;
    return w == gt2 ? 1 : w == lt2 ? -1 : 0;
}

/* 1 when question token i lies in the scope of a rejecter ("...into a box
 * rather than the trash", "instead of X", "au lieu de X"): at most
 * REJECT_SCOPE tokens after it, within the same clause. A bare "than"
 * compares ("more than ten") and does not count here. */
static int rejected_at(const rb_transcript_token *tk, size_t i, const char *text)
{
    for (size_t k = i; k > 0 && i - k < REJECT_SCOPE; k--) {
        for (size_t c = tk[k - 1].offset + tk[k - 1].len; c < tk[k].offset; c++)
            if (text[c] != ' ' && text[c] != '-')
                return 0;
        if (k >= 2 && is_rejecter(tk[k - 2].norm, tk[k - 1].norm) &&
            strcmp(tk[k - 2].norm, "than") != 0)
            return 1;
        if ((strcmp(tk[k - 1].norm, "statt") == 0 || strcmp(tk[k - 1].norm, "anstatt") == 0))
            return 1;
    }
    return 0;
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

/* Closed-class words the transcript model's short stop lists keep:
 * prepositions and adverbs of time, frequency and degree. They relate what
 * a question asks about ("avant de peindre", "schon einmal gegen") and
 * name none of it, so they weigh like general words. */
static const char *const function_words[] = {
    /* en */
    "since", "toward", "towards", "still", "always", "often", "usually", "well", "much", "soon",
    "already", "ever", "yet", "again", "once",
    /* fr */
    "avant", "après", "pendant", "depuis", "vers", "chez", "contre", "sous", "dès", "déjà",
    "encore", "toujours", "souvent", "aussi", "très", "bien", "trop", "peu", "beaucoup",
    "entre", "parmi", "lors", "puis", "ensuite", "alors", "vraiment",
    /* de */
    "gegen", "über", "beim", "ins", "ans", "vom", "schon", "einmal", "immer", "heute",
    "gleich", "oft", "wieder", "bereits", "etwa", "ganz", "damals", "früher", "später",
    "während", "seit", "wirklich", "jetzt", "bald",
    /* es */
    "después", "hacia", "bajo", "todavía", "siempre", "bien", "mal", "luego", "entonces",
    "varios", "varias", "ahora", "pronto", "realmente", NULL};

/* English yes/no questions open with an auxiliary followed by their subject
 * ("Is the candidate preparing...", "Did the founders plan..."). The
 * subject names who the question is about by a role; the people of a video
 * speak of themselves in the first person and rarely by that role, so a
 * subject the transcript never uses is weighed like a general word. */
static const char *const en_auxiliaries[] = {
    "is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "can", "could",
    "will", "would", "should", "shall", "may", "might", "must", NULL};

/* The token that names a yes/no question's subject, SIZE_MAX when the
 * question does not show one. English opens with an auxiliary and then the
 * subject ("Is the candidate...", "Did Jenna..."); French and Spanish with
 * it, after its article ("La patiente utilise-t-elle...", "¿El sobrino
 * sigue...?"); German puts the finite verb first and the subject, a
 * capitalised noun or name, after it ("Neigt sich der Kirchturm...", "Hat
 * Lena..."). The first content token of that place is taken. */
static const char *const de_interrogatives[] = {
    "wer", "wen", "wem", "wessen", "was", "wann", "wo", "wie", "warum", "wieso", "weshalb",
    "woher", "wohin", "wieviel", "wieviele", "welche", "welcher", "welches", "welchen",
    "welchem", NULL};

static size_t subject_token(const char *pl, const rb_transcript_token *tk, size_t n,
                            const char *text)
{
    static const char *const fr_es_articles[] = {"le", "la", "les", "l'", "el", "los", "las",
                                                 NULL};
    size_t from;
    if (n < 2)
        return SIZE_MAX;
    if (strcmp(pl, "en") == 0 && in_list(tk[0].norm, en_auxiliaries))
        from = 1;
    else if ((strcmp(pl, "fr") == 0 || strcmp(pl, "es") == 0) &&
             in_list(tk[0].norm, fr_es_articles))
        from = 1;
    else if (strcmp(pl, "de") == 0 && !in_list(tk[0].norm, de_interrogatives))
        from = 1;
    else
        return SIZE_MAX;
    for (size_t i = from; i < n && i < from + 4; i++) {
        if (tk[i].is_stop)
            continue;
        if (strcmp(pl, "de") == 0 && !first_is_upper(text + tk[i].offset, tk[i].len))
            continue;
        return i;
    }
    return SIZE_MAX;
}

/* Nouns that name the recorded event itself ("during the session", "in
 * this episode", "pendant la visite"): a question uses them for "in the
 * video", so one the transcript never uses weighs like a general word. */
static const char *const event_words[] = {
    "session", "sessions", "episode", "lesson", "show", "podcast", "class", "tour", "call",
    "meeting", "talk", "interview", "presentation", "demo", "stream", "livestream", "webinar",
    "lecture", "broadcast", "séance", "épisode", "leçon", "émission", "cours", "visite",
    "réunion", "appel", "sendung", "folge", "kurs", "führung", "vortrag", "sitzung",
    "gespräch", "episodio", "lección", "clase", "programa", "sesión", "visita", "reunión",
    "llamada", "charla", NULL};

/* A role subject or event noun the transcript never uses weighs like a
 * general word, unless another specific word of the question is missing
 * too: then the question may well be about something the video never
 * shows ("Does the chef add vinegar...?") and the role must not tip it. */
static void weigh_roles(termset *q)
{
    for (size_t j = 0; j < q->n; j++) {
        const term *t = &q->terms[j];
        if (!t->role && !t->general && !t->number && t->id < 0 && t->nalt == 0)
            return;
    }
    for (size_t j = 0; j < q->n; j++) {
        term *t = &q->terms[j];
        if (!t->role)
            continue;
        q->wsum -= t->idf * (1.0 - GENERAL_WEIGHT);
        t->idf *= GENERAL_WEIGHT;
    }
}

/* Tokenises text and collects its content terms. question = 1 drops frame
 * words and negators; all_if_empty = 1 keeps stop words when nothing else is
 * left (an option such as "none"). */
/* German verb forms (docs/builtin-answer.md, "Round 3"). A participle
 * carries "ge" after its separable particle ("an-ge-legt", "ge-kauft"), and
 * a separable verb leaves its particle behind in a main clause ("leg den
 * Gurt an"), so "angelegt", "anlegen" and "leg" are one verb that
 * Snowball stems three ways. For a lower-case German question word the
 * transcript never uses, the other forms are built — the particle detached,
 * the "ge" removed or added, the weak ending -t/-et or the infinitive's
 * -en exchanged — and the first one the transcript uses is the match. */
static const char *const de_particles[] = {
    "zurück", "zusammen", "weiter", "heraus", "herein", "hinaus", "hinein", "herum", "vorbei",
    "fest", "fort", "nach", "auf", "aus", "ein", "mit", "vor", "weg", "bei", "her", "hin",
    "los", "an", "ab", "zu", "um", NULL};
#define DE_BASE_MIN 3 /* bytes of a verb base left after the particle and "ge" */
#define DE_FORMS 24

static int de_add_form(char forms[][64], size_t *n, const char *a, const char *b, size_t blen,
                       const char *c)
{
    if (*n >= DE_FORMS)
        return 0;
    int w = snprintf(forms[*n], 64, "%s%.*s%s", a, (int)blen, b, c);
    if (w <= 0 || w >= 64)
        return 0;
    (*n)++;
    return 1;
}

/* The verb base of a form without particle: "legen" -> "leg", "legt" ->
 * "leg", "schaltet" -> "schalt", "leg" -> "leg". */
static size_t de_base_len(const char *f)
{
    size_t n = strlen(f);
    if (n > DE_BASE_MIN + 2 && ends_with(f, "en"))
        return n - 2;
    if (n > DE_BASE_MIN + 2 && ends_with(f, "et"))
        return n - 2;
    if (n > DE_BASE_MIN + 1 && (ends_with(f, "t") || ends_with(f, "e") || ends_with(f, "n")))
        return n - 1;
    return n;
}

/* The French and Spanish thesauri list a verb under its infinitive, and
 * questions conjugate it ("applique-t-il", "réparé", "¿acabó?"), so a
 * question word is also looked up under the infinitive its regular ending
 * points to (docs/builtin-answer.md, "Round 3b"): French -e/-es/-ent/
 * -é(e)(s)/-ait/-ons/-ez -> -er, -i(e)(s)/-it -> -ir; Spanish -ó/-a/-as/-an/
 * -aba(n)/-ado(s)/-ada(s) -> -ar, -ió/-e/-en/-ía/-ido/-ida -> -er or -ir.
 * The infinitive must stem like the word itself, so a noun that merely ends
 * alike is not read as a verb. NULL when no such infinitive is in the
 * thesaurus; out holds it. */
static const char *infinitive_of(const aindex *x, const rb_thesaurus *th, const char *norm,
                                 const char *key, char *out, size_t outlen)
{
    static const char *const fr_rules[] = {
        "ées", "er", "ée", "er", "és", "er", "é", "er", "ent", "er", "es", "er", "e", "er",
        "aient", "er", "ait", "er", "ons", "er", "ez", "er", "ies", "ir", "ie", "ir", "is", "ir",
        "it", "ir", "i", "ir", NULL};
    static const char *const es_rules[] = {
        "ó", "ar", "aban", "ar", "aba", "ar", "ados", "ar", "adas", "ar", "ado", "ar", "ada",
        "ar", "an", "ar", "as", "ar", "a", "ar", "ió", "er", "ió", "ir", "ido", "er", "ido",
        "ir", "ida", "er", "ida", "ir", "ía", "er", "ía", "ir", "en", "er", "en", "ir", "e",
        "er", "e", "ir", NULL};
    size_t n = strlen(norm);
    if (n + 8 > outlen || n < 4)
        return NULL;
    const char *const *rules = strcmp(x->pl, "fr") == 0   ? fr_rules
                               : strcmp(x->pl, "es") == 0 ? es_rules
                                                          : NULL;
    for (size_t i = 0; rules && rules[i]; i += 2) {
        size_t el = strlen(rules[i]);
        if (n <= el + 2 || !ends_with(norm, rules[i]))
            continue;
        snprintf(out, outlen, "%.*s%s", (int)(n - el), norm, rules[i + 1]);
        if (strcmp(out, norm) == 0 || rb_thesaurus_meanings(th, out, strlen(out)) == 0)
            continue;
        if (stems_to(x, out, key))
            return out;
    }
    return NULL;
}

/* For a word the transcript never uses and that no compound holds: the
 * transcript words the thesaurus gives as its synonyms or broader terms,
 * under the word's headword and under its infinitive. */
static void synonym_matches(const aindex *x, term *t, const char *norm)
{
    if (!x->th || t->number || t->id >= 0 || t->nalt > 0)
        return;
    char buf[128], inf[128];
    const char *head = headword_of(x, x->th, norm, t->key, buf, sizeof buf);
    const char *verb = infinitive_of(x, x->th, norm, t->key, inf, sizeof inf);
    if (!head && !verb)
        return;
    syn_ctx c = {x, t};
    if (head) {
        rb_thesaurus_each(x->th, head, strlen(head), syn_visit, &c);
        reverse_matches(x, t, head);
    }
    if (verb && (!head || strcmp(verb, head) != 0) && t->nalt < MAX_ALT) {
        rb_thesaurus_each(x->th, verb, strlen(verb), syn_visit, &c);
        reverse_matches(x, t, verb);
    }
    t->synonym = t->nalt > 0;
}

static int32_t de_verb_match(const aindex *x, const char *norm)
{
    size_t nl = strlen(norm);
    if (nl < DE_BASE_MIN + 2 || nl >= 48)
        return -1;
    const char *part = "";
    size_t plen = 0;
    for (const char *const *p = de_particles; *p; p++) {
        size_t l = strlen(*p);
        if (nl >= l + DE_BASE_MIN + 1 && strncmp(norm, *p, l) == 0) {
            part = *p;
            plen = l;
            break;
        }
    }
    const char *rest = norm + plen;
    char forms[DE_FORMS][64];
    size_t nf = 0;
    int ge = strncmp(rest, "ge", 2) == 0 && strlen(rest) >= DE_BASE_MIN + 3;
    if (ge) {
        /* A participle: "angelegt" -> "anleg(en)", "leg"; "geliehen" kept
         * for "ausgeliehen". */
        const char *core = rest + 2;
        size_t bl = de_base_len(core);
        if (plen) {
            de_add_form(forms, &nf, part, core, bl, "en");
            de_add_form(forms, &nf, "", rest, strlen(rest), "");
        }
        de_add_form(forms, &nf, "", core, bl, "en");
        de_add_form(forms, &nf, "", core, bl, "t");
        de_add_form(forms, &nf, "", core, bl, "");
    } else {
        /* An infinitive or a finite form: "anlegen" -> "angelegt", "leg",
         * "legt"; "kaufen" -> "gekauft". */
        size_t bl = de_base_len(rest);
        if (bl < DE_BASE_MIN)
            return -1;
        char pge[16];
        snprintf(pge, sizeof pge, "%sge", part);
        de_add_form(forms, &nf, pge, rest, bl, "t");
        de_add_form(forms, &nf, pge, rest, bl, "et");
        de_add_form(forms, &nf, pge, rest, bl, "en");
        if (plen) {
            de_add_form(forms, &nf, "", rest, bl, "en");
            de_add_form(forms, &nf, "", rest, bl, "t");
            de_add_form(forms, &nf, "", rest, bl, "");
        }
    }
    for (size_t i = 0; i < nf; i++) {
        if (strcmp(forms[i], norm) == 0)
            continue;
        rb_transcript_token *tk = NULL;
        size_t n = 0;
        rb_err e;
        rb_err_clear(&e);
        if (rb_transcript_tokenize(forms[i], x->t->language, &tk, &n, &e) != RB_OK)
            continue;
        int32_t id = n == 1 ? rb_text_ids_lookup(&x->ids, stem_key(x->pl, tk[0].stem)) : -1;
        rb_transcript_tokens_free(tk, n);
        if (id >= 0)
            return id;
    }
    return -1;
}

/* The quantities of every sentence (qty_scan), read once per transcript. */
static int quantities_build(aindex *x)
{
    size_t ns = x->t->nsentences, cap = 64, n = 0;
    x->qoff = malloc((ns + 1) * sizeof *x->qoff);
    x->qs = malloc(cap * sizeof *x->qs);
    if (!x->qoff || !x->qs)
        return RB_ERR;
    for (size_t s = 0; s < ns; s++) {
        const rb_transcript_sentence *se = &x->t->sentences[s];
        x->qoff[s] = n;
        if (cap - n < MAX_QTY) {
            qty *g = realloc(x->qs, 2 * cap * sizeof *g);
            if (!g)
                return RB_ERR;
            x->qs = g;
            cap *= 2;
        }
        n += qty_scan(x->pl, se->tokens, se->ntokens, se->text, 0, x->qs + n, MAX_QTY);
    }
    x->qoff[ns] = n;
    return RB_OK;
}

/* The question's measurements, each with the mask of the terms read from
 * its words (the number, the unit, "half", "quarter"). */
static void question_quantities(const aindex *x, const char *text, termset *q)
{
    qty found[MAX_QTY];
    size_t nf = qty_scan(x->pl, q->toks, q->ntoks, text, 1, found, MAX_QTY);
    for (size_t k = 0; k < nf && q->nqq < MAX_QTY; k++) {
        uint64_t m = 0;
        for (size_t j = 0; j < q->n; j++)
            if (q->terms[j].tok0 >= found[k].t0 && q->terms[j].tok1 <= found[k].t1)
                m |= (uint64_t)1 << j;
        if (!m)
            continue;
        q->qq[q->nqq] = found[k];
        q->qqmask[q->nqq++] = m;
    }
}

static int terms_of(const aindex *x, const char *text, int question, int all_if_empty,
                    termset *q, rb_err *err)
{
    memset(q, 0, sizeof *q);
    int rc = rb_transcript_tokenize(text, x->t->language, &q->toks, &q->ntoks, err);
    if (rc != RB_OK)
        return rc;
    int aux_first = question && q->ntoks > 1 && strcmp(x->pl, "en") == 0 &&
                    in_list(q->toks[0].norm, en_auxiliaries);
    size_t subj = question ? subject_token(x->pl, q->toks, q->ntoks, text) : SIZE_MAX;
    for (int pass = 0; pass < 2 && q->n == 0; pass++) {
        if (pass == 1 && !all_if_empty)
            break;
        for (size_t i = 0; i < q->ntoks && q->n < MAX_TERMS; i++) {
            const rb_transcript_token *tk = &q->toks[i];
            long long v;
            size_t span = 1;
            char numkey[24] = "";
            /* "Did one of the investors ask...": a partitive, not a number. */
            if (aux_first && i == 1 && i + 1 < q->ntoks && strcmp(tk->norm, "one") == 0 &&
                strcmp(q->toks[i + 1].norm, "of") == 0)
                continue;
            if (number_at(x->pl, q->toks, q->ntoks, text, i, &v, &span))
                snprintf(numkey, sizeof numkey, "#%lld", v);
            const char *key = numkey[0] ? numkey : irregular_base(x, tk->norm);
            if (!key)
                key = stem_key(x->pl, tk->stem);
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
            t->number = numkey[0] != 0;
            t->nalt = 0;
            if (t->id < 0 && !numkey[0]) {
                /* A German verb in another form: lower case (nouns are
                 * capitalised), or the question's first word. */
                if (t->id < 0 && question && strcmp(x->pl, "de") == 0 &&
                    (first == 0 || !first_is_upper(text + tk->offset, tk->len)))
                    t->id = de_verb_match(x, tk->norm);
                if (t->id < 0)
                    t->id = prefix_match(x, t->key, question);
                if (t->id < 0 && question)
                    t->id = deriv_match(x, t->key);
            }
            compound_matches(x, t);
            if (question)
                head_matches(x, t);
            /* German capitalises every noun, so there capitals do not mark names. */
            t->proper = question && first > 0 && strcmp(tk->norm, "i") != 0 &&
                        strcmp(x->pl, "de") != 0 &&
                        first_is_upper(text + tk->offset, tk->len);
            /* A name stands for itself: "Mars" is not met by "planet". */
            if (!t->proper)
                synonym_matches(x, t, tk->norm);
            /* "Which wood is the roof made of?": "wood" names the kind of
             * answer, and the evidence often says only "cedar". */
            t->head = question && q->n == 1 && first > 0 &&
                      in_list(q->toks[first - 1].norm, head_words);
            t->idf = idf_of(x, t->id >= 0 || t->nalt == 0 ? t->id : t->alt[0]);
            t->speaker = question && !numkey[0] ? speaker_named(x, t->key) : NULL;
            t->general = (!numkey[0] && is_general(x, t->key)) || t->head || t->speaker ||
                         (question && in_list(tk->norm, function_words));
            t->role = !numkey[0] && !t->proper && t->id < 0 && t->nalt == 0 &&
                      (first == subj || (question && in_list(tk->norm, event_words)));
            if (t->general)
                t->idf *= GENERAL_WEIGHT;
            t->word = text + tk->offset;
            t->wlen = q->toks[i].offset + q->toks[i].len - tk->offset;
            t->tok0 = first;
            t->tok1 = i;
            t->number = numkey[0] != 0;
            t->cmp = t->number ? comparison_before(q->toks, first) : 0;
            t->rejected = question && rejected_at(q->toks, first, text);
            q->wsum += t->idf;
        }
    }
    weigh_roles(q);
    question_quantities(x, text, q);
    return termset_index(x, q) == RB_OK ? RB_OK : oom(err);
}

/* The index of a quantity of sentence s that meets question quantity k
 * (the same measurement in any unit or wording), or SIZE_MAX. */
static size_t quantity_meets_in(const aindex *x, const termset *q, size_t k, size_t s)
{
    for (size_t i = x->qoff[s]; i < x->qoff[s + 1]; i++)
        if (qty_relation(&q->qq[k], &x->qs[i]) == 1)
            return i;
    return SIZE_MAX;
}

/* Bit mask of the terms of q present in sentence s. */
static uint64_t sentence_mask(const aindex *x, const termset *q, size_t s)
{
    uint64_t m = 0;
    for (size_t i = x->ids.unit_off[s]; i < x->ids.unit_off[s + 1]; i++) {
        int32_t id = x->ids.ids[i];
        if (id >= 0)
            m |= q->idmask[id];
    }
    /* A question quantity said in another unit or wording ("about an
     * hour" / "sixty minutes") is present with all of its words. */
    for (size_t k = 0; k < q->nqq; k++)
        if ((q->qqmask[k] & ~m) && quantity_meets_in(x, q, k, s) != SIZE_MAX)
            m |= q->qqmask[k];
    /* A participant named in the question is in every sentence they say. */
    for (size_t j = 0; q->who && j < q->n; j++)
        if ((q->who & ((uint64_t)1 << j)) && strcmp(speaker_of(x, s), q->terms[j].speaker) == 0)
            m |= (uint64_t)1 << j;
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
            w += q->terms[j].idf * (q->terms[j].synonym ? SYN_CREDIT : 1.0);
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
    const char *stems[2 * MAX_TERMS * (1 + MAX_ALT)];
    size_t n = 0;
    /* A term matched by prefix is looked up under the transcript's stem, and
     * the compounds holding it are looked up too. */
    for (int k = 0; k < 2; k++) {
        const termset *ts = k == 0 ? a : b;
        for (size_t j = 0; ts && j < ts->n; j++) {
            const term *tm = &ts->terms[j];
            stems[n++] = tm->id >= 0 ? x->ids.stems[tm->id] : tm->key;
            for (size_t m = 0; m < tm->nalt; m++)
                stems[n++] = x->ids.stems[tm->alt[m]];
        }
    }
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
    double near[MAX_TERMS]; /* credit of a term found only near the window */
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

/* Proximity credit (a positional kernel in the spirit of Y. Lv, C. Zhai,
 * "Positional Language Models for Information Retrieval", SIGIR 2009): a
 * term missing from window w but said d sentences from its centre, d up to
 * NEAR_MAX, counts exp(-(d - WIN_RADIUS)^2 / (2 NEAR_SIGMA^2)) of its weight,
 * as the parts of an answer are often a sentence or two apart ("we'd
 * remove the parking on the east side... That's about forty spaces."). */
static void near_credit(const aindex *x, const termset *q, size_t w, uint64_t m,
                        double near[MAX_TERMS])
{
    for (size_t j = 0; j < MAX_TERMS; j++)
        near[j] = 0;
    uint64_t left = ~m;
    size_t ns = x->t->nsentences;
    for (size_t d = WIN_RADIUS + 1; d <= NEAR_MAX && left; d++) {
        uint64_t found = 0;
        if (w >= d)
            found |= sentence_mask(x, q, w - d);
        if (w + d < ns)
            found |= sentence_mask(x, q, w + d);
        found &= left;
        if (!found)
            continue;
        double k = (double)(d - WIN_RADIUS);
        double c = exp(-(k * k) / (2.0 * NEAR_SIGMA * NEAR_SIGMA));
        for (size_t j = 0; j < q->n; j++)
            if (found & ((uint64_t)1 << j))
                near[j] = c;
        left &= ~found;
    }
}

/* The near-credit weight of the terms, leaving out those in skip. */
static double near_weight(const termset *q, const double near[MAX_TERMS], uint64_t skip)
{
    double w = 0;
    for (size_t j = 0; j < q->n; j++)
        if (!(skip & ((uint64_t)1 << j)))
            w += q->terms[j].idf * near[j];
    return w;
}

/* Document-local association (a one-document distributional expansion): a
 * question term the evidence window lacks (and that skip does not
 * name), but the transcript uses elsewhere, gets partial credit when, away from the window, the transcript
 * says it together with a question term the window holds more often than
 * its base rate — "oil" said where "water" is said, so a passage on the
 * water stands for the cooking. The credit of a missing term j is the lift
 *   max over held terms i of (P(j | i) - P(j)) / (1 - P(j)),
 * P over the windows at least COOC_GAP sentences from the evidence window
 * (the positional credit already covers the nearer ones), P(j | i) =
 * n(i, j) / (n(i) + 1); it replaces the positional credit when larger. A
 * frequent word ("gibt", "put") is said with everything and so gets
 * nothing; a word the transcript never uses gets nothing either, so a
 * question about something absent keeps its low coverage. Returns the
 * weight added to the window's found weight. */
#define COOC_GAP (NEAR_MAX + WIN_RADIUS)

_Static_assert(WIN_RADIUS == 1, "cooc_credit slides a three-sentence window");

static double cooc_credit(const aindex *x, const termset *q, const evidence *ev, uint64_t skip)
{
    uint64_t missing = 0;
    for (size_t j = 0; j < q->n; j++)
        if (!((ev->mask | skip) & ((uint64_t)1 << j)) && (q->terms[j].id >= 0 || q->terms[j].nalt > 0) &&
            ev->near[j] < 1.0)
            missing |= (uint64_t)1 << j;
    if (!missing || !ev->mask)
        return 0;
    size_t n = x->t->nsentences;
    size_t cnt[MAX_TERMS] = {0}, nelig = 0;
    /* 64 x 64 counters on the stack: 32 KiB, bounded by MAX_TERMS. */
    uint32_t both[MAX_TERMS][MAX_TERMS];
    memset(both, 0, sizeof both);
    /* Window w is sentences w-1..w+1 (WIN_RADIUS 1): the masks slide. */
    uint64_t prev = 0, cur = n > 0 ? sentence_mask(x, q, 0) : 0;
    for (size_t w = 0; w < n; w++) {
        uint64_t next = w + 1 < n ? sentence_mask(x, q, w + 1) : 0;
        uint64_t m = prev | cur | next;
        prev = cur;
        cur = next;
        size_t d = w > ev->w ? w - ev->w : ev->w - w;
        if (d < COOC_GAP)
            continue;
        nelig++;
        uint64_t mi = m & ev->mask, mj = m & missing;
        for (size_t i = 0; mi && i < q->n; i++)
            if (mi & ((uint64_t)1 << i))
                cnt[i]++;
        for (size_t j = 0; mj && j < q->n; j++) {
            if (!(mj & ((uint64_t)1 << j)))
                continue;
            cnt[j]++;
            for (size_t i = 0; mi && i < q->n; i++)
                if (mi & ((uint64_t)1 << i))
                    both[j][i]++;
        }
    }
    double add = 0;
    for (size_t j = 0; j < q->n && nelig > 0; j++) {
        if (!(missing & ((uint64_t)1 << j)) || cnt[j] == 0 || cnt[j] >= nelig)
            continue;
        double pj = (double)cnt[j] / (double)nelig, lift = 0;
        for (size_t i = 0; i < q->n; i++) {
            if (!(ev->mask & ((uint64_t)1 << i)))
                continue;
            double l = ((double)both[j][i] / (double)(cnt[i] + 1) - pj) / (1.0 - pj);
            if (l > lift)
                lift = l;
        }
        if (lift > ev->near[j])
            add += q->terms[j].idf * (lift - ev->near[j]);
    }
    return add;
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
    /* Windows that state a question's measurement in other words ("ninety
     * minutes" for "an hour and a half") are candidates too: BM25 cannot
     * find them by the question's words. Their BM25 score is taken as 0. */
    rb_bm25_hit cand[2 * TOP_WINDOWS];
    size_t nc = 0;
    for (size_t i = 0; i < nh; i++)
        cand[nc++] = hits[i];
    for (size_t k = 0; k < q->nqq && nc < 2 * TOP_WINDOWS; k++)
        for (size_t s = 0; s < x->t->nsentences && nc < 2 * TOP_WINDOWS; s++) {
            if (quantity_meets_in(x, q, k, s) == SIZE_MAX)
                continue;
            int dup = 0;
            for (size_t i = 0; i < nc && !dup; i++)
                dup = cand[i].unit == s;
            if (!dup) {
                cand[nc].unit = s;
                cand[nc++].score = 0;
            }
        }
    for (size_t i = 0; i < nc; i++) {
        double near[MAX_TERMS];
        uint64_t m = window_mask(x, q, cand[i].unit);
        near_credit(x, q, cand[i].unit, m, near);
        double cov = q->wsum > 0 ? (mask_weight(q, m) + near_weight(q, near, 0)) / q->wsum : 0;
        double E = window_E(x, q, cand[i].score, cov);
        if (!ev->found || E > ev->E + 1e-12) {
            ev->found = 1;
            ev->w = cand[i].unit;
            ev->mask = m;
            memcpy(ev->near, near, sizeof near);
            ev->cov = cov;
            ev->E = E;
        }
    }
    if (ev->found)
        pick_sentences(x, q, ev);
    return RB_OK;
}


/* English predicate negation: "not", "cannot" and the "n't" forms follow
 * the auxiliary and negate the whole clause, its subject included ("the
 * tide can't really get in", "regular safety glasses are not enough"), so
 * their scope also runs back to the start of the clause: punctuation, a
 * contrast word or one of these words that open a clause ("…in plastic
 * wrap so it doesn't dry out" leaves "plastic wrap" outside). */
static const char *const en_clause_openers[] = {
    "and", "or", "so", "because", "that", "which", "who", "when", "if", "while", "since",
    "until", "unless", "as", "where", "then", NULL};

/* Negators that are pronouns: they stand where a noun phrase would. */
static const char *const pronoun_negators[] = {"nothing", "nobody", "none", NULL};

/* 1 for an English predicate negator (above). */
static int predicate_negator(const char *pl, const char *norm)
{
    if (strcmp(pl, "en") != 0)
        return 0;
    /* "the shopper pays nothing extra": an object "nothing" (or "nobody",
     * "none") negates its verb and the clause before it, as "does not pay"
     * would; as a subject it opens its clause, so nothing lies before it. */
    return strcmp(norm, "not") == 0 || strcmp(norm, "cannot") == 0 || ends_with(norm, "n't") ||
           in_list(norm, pronoun_negators);
}

/* Marks the tokens of sentence s inside the scope of a negator (and, when
 * rejecters is set, of "instead of"/"than"...). scope has ntokens entries.
 * A scope runs forward to the end of the clause (punctuation or a contrast
 * word), at most NEG_SCOPE tokens; punctuation right after the negator does
 * not end it ("Never, ever try..."). An answer particle followed by
 * punctuation ("No, ...") negates nothing in its own sentence. German, and
 * English predicate negation, also scope back to the start of the clause
 * ("..., das mache ich nicht", "the tide can't get in"). */
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
        /* A pronoun negator ("worth nothing, so try to play them") ends its
         * clause like any word; only an adverb carries on past a comma
         * ("Never, ever try..."). */
        int pronoun = in_list(norm, pronoun_negators);
        for (size_t k = j + 1; k < n && k - j <= reach; k++) {
            if ((u->tokens[k].brk && (k > j + 1 || pronoun)) ||
                in_list(tok_norm(&u->tokens[k]), contrast_words))
                break;
            scope[k] = 1;
        }
        /* "If you have a gas furnace, nobody will make you rip it out": a
         * condition opening the sentence is what the denial is about. */
        if (neg) {
            size_t c0 = j;
            while (c0 > 0 && !u->tokens[c0].brk)
                c0--;
            int one_clause = c0 > 0;
            for (size_t t = 1; t < c0 && one_clause; t++)
                one_clause = !u->tokens[t].brk;
            if (one_clause && in_list(tok_norm(&u->tokens[0]), conditionals))
                for (size_t t = 0; t < c0; t++)
                    scope[t] = 1;
        }
        if (neg && (german || predicate_negator(x->pl, norm))) {
            size_t k = j;
            for (; k > 0 && j - (k - 1) <= NEG_SCOPE; k--) {
                if (u->tokens[k].brk || in_list(tok_norm(&u->tokens[k - 1]), contrast_words) ||
                    (!german && in_list(tok_norm(&u->tokens[k - 1]), en_clause_openers)))
                    break;
                scope[k - 1] = 1;
            }
            /* "Regular safety glasses, the open ones…, are not enough": the
             * clause starts with its auxiliary after a parenthetical, so its
             * subject is the phrase before that parenthetical. */
            if (!german && k > 0 && j - k <= 1 && u->tokens[k].brk) {
                size_t b1 = k - 1;
                while (b1 > 0 && !u->tokens[b1].brk)
                    b1--;
                size_t b0 = b1 > 0 ? b1 - 1 : 0;
                while (b0 > 0 && !u->tokens[b0].brk)
                    b0--;
                if (b1 > 0 && b1 - b0 <= NEG_SCOPE)
                    for (size_t t = b0; t < b1; t++)
                        scope[t] = 1;
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
        if (scope[j])
            in |= q->idmask[id];
        else
            out |= q->idmask[id];
    }
    if (scope != stackbuf)
        free(scope);
    *seen |= in | out;
    *neg |= all ? in & ~out : in;
    return RB_OK;
}

#define SHORT_REPLY 5 /* tokens of a reply that ends in its answer particle */

/* 1 when sentence s is a short reply that starts with a negator (at most
 * three words: "No.", "Not really.", "Never.") or a short one that ends in
 * the answer particle ("For almost everybody, no.", "Honestly, no."),
 * denying the sentence before. A hedge before the particle restricts the
 * denial, it does not turn it around. */
static int short_denial(const aindex *x, size_t s, const char **which)
{
    const rb_text_unit *u = &x->doc->doc.units[s];
    if (u->ntokens == 0)
        return 0;
    const char *norm = tok_norm(&u->tokens[0]);
    if (u->ntokens <= 3 &&
        is_negator(x->pl, norm, u->ntokens > 1 ? tok_norm(&u->tokens[1]) : NULL)) {
        if (which && !*which)
            *which = norm;
        return 1;
    }
    const char *last = tok_norm(&u->tokens[u->ntokens - 1]);
    if (u->ntokens > SHORT_REPLY || !in_list(last, no_particles))
        return 0;
    if (which && !*which)
        *which = last;
    return 1;
}

/* Pro-forms: words that stand for something said before ("I don't do
 * THAT", "je ne fais pas ÇA", "das mache ich nicht"). */
static const char *const pro_forms[] = {"that", "this", "it", "one", "ones", "so", "them",
                                        "those", "these", "ça", "cela", "ceci", "le", "la",
                                        "les", "en", "y", "das", "es", "dies", "eso", "esto",
                                        "lo", "los", "las", "ello", NULL};
#define ELLIPSIS_MAX 7 /* tokens of an elliptical denial clause */

/* Politeness words say nothing about what is denied ("Please don't."). */
static const char *const politeness[] = {"please", "bitte", "plaît", "favor", NULL};

/* 1 when tokens [from, to) of sentence s are an elliptical denial: a short
 * negated clause that says nothing new and so negates what was said before
 * ("I don't.", "I don't do that.", "but I don't have one", "das mache ich
 * nicht"). Besides stop words, pro-forms and the negator it may hold one
 * content word, and then only next to a pro-form (the verb of "das mache
 * ich nicht"; "I don't know" is not a denial). */
static int elliptic_denial(const aindex *x, size_t s, size_t from, size_t to, const char **which)
{
    const rb_text_unit *u = &x->doc->doc.units[s];
    if (to > u->ntokens)
        to = u->ntokens;
    if (to <= from || to - from > ELLIPSIS_MAX)
        return 0;
    const char *neg = NULL;
    size_t content = 0;
    int pro = 0;
    for (size_t j = from; j < to; j++) {
        const char *norm = tok_norm(&u->tokens[j]);
        const char *next = j + 1 < to ? tok_norm(&u->tokens[j + 1]) : NULL;
        if (is_negator(x->pl, norm, next)) {
            /* An answer particle ("No, ...") starts a reply, not an ellipsis. */
            if (in_list(norm, no_particles) && (j + 1 >= to || u->tokens[j + 1].brk))
                return 0;
            if (!neg)
                neg = norm;
        } else if (in_list(norm, pro_forms)) {
            pro = 1;
        } else if (!u->tokens[j].stop && !in_list(norm, politeness)) {
            content++;
        }
    }
    if (!neg || content > (size_t)pro)
        return 0;
    if (which && !*which)
        *which = neg;
    return 1;
}

/* 1 when sentence s names a term of q and then, after a contrast word,
 * denies it elliptically ("A lot of people use a heated knife, but I don't
 * have one."). */
static int contrast_denial(const aindex *x, const termset *q, size_t s, const char **which)
{
    const rb_text_unit *u = &x->doc->doc.units[s];
    size_t off = x->ids.unit_off[s];
    int named = 0;
    for (size_t j = 0; j < u->ntokens; j++) {
        int32_t id = x->ids.ids[off + j];
        if (id >= 0 && q->idmask[id])
            named = 1;
        if (!named || !in_list(tok_norm(&u->tokens[j]), contrast_words))
            continue;
        size_t end = j + 1;
        while (end < u->ntokens && !u->tokens[end].brk)
            end++;
        if (elliptic_denial(x, s, j + 1, end, which))
            return 1;
    }
    return 0;
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

/* Verbs of asking and the word that opens the question they report: "on me
 * demande si j'utilise un robot", "people ask whether", "fragt, ob". */
static const char *const ask_verbs[] = {
    "ask", "asks", "asked", "asking", "wonder", "wonders", "wondered", "demande", "demandent",
    "demandé", "demander", "fragt", "fragen", "gefragt", "pregunta", "preguntan", "preguntó",
    "preguntar", NULL};
static const char *const ask_complementizers[] = {"if", "whether", "si", "ob", NULL};
#define ASK_REACH 3 /* tokens between the verb of asking and "if"/"si"/"ob" */

/* 1 when sentence s asks rather than states: a question, or a reported one
 * ("On me demande souvent si j'utilise un robot."), which the next sentence
 * answers. */
static int asks(const aindex *x, size_t s)
{
    if (ends_with_question(x->t->sentences[s].text))
        return 1;
    const rb_text_unit *u = &x->doc->doc.units[s];
    for (size_t j = 0; j < u->ntokens; j++) {
        if (!in_list(tok_norm(&u->tokens[j]), ask_verbs))
            continue;
        for (size_t k = j + 1; k < u->ntokens && k <= j + ASK_REACH; k++)
            if (in_list(tok_norm(&u->tokens[k]), ask_complementizers))
                return 1;
    }
    return 0;
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
    if (asks(x, ev->main) && ev->main + 1 < ns) {
        size_t r = ev->main + 1;
        const rb_text_unit *u = &x->doc->doc.units[r];
        if (u->ntokens > 0 && in_list(tok_norm(&u->tokens[0]), yes_particles))
            return RB_OK;
        /* "Non, jamais pour ce pain.": the reply opens with its answer. */
        if (u->ntokens > 1 && in_list(tok_norm(&u->tokens[0]), no_particles) &&
            u->tokens[1].brk) {
            if (which && !*which)
                *which = tok_norm(&u->tokens[0]);
            *ratio = 1;
            return RB_OK;
        }
        if (short_denial(x, r, which) || elliptic_denial(x, r, 0, SIZE_MAX, which)) {
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
        /* The question rejects these terms itself ("...rather than the
         * trash"): a clause negating them ("Broken glass does not go in the
         * regular trash") denies the rejected alternative and so agrees
         * with the question, its subject included. */
        if (neg & q->rejected)
            neg = 0;
        double mw = mask_weight(q, seen);
        double r = mw > 0 ? mask_weight(q, neg) / mw : 0;
        if (contrast_denial(x, q, s, which))
            r = 1;
        if (r > *ratio)
            *ratio = r;
    }
    /* A short denial by the same speaker right after the evidence ("It's
     * free. Not anymore."); another speaker's "No way." is surprise. */
    if (*ratio < NEG_RATIO && ev->main + 1 < ns &&
        same_speaker(x->t, ev->main, ev->main + 1) &&
        (short_denial(x, ev->main + 1, which) ||
         elliptic_denial(x, ev->main + 1, 0, SIZE_MAX, which)))
        *ratio = 1;
    /* Another speaker's elliptical denial within the next two sentences
     * corrects what was said ("I'm a perfectionist." - "Stop. Please don't
     * say that."): unlike "No way.", it names what it rejects by a pro-form. */
    for (size_t r = ev->main + 1; *ratio < NEG_RATIO && r <= ev->main + 2 && r < ns; r++)
        if (!same_speaker(x->t, ev->main, r) && elliptic_denial(x, r, 0, SIZE_MAX, which))
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

/* Hearsay and reputation mark a belief without naming who holds it: "I read
 * somewhere that...", "tiene fama de ser dulce", "supposedly". */
static const char *const hearsay_words[] = {"reputation", "réputation", "fama", "supposedly",
                                            "allegedly", "angeblich", "soi-disant",
                                            "supuestamente", NULL};
static const char *const hearsay_verbs[] = {"read", "heard", NULL};

static int reported_belief(const aindex *x, size_t s)
{
    const rb_text_unit *u = &x->doc->doc.units[s];
    for (size_t j = 0; j < u->ntokens && j < 8; j++) {
        if (in_list(tok_norm(&u->tokens[j]), hearsay_words))
            return 1;
        if (j > 0 && strcmp(tok_norm(&u->tokens[j]), "somewhere") == 0 &&
            in_list(tok_norm(&u->tokens[j - 1]), hearsay_verbs))
            return 1;
    }
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

/* Focus particles. A question restricted by an exclusive one ("Does only
 * the male dance?") is contradicted by evidence with an additive one ("both
 * dance, the male as well as the female"). */
static const char *const exclusive_words[] = {"only", "solely", "exclusively", "seulement",
                                              "uniquement", "nur", "ausschließlich",
                                              "ausschliesslich", "solo", "sólo", "solamente",
                                              "únicamente", NULL};
static const char *const inclusive_words[] = {"both", "also", "aussi", "également", "beide",
                                              "beiden", "auch", "ebenfalls", "genauso",
                                              "también", "ambos", "ambas", NULL};

static int question_exclusive(const termset *q)
{
    for (size_t i = 0; i < q->ntoks; i++)
        if (in_list(q->toks[i].norm, exclusive_words))
            return 1;
    return 0;
}

/* The first additive particle of sentence s, or NULL. */
static const char *inclusive_in(const aindex *x, size_t s)
{
    const rb_text_unit *u = &x->doc->doc.units[s];
    for (size_t j = 0; j < u->ntokens; j++)
        if (in_list(tok_norm(&u->tokens[j]), inclusive_words))
            return tok_norm(&u->tokens[j]);
    return NULL;
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
            /* "an hour": quote the unit the article counts. */
            size_t last = j + span - 1;
            if (span == 1 && in_list(tk->norm, one_articles) && j + 1 < se->ntokens)
                last = j + 1;
            *len = se->tokens[last].offset + se->tokens[last].len - tk->offset;
        } else if (cls >= 3) {
            /* cls 3 + c: a member of closed class c. */
            key = stem_key(x->pl, tk->stem);
            if (class_of(x, key) != cls - 3)
                continue;
            *len = tk->len;
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

/* The value of the number whose last token is token j of sentence s (the
 * runs of number_at: "twenty-four", "1,000"); 0 when no number ends there. */
static int number_ending_at(const aindex *x, size_t s, size_t j, long long *value)
{
    const rb_transcript_sentence *se = &x->t->sentences[s];
    for (size_t i = 0; i <= j && i < se->ntokens; i++) {
        long long v;
        size_t span;
        if (!number_at(x->pl, se->tokens, se->ntokens, se->text, i, &v, &span))
            continue;
        if (i + span - 1 == j) {
            *value = v;
            return 1;
        }
        i += span - 1;
    }
    return 0;
}

/* 1 when only spaces and hyphens separate the question words of terms m and
 * h, and h directly follows m ("water extinguisher", "twenty percent"). */
static int adjacent_terms(const term *m, const term *h)
{
    if (h->tok0 != m->tok1 + 1 || h->word < m->word + m->wlen)
        return 0;
    for (const char *c = m->word + m->wlen; c < h->word; c++)
        if (*c != ' ' && *c != '-')
            return 0;
    return 1;
}

/* Contrastive number: for a question pair of a number and the content word
 * right after it ("TWENTY PERCENT down"), an evidence sentence (main or
 * extra) that counts the same head with another number ("I put down ten
 * percent") and never with the question's number contradicts the question,
 * even when the question's number is said elsewhere ("everybody said
 * twenty"); the number test of answer_yesno only sees numbers missing from
 * the window. Comparisons ("more than ten") are left to that test, and a
 * negated evidence sentence to the negation rule. Returns the number's
 * term index, or -1; *w and *wl get the evidence phrase (number to head).
 * Measured and dropped: the same test for word modifiers ("a water
 * extinguisher" / "a carbon dioxide one"): without parts of speech, adjacent
 * content words are as often verb and object ("start next spring" against
 * "begin next spring"), and it lost 7 answers on the original 10 and 4 on
 * the new 4. */
static int contrast_number(const aindex *x, const termset *q, const evidence *ev,
                           const char **w, size_t *wl)
{
    for (size_t a = 0; a < q->n; a++) {
        const term *m = &q->terms[a];
        if (!m->number || m->rejected || m->cmp != 0)
            continue;
        long long mv = strtoll(m->key + 1, NULL, 10);
        for (size_t b = 0; b < q->n; b++) {
            const term *h = &q->terms[b];
            if (b == a || h->number || !((ev->mask >> b) & 1) || !adjacent_terms(m, h))
                continue;
            for (int k = 0; k < 2; k++) {
                size_t s = k == 0 ? ev->main : ev->extra;
                if (s == SIZE_MAX)
                    continue;
                const rb_text_unit *u = &x->doc->doc.units[s];
                const rb_transcript_sentence *se = &x->t->sentences[s];
                size_t off = x->ids.unit_off[s];
                int pair = 0;
                const char *dw = NULL;
                size_t dl = 0;
                for (size_t j = 1; j < u->ntokens; j++) {
                    int32_t id = x->ids.ids[off + j];
                    long long v;
                    if (id < 0 || !((q->idmask[id] >> b) & 1) || u->tokens[j].brk ||
                        !number_ending_at(x, s, j - 1, &v))
                        continue;
                    if (v == mv) {
                        pair = 1;
                        break;
                    }
                    if (!dw) {
                        /* Quote the whole number ("twenty-four percent"). */
                        size_t first = j - 1;
                        long long v2;
                        while (first > 0 && !u->tokens[first].brk &&
                               number_ending_at(x, s, first - 1, &v2))
                            first--;
                        dw = se->text + se->tokens[first].offset;
                        dl = se->tokens[j].offset + se->tokens[j].len - se->tokens[first].offset;
                    }
                }
                if (dw && !pair) {
                    *w = dw;
                    *wl = dl;
                    return (int)a;
                }
            }
        }
    }
    return -1;
}

/* Contradicting quantity: a question quantity whose dimension the main or
 * extra sentence states with a value outside the question's interval
 * ("about an hour" / "about thirty-five minutes"), while no sentence of
 * the window states one inside it. Returns its index or -1; *w and *wl
 * get the evidence phrase. */
static int contradicted_quantity(const aindex *x, const termset *q, const evidence *ev,
                                 const char **w, size_t *wl)
{
    size_t lo, hi;
    win_range(x, ev->w, &lo, &hi);
    int found = -1;
    for (size_t k = 0; k < q->nqq && found < 0; k++) {
        int met = 0, other = 0;
        for (size_t s = lo; s <= hi && !met; s++) {
            if (x->qoff[s] == x->qoff[s + 1])
                continue;
            const rb_transcript_sentence *se = &x->t->sentences[s];
            size_t n = x->doc->doc.units[s].ntokens;
            unsigned char *scope = malloc(n ? n : 1);
            if (!scope)
                return -1;
            negation_scope(x, s, 0, scope, NULL);
            for (size_t i = x->qoff[s]; i < x->qoff[s + 1] && !met; i++) {
                const qty *e = &x->qs[i];
                /* "not two minutes" states no value. */
                if (e->dim != q->qq[k].dim || (e->t0 < n && scope[e->t0]))
                    continue;
                int r = qty_relation(&q->qq[k], e);
                if (r == 1) {
                    met = 1;
                } else if (r < 0 && !other && (s == ev->main || s == ev->extra)) {
                    other = 1;
                    *w = se->text + se->tokens[e->t0].offset;
                    *wl = se->tokens[e->t1].offset + se->tokens[e->t1].len -
                          se->tokens[e->t0].offset;
                }
            }
            free(scope);
        }
        if (other && !met)
            found = (int)k;
    }
    return found;
}

/* Universal and exclusive quantifiers. A question that claims "all", "every",
 * "always" or "only" makes a stronger claim than a passage that does not
 * restate the quantifier supports (the passage "they voted for it" does
 * not say that every member did), so such a question leans to "no". "each"
 * is left out: it mostly counts a rate ("twice each day" = "twice a day"). */
static const char *const universal_words[] = {
    "all", "every", "always", "only", "tous", "toutes", "toujours", "seulement",
    "uniquement", "alle", "allen", "jeder", "jede", "jedes", "jeden", "immer", "stets", "nur",
    "todos", "todas", "siempre", "solo", "sólo", "solamente", NULL};

/* The first universal quantifier of the question that the evidence window
 * does not use itself, or NULL. */
static const char *unsupported_quantifier(const aindex *x, const termset *q, size_t w)
{
    size_t lo, hi;
    win_range(x, w, &lo, &hi);
    for (size_t i = 0; i < q->ntoks; i++) {
        if (!in_list(q->toks[i].norm, universal_words))
            continue;
        int seen = 0;
        for (size_t s = lo; s <= hi && !seen; s++) {
            const rb_text_unit *u = &x->doc->doc.units[s];
            for (size_t j = 0; j < u->ntokens && !seen; j++)
                seen = strcmp(tok_norm(&u->tokens[j]), q->toks[i].norm) == 0;
        }
        if (!seen)
            return q->toks[i].norm;
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
    /* "When diluting, should you...?": an interrogative that also opens
     * adverbial clauses, followed by a comma, opens a subordinate clause;
     * the main clause after the comma decides. */
    static const char *const subordinators[] = {"when", "where", "quand", "wo", NULL};
    if (wh && in_list(toks[0].norm, subordinators)) {
        const char *comma = strchr(question + toks[0].offset, ',');
        for (size_t i = 1; comma && i < n; i++)
            if (question + toks[i].offset > comma) {
                wh = in_list(toks[i].norm, list);
                break;
            }
    }
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
    /* A measurement stated with another value, in any unit: its words are
     * contradicted, not found. */
    uint64_t qty_alt = 0;
    int qk = contradicted_quantity(x, &q, &ev, &alt_word, &alt_len);
    if (qk >= 0) {
        const qty *qq0 = &q.qq[qk];
        /* The numbers are contradicted; a unit said literally ("a million
         * dollars" / "two million dollars") stays found. */
        qty_alt = q.qqmask[qk] & missing;
        for (size_t j = 0; j < q.n; j++)
            if (((q.qqmask[qk] >> j) & 1) && q.terms[j].number)
                qty_alt |= (uint64_t)1 << j;
        /* A quantity without a number word ("eine Viertelstunde"): its unit
         * is the contradicted term. */
        if (!qty_alt)
            qty_alt = q.qqmask[qk];
        alt_q = qq->question + q.toks[qq0->t0].offset;
        alt_qlen = q.toks[qq0->t1].offset + q.toks[qq0->t1].len - q.toks[qq0->t0].offset;
        ev.mask &= ~qty_alt;
        missing &= ~qty_alt;
    }
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
            /* A closed-class answer may sit anywhere in the window (the
             * reply after "at what time of day?"). */
            int c = w || tm->number ? -1 : class_of(x, tm->key);
            if (c >= 0) {
                size_t lo, hi;
                win_range(x, ev.w, &lo, &hi);
                for (size_t s2 = lo; s2 <= hi && !w; s2++)
                    w = alternative_in(x, &q, s2, 3 + c, &wl, &ev_value);
            }
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
    alt_terms |= qty_alt;
    double found_w = mask_weight(&q, ev.mask) + near_weight(&q, ev.near, ev.mask | alt_terms);
    /* A contradicted term gets no association credit either. */
    found_w += cooc_credit(x, &q, &ev, alt_terms);
    double cov = q.wsum > 0 ? found_w / q.wsum : 0;
    if (alt_terms) {
        double rest = q.wsum - mask_weight(&q, alt_terms);
        cov = rest > 0 ? found_w / rest : 0;
    }
    /* Evidence that is only a question ("Why does the sea go in and out?")
     * asserts nothing: it counts QUESTION_EVIDENCE of its coverage. */
    int asked = asks(x, ev.main) && (ev.extra == SIZE_MAX || asks(x, ev.extra));
    if (asked)
        cov *= QUESTION_EVIDENCE;
    uint64_t synm = 0;
    for (size_t j = 0; j < q.n; j++)
        if (q.terms[j].synonym)
            synm |= (uint64_t)1 << j;
    /* Synonyms complete a question the passage already half says; they do
     * not make one out of a passage that shares little with it. */
    if ((ev.mask & synm) && q.wsum > 0 &&
        (mask_weight(&q, ev.mask & ~synm) + near_weight(&q, ev.near, ev.mask)) / q.wsum <
            SYN_FLOOR) {
        ev.mask &= ~synm; /* the reasoning names them as missing */
        cov = 0;
    }
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
    /* A counted head said with another number ("ten percent" for "twenty
     * percent"); a negated one ("not ten like the dried stuff") agrees. */
    if (!negated && !alt_terms) {
        int cm = contrast_number(x, &q, &ev, &alt_word, &alt_len);
        /* The sentence that counts the head differently states the
         * question's measurement in another form ("an hour, so sixty
         * minutes" for "sixty minutes"): it agrees. */
        for (int c = 0; c < 2 && cm >= 0; c++) {
            size_t s = c == 0 ? ev.main : ev.extra;
            if (s == SIZE_MAX)
                continue;
            const char *st = x->t->sentences[s].text;
            if (alt_word < st || alt_word >= st + strlen(st))
                continue;
            for (size_t k = 0; k < q.nqq; k++)
                if (((q.qqmask[k] >> cm) & 1) && quantity_meets_in(x, &q, k, s) != SIZE_MAX)
                    cm = -1;
        }
        if (cm >= 0) {
            alt_terms |= (uint64_t)1 << cm;
            alt_q = q.terms[cm].word;
            alt_qlen = q.terms[cm].wlen;
            for (size_t j = 0; j < q.n; j++)
                if (j != (size_t)cm && adjacent_terms(&q.terms[cm], &q.terms[j]))
                    alt_qlen = (size_t)(q.terms[j].word + q.terms[j].wlen - alt_q);
        }
    }

    double E = 0.75 * cov + (ev.E - 0.75 * ev.cov);
    double conf = conf_from(E);
    const char *incl = NULL;
    if (!negated && !alt_terms && question_exclusive(&q)) {
        incl = inclusive_in(x, ev.main);
        if (!incl && ev.extra != SIZE_MAX)
            incl = inclusive_in(x, ev.extra);
    }
    int belief = 0;
    if (!negated && !alt_terms && !incl) {
        size_t lo, hi;
        win_range(x, ev.w, &lo, &hi);
        for (size_t s = lo; s <= hi && !belief; s++)
            belief = sentence_mask(x, &q, s) && reported_belief(x, s);
    }
    if (belief)
        conf *= 0.8;
    const char *quant = NULL;
    if (!negated && !alt_terms && !incl && !belief)
        quant = unsupported_quantifier(x, &q, ev.w);
    if (quant && conf > 0.55)
        conf = 0.55;
    int no = negated || alt_terms || belief || incl || quant;
    if (alt_terms && negated && qk < 0)
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
    else if (rc == RB_OK && incl)
        rc = rb_buf_appendf(&b, " It says \"%s\": the question's restriction does not hold.", incl);
    else if (rc == RB_OK && quant)
        rc = rb_buf_appendf(&b, " The question says \"%s\", which the passage does not say.",
                            quant);
    else if (rc == RB_OK && belief)
        rc = rb_buf_puts(&b, " This is reported as what others believe, not stated as fact.");
    else if (rc == RB_OK && alt_terms && (!negated || qk >= 0))
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

/* Local coverage (passage proximity as in S. Tellex et al., "Quantitative
 * Evaluation of Passage Retrieval Algorithms for Question Answering", SIGIR
 * 2003): the best, over the occurrences of o's distinguishing words in
 * sentence s, of the idf-weighted share of the question's topic terms (not
 * the "which X" head) within LOCAL_SPAN tokens of it. "the ring finger on
 * the high E string" beats "middle finger on the B string" for "which
 * finger plays the high E string". */
#define LOCAL_SPAN 8
static double local_coverage(const aindex *x, const termset *o, const termset *q, size_t s)
{
    size_t off = x->ids.unit_off[s], n = x->ids.unit_off[s + 1] - off;
    uint64_t own = 0, topic = 0;
    for (size_t t = 0; t < o->n; t++)
        if (!(o->shared & ((uint64_t)1 << t)))
            own |= (uint64_t)1 << t;
    if (!own)
        own = ~(uint64_t)0;
    for (size_t t = 0; t < q->n; t++)
        if (!q->terms[t].head)
            topic |= (uint64_t)1 << t;
    double tw = mask_weight(q, topic), best = 0;
    if (tw <= 0)
        return 0;
    for (size_t j = 0; j < n; j++) {
        int32_t id = x->ids.ids[off + j];
        if (id < 0 || !(o->idmask[id] & own))
            continue;
        uint64_t m = 0;
        size_t lo = j >= LOCAL_SPAN ? j - LOCAL_SPAN : 0;
        for (size_t k = lo; k < n && k <= j + LOCAL_SPAN; k++) {
            int32_t kid = x->ids.ids[off + k];
            if (kid >= 0)
                m |= q->idmask[kid] & topic;
        }
        double c = mask_weight(q, m) / tw;
        if (c > best)
            best = c;
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
        if (o->terms[j].id < 0 && o->terms[j].nalt == 0)
            return 0;
    size_t off = x->ids.unit_off[s], end = x->ids.unit_off[s + 1];
    for (size_t i = off; i < end; i++) {
        if (x->ids.ids[i] < 0 || !(o->idmask[x->ids.ids[i]] & 1))
            continue;
        size_t k = 1, p = i + 1;
        while (k < o->n && p < end) {
            if (x->ids.ids[p] < 0) { /* stop words between are fine */
                p++;
                continue;
            }
            if (!((o->idmask[x->ids.ids[p]] >> k) & 1))
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
    double local = 0;
    double best_sw = -1;
    int phrase = 0;
    for (size_t s = lo; s <= hi; s++) {
        uint64_t sm = sentence_mask(x, o, s);
        if (!sm)
            continue;
        if (scope_masks(x, o, s, 1, 1, &seen, &neg, NULL) != RB_OK)
            return RB_ERR;
        phrase |= phrase_in_sentence(x, o, s);
        double lc = q->n ? local_coverage(x, o, q, s) : 0;
        if (lc > local)
            local = lc;
        double sw = mask_weight(o, sm) + (q->n ? mask_weight(q, sentence_mask(x, q, s)) : 0);
        if (sw > best_sw + 1e-12) {
            best_sw = sw;
            *sent = s;
        }
    }
    double rej = (seen && (neg & seen) == seen) ? 0.25 : 1.0;
    if ((om & ~o->shared) == 0)
        rej *= SHARED_WEIGHT;
    double prox = 1.0 + PROX_WEIGHT * local;
    *score = cov_o * (0.35 + 0.65 * cov_q) * rej * prox * (phrase ? PHRASE_BONUS : 1.0);
    return RB_OK;
}

/* The counted noun of a "how many" question ("How many keepers...",
 * "Combien de mailles...", "Wie viele Stufen...", "¿Cuántas horas..."): the
 * token after the count phrase, or SIZE_MAX. */
static size_t count_head(const rb_transcript_token *tk, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        const char *a = tk[i].norm, *b = tk[i + 1].norm;
        size_t h = SIZE_MAX;
        if (strcmp(a, "how") == 0 && strcmp(b, "many") == 0)
            h = i + 2;
        else if (strcmp(a, "wie") == 0 && (strcmp(b, "viele") == 0 || strcmp(b, "viel") == 0))
            h = i + 2;
        else if (strcmp(a, "combien") == 0 && strcmp(b, "de") == 0)
            h = i + 2;
        else if (strcmp(a, "combien") == 0 && strncmp(b, "d'", 2) == 0)
            h = i + 1;
        else if (in_list(a, (const char *const[]){"cuántos", "cuántas", "cuantos", "cuantas",
                                                  NULL}))
            h = i + 1;
        if (h < n && !tk[h].is_stop)
            return h;
    }
    return SIZE_MAX;
}

/* 1 when every content term of o is a number ("three", "48", "zehn"). */
static int only_numbers(const termset *o)
{
    if (o->n == 0)
        return 0;
    for (size_t j = 0; j < o->n; j++)
        if (!o->terms[j].number)
            return 0;
    return 1;
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
    char **wide_text = calloc(no ? no : 1, sizeof *wide_text);
    if (!opts || !sc || !wide_text) {
        free(opts);
        free(sc);
        free(wide_text);
        termset_free(&q);
        return oom(err);
    }
    rb_bm25_hit base[TOP_WINDOWS];
    size_t nbase = 0;
    rc = query(x, &q, NULL, base, &nbase, err);
    for (size_t i = 0; i < no && rc == RB_OK; i++)
        rc = terms_of(x, qq->options[i], 0, 1, &opts[i], err);
    /* A bare number answering "how many X" counts X: the option "three" says
     * "three keepers", and a cardinal stands before the noun it counts, so
     * the option is read with the counted noun after it (its phrase bonus
     * then rewards "takes three keepers" over "three players ... two storm
     * cards"; docs/builtin-answer.md, "Round 3b"). */
    size_t ch = rc == RB_OK ? count_head(q.toks, q.ntoks) : SIZE_MAX;
    for (size_t i = 0; i < no && rc == RB_OK && ch != SIZE_MAX; i++) {
        if (!only_numbers(&opts[i]))
            continue;
        const rb_transcript_token *h = &q.toks[ch];
        size_t len = strlen(qq->options[i]) + 1 + h->len + 1;
        char *text = malloc(len);
        if (!text) {
            rc = oom(err);
            break;
        }
        snprintf(text, len, "%s %.*s", qq->options[i], (int)h->len, qq->question + h->offset);
        /* The terms point into their text; it lives until they are freed. */
        wide_text[i] = text;
        termset_free(&opts[i]);
        rc = terms_of(x, text, 0, 1, &opts[i], err);
    }
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
    for (size_t i = 0; i < no; i++) {
        termset_free(&opts[i]);
        free(wide_text[i]);
    }
    free(wide_text);
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
    if (q.n == 0 || !ev.found ||
        ev.cov + (q.wsum > 0 ? cooc_credit(x, &q, &ev, 0) / q.wsum : 0) < SKIP_COVERAGE) {
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
