/* stopwords.c — stop-word lists (see stopwords.h and docs/transcript.md).
 *
 * The English, French, German and Spanish lists follow the Snowball project's
 * stop-word lists (snowballstem.org, BSD licence). They were written out from
 * memory for this project and reviewed by hand, not copied from a file, so
 * they may differ from the published lists in a few words; the French,
 * German and Spanish ones are abridged to the most frequent function words.
 * The English list adds a few spoken fillers and modal words that the
 * Snowball list leaves out but that carry no topic in a transcript. */
#include "ai/stopwords.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *en_words[] = {
    /* Snowball english.stop */
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself",
    "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which",
    "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be",
    "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "would",
    "should", "could", "ought", "i'm", "you're", "he's", "she's", "it's", "we're", "they're",
    "i've", "you've", "we've", "they've", "i'd", "you'd", "he'd", "she'd", "we'd", "they'd",
    "i'll", "you'll", "he'll", "she'll", "we'll", "they'll", "isn't", "aren't", "wasn't",
    "weren't", "hasn't", "haven't", "hadn't", "doesn't", "don't", "didn't", "won't",
    "wouldn't", "shan't", "shouldn't", "can't", "cannot", "couldn't", "mustn't", "let's",
    "that's", "who's", "what's", "here's", "there's", "when's", "where's", "why's", "how's",
    "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at",
    "by", "for", "with", "about", "against", "between", "into", "through", "during",
    "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off",
    "over", "under", "again", "further", "then", "once", "here", "there", "when", "where",
    "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some",
    "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very",
    /* Project additions: modals and spoken fillers common in transcripts. */
    "can", "will", "just", "also", "um", "uh", "uhm", "er", "ah", "oh", "yeah", "okay", "ok",
    "s", "t",
};

static const char *fr_words[] = {
    "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux",
    "il", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "même", "mes", "moi",
    "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui",
    "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une",
    "vos", "votre", "vous", "c", "d", "j", "l", "à", "m", "n", "s", "t", "y", "été", "étais",
    "était", "suis", "es", "est", "sommes", "êtes", "sont", "ai", "as", "avons", "avez",
    "ont", "ceci", "cela", "ça", "cet", "cette", "ici", "ils", "elles", "c'est", "j'ai",
};

static const char *de_words[] = {
    "aber", "alle", "als", "also", "am", "an", "auch", "auf", "aus", "bei", "bin", "bis",
    "bist", "da", "damit", "dann", "das", "dass", "dein", "dem", "den", "der", "des", "dich",
    "die", "dir", "doch", "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines",
    "er", "es", "euch", "für", "hat", "hatte", "hier", "ich", "ihm", "ihn", "ihr", "ihre",
    "im", "in", "ist", "ja", "kann", "kein", "keine", "man", "mein", "mich", "mir", "mit",
    "nach", "nicht", "noch", "nun", "nur", "ob", "oder", "ohne", "sehr", "sein", "sich",
    "sie", "sind", "so", "und", "uns", "unser", "unter", "vom", "von", "vor", "war", "waren",
    "was", "weil", "wenn", "wer", "wie", "wir", "wird", "wo", "zu", "zum", "zur",
};

static const char *es_words[] = {
    "de", "la", "que", "el", "en", "y", "a", "los", "del", "se", "las", "por", "un", "para",
    "con", "no", "una", "su", "al", "lo", "como", "más", "pero", "sus", "le", "ya", "o",
    "este", "sí", "porque", "esta", "entre", "cuando", "muy", "sin", "sobre", "también",
    "me", "hasta", "hay", "donde", "quien", "desde", "todo", "nos", "durante", "todos",
    "uno", "les", "ni", "contra", "otros", "ese", "eso", "ante", "ellos", "e", "esto", "mí",
    "antes", "algunos", "qué", "unos", "yo", "otro", "otras", "otra", "él", "tanto", "esa",
    "estos", "mucho", "quienes", "nada", "muchos", "cual", "poco", "ella", "estar", "es",
    "son", "fue", "era", "ha", "han", "he", "tu", "te", "mi", "tú", "usted", "nosotros",
};

struct list {
    const char *lang;
    const char **words;
    size_t n;
    const char **sorted; /* filled once by init_lists */
};

static struct list lists[] = {
    {"en", en_words, sizeof en_words / sizeof *en_words, NULL},
    {"fr", fr_words, sizeof fr_words / sizeof *fr_words, NULL},
    {"de", de_words, sizeof de_words / sizeof *de_words, NULL},
    {"es", es_words, sizeof es_words / sizeof *es_words, NULL},
};

static pthread_once_t once = PTHREAD_ONCE_INIT;

static int cmp_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorting a private copy lets the source lists stay in their readable
 * (published) order while lookups use bsearch. A failed allocation leaves
 * sorted NULL and the lookup falls back to a linear scan. */
static void init_lists(void)
{
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        const char **s = malloc(lists[i].n * sizeof *s);
        if (!s)
            continue;
        memcpy(s, lists[i].words, lists[i].n * sizeof *s);
        qsort(s, lists[i].n, sizeof *s, cmp_ptr);
        lists[i].sorted = s;
    }
}

static const struct list *find_list(const char *lang)
{
    if (!lang || !*lang)
        lang = "en";
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        if (strcmp(lists[i].lang, lang) == 0)
            return &lists[i];
    return NULL;
}

int rb_stopwords_has_lang(const char *lang)
{
    return find_list(lang) != NULL;
}

int rb_stopwords_is_stop(const char *lang, const char *word, size_t len)
{
    const struct list *l = find_list(lang);
    char key[64];
    if (!l || !word || len == 0 || len >= sizeof key)
        return 0;
    pthread_once(&once, init_lists);
    memcpy(key, word, len);
    key[len] = '\0';
    if (l->sorted) {
        const char *k = key;
        return bsearch(&k, l->sorted, l->n, sizeof *l->sorted, cmp_ptr) != NULL;
    }
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->words[i], key) == 0)
            return 1;
    return 0;
}
