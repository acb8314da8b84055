#include "common/canon.h"

#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/err.h"

char *rb_json_canonical(const json_t *v)
{
    if (!v)
        return NULL;
    /* jansson's own encoder does all the work: JSON_SORT_KEYS sorts by the
     * raw key bytes (memcmp, then length), JSON_COMPACT drops every space,
     * JSON_ENCODE_ANY lets scalars through. Re-implementing the escaping here
     * would only risk disagreeing with the text jansson stores elsewhere. */
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

int rb_json_canonical_sha256(const json_t *v, char out[65])
{
    char *text = rb_json_canonical(v);
    if (!text) {
        out[0] = '\0';
        return RB_ERR;
    }
    rb_sha256_hex(text, strlen(text), out);
    free(text);
    return RB_OK;
}
