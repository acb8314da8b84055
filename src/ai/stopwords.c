/* stopwords.c — stop-word lists (see stopwords.h and docs/transcript.md).
 *
 * The English, French, German and Spanish lists are the Snowball project's
 * stop-word lists (snowballstem.org, BSD licence). They were first written
 * out from memory, abridged; the words each list lacked were then added from
 * the published lists as PostgreSQL 15 ships them
 * (/usr/share/postgresql/15/tsearch_data/{english,french,german,spanish}.stop,
 * the Snowball files unchanged), so every Snowball stop word is here: the
 * abridged French, German and Spanish lists had left question words such as
 * "über", "gegen", "ins" or "tienen" to count as topics.
 * The English list adds a few spoken fillers and modal words that the
 * Snowball list leaves out but that carry no topic in a transcript, and
 * keeps one Snowball word out: "now", which the key-moment scorer was
 * written and tested to read as a content word (its "now ... last year"
 * contrasts); nothing measured says which is better. */
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
    /* Completed against the Snowball list (see the top of this file). */
    "don",
};

static const char *fr_words[] = {
    "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux",
    "il", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "même", "mes", "moi",
    "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui",
    "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une",
    "vos", "votre", "vous", "c", "d", "j", "l", "à", "m", "n", "s", "t", "y", "été", "étais",
    "était", "suis", "es", "est", "sommes", "êtes", "sont", "ai", "as", "avons", "avez",
    "ont", "ceci", "cela", "ça", "cet", "cette", "ici", "ils", "elles", "c'est", "j'ai",
    /* Completed against the Snowball list (see the top of this file). */
    "étée", "étées", "étés", "étant", "étante", "étants", "étantes", "serai", "seras", "sera",
    "serons", "serez", "seront", "serais", "serait", "serions", "seriez", "seraient", "étions",
    "étiez", "étaient", "fus", "fut", "fûmes", "fûtes", "furent", "sois", "soit", "soyons",
    "soyez", "soient", "fusse", "fusses", "fût", "fussions", "fussiez", "fussent", "ayant",
    "ayante", "ayantes", "ayants", "eu", "eue", "eues", "eus", "aurai", "auras", "aura",
    "aurons", "aurez", "auront", "aurais", "aurait", "aurions", "auriez", "auraient", "avais",
    "avait", "avions", "aviez", "avaient", "eut", "eûmes", "eûtes", "eurent", "aie", "aies",
    "ait", "ayons", "ayez", "aient", "eusse", "eusses", "eût", "eussions", "eussiez", "eussent",
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
    /* Completed against the Snowball list (see the top of this file). */
    "allem", "allen", "aller", "alles", "ander", "andere", "anderem", "anderen", "anderer",
    "anderes", "anderm", "andern", "anderr", "anders", "daß", "derselbe", "derselben",
    "denselben", "desselben", "demselben", "dieselbe", "dieselben", "dasselbe", "dazu", "deine",
    "deinem", "deinen", "deiner", "deines", "denn", "derer", "dessen", "dies", "diese",
    "diesem", "diesen", "dieser", "dieses", "dort", "einig", "einige", "einigem", "einigen",
    "einiger", "einiges", "einmal", "etwas", "euer", "eure", "eurem", "euren", "eurer", "eures",
    "gegen", "gewesen", "hab", "habe", "haben", "hatten", "hin", "hinter", "ihrem", "ihren",
    "ihrer", "ihres", "indem", "ins", "jede", "jedem", "jeden", "jeder", "jedes", "jene",
    "jenem", "jenen", "jener", "jenes", "jetzt", "keinem", "keinen", "keiner", "keines",
    "können", "könnte", "machen", "manche", "manchem", "manchen", "mancher", "manches", "meine",
    "meinem", "meinen", "meiner", "meines", "muss", "musste", "nichts", "seine", "seinem",
    "seinen", "seiner", "seines", "selbst", "ihnen", "solche", "solchem", "solchen", "solcher",
    "solches", "soll", "sollte", "sondern", "sonst", "über", "um", "unse", "unsem", "unsen",
    "unses", "viel", "während", "warst", "weg", "weiter", "welche", "welchem", "welchen",
    "welcher", "welches", "werde", "werden", "wieder", "will", "wirst", "wollen", "wollte",
    "würde", "würden", "zwar", "zwischen",
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
    /* Completed against the Snowball list (see the top of this file). */
    "estas", "algunas", "algo", "mis", "ti", "tus", "ellas", "nosotras", "vosostros",
    "vosostras", "os", "mío", "mía", "míos", "mías", "tuyo", "tuya", "tuyos", "tuyas", "suyo",
    "suya", "suyos", "suyas", "nuestro", "nuestra", "nuestros", "nuestras", "vuestro",
    "vuestra", "vuestros", "vuestras", "esos", "esas", "estoy", "estás", "está", "estamos",
    "estáis", "están", "esté", "estés", "estemos", "estéis", "estén", "estaré", "estarás",
    "estará", "estaremos", "estaréis", "estarán", "estaría", "estarías", "estaríamos",
    "estaríais", "estarían", "estaba", "estabas", "estábamos", "estabais", "estaban", "estuve",
    "estuviste", "estuvo", "estuvimos", "estuvisteis", "estuvieron", "estuviera", "estuvieras",
    "estuviéramos", "estuvierais", "estuvieran", "estuviese", "estuvieses", "estuviésemos",
    "estuvieseis", "estuviesen", "estando", "estado", "estada", "estados", "estadas", "estad",
    "has", "hemos", "habéis", "haya", "hayas", "hayamos", "hayáis", "hayan", "habré", "habrás",
    "habrá", "habremos", "habréis", "habrán", "habría", "habrías", "habríamos", "habríais",
    "habrían", "había", "habías", "habíamos", "habíais", "habían", "hube", "hubiste", "hubo",
    "hubimos", "hubisteis", "hubieron", "hubiera", "hubieras", "hubiéramos", "hubierais",
    "hubieran", "hubiese", "hubieses", "hubiésemos", "hubieseis", "hubiesen", "habiendo",
    "habido", "habida", "habidos", "habidas", "soy", "eres", "somos", "sois", "sea", "seas",
    "seamos", "seáis", "sean", "seré", "serás", "será", "seremos", "seréis", "serán", "sería",
    "serías", "seríamos", "seríais", "serían", "eras", "éramos", "erais", "eran", "fui",
    "fuiste", "fuimos", "fuisteis", "fueron", "fuera", "fueras", "fuéramos", "fuerais",
    "fueran", "fuese", "fueses", "fuésemos", "fueseis", "fuesen", "sintiendo", "sentido",
    "sentida", "sentidos", "sentidas", "siente", "sentid", "tengo", "tienes", "tiene",
    "tenemos", "tenéis", "tienen", "tenga", "tengas", "tengamos", "tengáis", "tengan", "tendré",
    "tendrás", "tendrá", "tendremos", "tendréis", "tendrán", "tendría", "tendrías",
    "tendríamos", "tendríais", "tendrían", "tenía", "tenías", "teníamos", "teníais", "tenían",
    "tuve", "tuviste", "tuvo", "tuvimos", "tuvisteis", "tuvieron", "tuviera", "tuvieras",
    "tuviéramos", "tuvierais", "tuvieran", "tuviese", "tuvieses", "tuviésemos", "tuvieseis",
    "tuviesen", "teniendo", "tenido", "tenida", "tenidos", "tenidas", "tened",
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
