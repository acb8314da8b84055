/* profanity_lexicon.c — the built-in English profanity list (data only).
 *
 * Written for this project by the robots team and released under CC0-1.0,
 * like the rest of the list's documentation in docs/profanity.md. It is not
 * copied from any published list. Each entry is a base term, its severity,
 * the inflection rules that apply to it (profanity.c spells them out) and the
 * irregular forms and compounds no rule produces.
 *
 * Deliberately absent because their ordinary meanings dominate in captions:
 * hell, god, jesus, christ, screw, suck, sod, hoe, queer, homo, cracker, cum,
 * balls. Users add them with always_censor when they want them. */
#include "ai/profanity.h"

#define S RB_PF_S
#define ED RB_PF_ED
#define ING RB_PF_ING
#define ER RB_PF_ER
#define Y RB_PF_Y
#define DBL RB_PF_DOUBLE

#define MILD RB_PROFANITY_MILD
#define MOD RB_PROFANITY_MODERATE
#define STRONG RB_PROFANITY_STRONG
#define SLUR RB_PROFANITY_SLUR

const rb_profanity_entry rb_profanity_lexicon[] = {
    /* Strong. */
    { "fuck", STRONG, S | ED | ING | ER | Y,
      "fuckface fuckfaces fuckhead fuckheads fuckwit fuckwits fuckup fuckups fuckery "
      "fuckall fuckboy fuckboys fucktard fucktards wtf stfu gtfo effing" },
    { "motherfucker", STRONG, S,
      "motherfucking motherfuckin motherfucka motherfuckas muthafucka muthafuckas mofo mofos" },
    { "shit", STRONG, S | ING | ER | Y | DBL,
      "shat shite shitless shitload shitloads shitfaced shitstorm shitstorms shitshow "
      "shitshows shitbag shitbags apeshit batshit chickenshit" },
    { "bullshit", STRONG, S | ED | ING | ER | DBL, NULL },
    { "horseshit", STRONG, 0, NULL },
    { "dipshit", STRONG, S, NULL },
    { "shithead", STRONG, S, NULL },
    { "shithole", STRONG, S, NULL },
    { "cunt", STRONG, S | Y, NULL },
    { "cocksucker", STRONG, S, "cocksucking" },
    { "twat", STRONG, S, NULL },
    { "wanker", STRONG, S, "wank wanks wanked wanking" },
    { "bollocks", STRONG, 0, "bollock" },
    { "asshole", STRONG, S, NULL },
    { "arsehole", STRONG, S, NULL },
    { "goddamn", STRONG, ED, "goddamnit goddammit goddam godamn" },
    { "blowjob", STRONG, S, NULL },
    { "handjob", STRONG, S, NULL },
    { "rimjob", STRONG, S, NULL },
    { "jizz", STRONG, ED | ING, "jizzes" },
    { "dildo", STRONG, S, NULL },
    { "feck", MOD, S | ED | ING | ER, NULL },

    /* Moderate. */
    { "bitch", MOD, S | ED | ING | Y, "sonofabitch bitchass" },
    { "bastard", MOD, S, NULL },
    { "dick", MOD, S, "dickish" },
    { "dickhead", MOD, S, NULL },
    { "cock", MOD, S, "cockhead cockheads" },
    { "prick", MOD, S, NULL },
    { "pussy", MOD, S, NULL },
    { "slut", MOD, S | Y | DBL, NULL },
    { "whore", MOD, S, "whorish" },
    { "skank", MOD, S | Y, NULL },
    { "slag", MOD, S, NULL },
    { "piss", MOD, S | ED | ING | ER, "pisshead pissheads" },
    { "ass", MOD, S, "asshat asshats asswipe asswipes assclown assclowns badass smartass kickass fatass" },
    { "jackass", MOD, S, NULL },
    { "dumbass", MOD, S, NULL },
    { "arse", MOD, S, "arsed" },
    { "tit", MOD, S, "titty titties" },
    { "douche", MOD, S, "douchebag douchebags douchey" },
    { "scumbag", MOD, S, NULL },
    { "bellend", MOD, S, NULL },
    { "tosser", MOD, S, NULL },
    { "ballsack", MOD, S, "nutsack nutsacks" },
    { "clit", MOD, S, NULL },
    { "turd", MOD, S, NULL },
    { "boner", MOD, S, NULL },
    { "jerkoff", MOD, S, NULL },

    /* Mild. */
    { "damn", MILD, S | ED | ING, "dammit damnit damnation" },
    { "crap", MILD, S | ED | ING | Y | DBL, NULL },
    { "bloody", MILD, 0, NULL },
    { "bugger", MILD, S | ED | ING, NULL },
    { "butthole", MILD, S, NULL },
    { "frigging", MILD, 0, "friggin frickin" },

    /* Slurs against a group of people. */
    { "nigger", SLUR, S, NULL },
    { "nigga", SLUR, S, "niggaz" },
    { "faggot", SLUR, S, NULL },
    { "fag", SLUR, S, NULL },
    { "dyke", SLUR, S, NULL },
    { "tranny", SLUR, S, NULL },
    { "shemale", SLUR, S, NULL },
    { "retard", SLUR, S | ED, NULL },
    { "spastic", SLUR, S, NULL },
    { "spaz", SLUR, 0, "spazzes" },
    { "chink", SLUR, S, NULL },
    { "gook", SLUR, S, NULL },
    { "kike", SLUR, S, NULL },
    { "spic", SLUR, S, "spick spicks" },
    { "wetback", SLUR, S, NULL },
    { "coon", SLUR, S, NULL },
    { "paki", SLUR, S, NULL },
    { "raghead", SLUR, S, NULL },
    { "towelhead", SLUR, S, NULL },
    { "beaner", SLUR, S, NULL },
    { "wop", SLUR, S, NULL },
    { "dago", SLUR, 0, "dagos dagoes" },
    { "honky", SLUR, S, NULL },
    { "redskin", SLUR, S, NULL },
    { "poofter", SLUR, S, "poof poofs" },
};

const size_t rb_profanity_lexicon_len = sizeof rb_profanity_lexicon / sizeof rb_profanity_lexicon[0];
