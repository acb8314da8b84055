/* prompt.h — building chat messages that keep untrusted text in its place.
 *
 * A transcript is data, never orders. It goes into the user message inside a
 * <transcript> ... </transcript> section, and the system message says that
 * anything inside the section is material to analyse, not instructions.
 * Escaping makes the boundary hold: '&', '<' and '>' in the data become
 * &amp; &lt; &gt;, and Unicode look-alikes of the angle brackets (fullwidth,
 * small, single guillemets, mathematical and CJK angle brackets) become
 * numeric references, so no byte sequence in the data can read as a closing
 * tag. Invalid UTF-8 bytes and control characters other than tab and newline
 * are replaced with U+FFFD so the section stays valid JSON-encodable text. */
#ifndef RB_PROMPT_H
#define RB_PROMPT_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

#define RB_PROMPT_TAG "transcript"

/* Appends `len` bytes of `text` to `out`, escaped as described above. */
int rb_prompt_escape(rb_buf *out, const char *text, size_t len);

/* The system message: `instructions` (the workflow's task) followed by the
 * rule about the delimited section. Caller frees *out. */
int rb_prompt_system(const char *instructions, char **out, rb_err *err);

/* The user message: `request` (may be NULL or empty), then the section
 * "<transcript>\n<escaped text>\n</transcript>". Caller frees *out. At most
 * `max` bytes (RB_TOOBIG past it, so a huge transcript fails clearly). */
int rb_prompt_user(const char *request, const char *transcript, size_t transcript_len,
                   size_t max, char **out, rb_err *err);

#endif
