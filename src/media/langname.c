#include "media/langname.h"

#include <string.h>
#include <strings.h>

/* The languages of Mux's auto-generated subtitles plus the most common others;
 * anything else keeps its code as its name, which is what a client that never
 * sends a name would see for an unusual language on Mux as well. */
static const struct {
    const char *code;
    const char *name;
} names[] = {
    {"ar", "Arabic"},           {"bg", "Bulgarian"},  {"ca", "Catalan"},   {"cs", "Czech"},
    {"da", "Danish"},           {"de", "German"},     {"el", "Greek"},     {"en", "English"},
    {"es", "Spanish"},          {"et", "Estonian"},   {"fa", "Persian"},   {"fi", "Finnish"},
    {"fr", "French"},           {"he", "Hebrew"},     {"hi", "Hindi"},     {"hr", "Croatian"},
    {"hu", "Hungarian"},        {"id", "Indonesian"}, {"it", "Italian"},   {"ja", "Japanese"},
    {"ko", "Korean"},           {"lt", "Lithuanian"}, {"lv", "Latvian"},   {"ms", "Malay"},
    {"nb", "Norwegian Bokmål"}, {"nl", "Dutch"},      {"no", "Norwegian"}, {"pl", "Polish"},
    {"pt", "Portuguese"},       {"ro", "Romanian"},   {"ru", "Russian"},   {"sk", "Slovak"},
    {"sl", "Slovenian"},        {"sr", "Serbian"},    {"sv", "Swedish"},   {"th", "Thai"},
    {"tl", "Tagalog"},          {"tr", "Turkish"},    {"uk", "Ukrainian"}, {"ur", "Urdu"},
    {"vi", "Vietnamese"},       {"zh", "Chinese"},
};

const char *rb_langname(const char *code)
{
    if (!code)
        return NULL;
    size_t n = strcspn(code, "-_");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].code) == n && strncasecmp(names[i].code, code, n) == 0)
            return names[i].name;
    }
    return NULL;
}
