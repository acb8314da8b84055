/* langname.h — the display name Mux gives a track when the client names only
 * its language ("en" → "English"), for the common codes. */
#ifndef RB_LANGNAME_H
#define RB_LANGNAME_H

/* English name of a BCP 47 tag's primary language subtag ("en-US" → "English"),
 * or NULL when the code is not in the table (callers then use the code). */
const char *rb_langname(const char *code);

#endif
