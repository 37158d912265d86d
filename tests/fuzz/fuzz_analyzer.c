/* fuzz_analyzer.c -- libFuzzer target: the analyzer on arbitrary bytes.
 * Terms are non-empty and bounded, positions count up by one, offsets
 * stay inside the text and never split a term's source range backwards. */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

struct check {
    size_t len;
    uint32_t next;
};

static int on_token(void *ctx, const struct token *t)
{
    struct check *c = ctx;
    if (!t->len || t->len > 2 * ANALYZER_MAX_TERM || t->pos != c->next) abort();
    if (t->start > t->end || t->end > c->len) abort();
    c->next++;
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static struct analyzer *an[3];
    static const char *langs[3] = { "english", "none", "russian" };
    if (!an[0])
        for (int i = 0; i < 3; i++) an[i] = analyzer_new(langs[i]);
    if (!size) return 0;
    struct analyzer *a = an[data[0] % 3];
    if (data[0] & 4) analyzer_set_stemming(a, 0);
    struct check c = { size - 1, 0 };
    uint32_t next;
    analyzer_run(a, (const char *)data + 1, size - 1, 0, on_token, &c, &next);
    analyzer_set_stemming(a, 1);
    if (next != c.next) abort();
    return 0;
}
