/* count.c -- counting without iterating where the shape allows.
 *
 * A root of optional plain words (and excluded plain words) is counted by
 * OR-ing whole postings blocks into a bitmap of the segment, instead of
 * merging the lists document by document: what Lucene's BooleanScorer does
 * for disjunctions. Deleted documents and exclusions are cleared, then the
 * bits are counted. */
#include "count.h"

#include <stdlib.h>

#include "iter.h"

static sift_err mark(struct qit *k, uint64_t *bits, bool set)
{
    struct postings *p = &k->post[0];
    for (uint32_t d = postings_first(p); d != DOC_END; d = postings_next_block(p))
        for (uint32_t i = 0; i < p->n; i++) {
            uint64_t m = (uint64_t)1 << (p->docs[i] & 63);
            if (set) bits[p->docs[i] >> 6] |= m;
            else bits[p->docs[i] >> 6] &= ~m;
        }
    return p->rc;
}

/* The plain word whose documents are exactly the root's matches, or NULL:
 * the root itself, or a group's only required clause when nothing is
 * excluded (optional clauses next to it only score). */
static struct qit *single_word(struct qit *root)
{
    if (qit_plain_word(root)) return root;
    if (root->node->kind != QK_BOOL || root->nmust != 1) return NULL;
    for (size_t i = 0; i < root->nkids; i++)
        if (root->occurs[i] == OCCUR_NOT) return NULL;
    return qit_plain_word(root->kids[0]) ? root->kids[0] : NULL;   /* MUST kids come first */
}

sift_err qit_count_fast(struct qit *root, const struct segment *seg, uint64_t *out, bool *done)
{
    *done = false;
    struct qit *word = single_word(root);
    if (word && !seg->delbits) {   /* Lucene's count shortcut: the document frequency */
        *out = word->post[0].ti.df;
        *done = true;
        return SIFT_OK;
    }
    if (root->node->kind != QK_BOOL || root->nmust || root->nkids < 2) return SIFT_OK;
    for (size_t i = 0; i < root->nkids; i++)
        if (!qit_plain_word(root->kids[i])) return SIFT_OK;
    size_t words = ((size_t)seg->doc_count + 63) / 64;
    uint64_t *bits = calloc(words ? words : 1, sizeof *bits);
    if (!bits) return SIFT_OK;   /* fall back to merging */
    sift_err rc = SIFT_OK;
    for (int pass = 0; pass < 2 && !rc; pass++)   /* optional words, then exclusions */
        for (size_t i = 0; i < root->nkids && !rc; i++)
            if ((root->occurs[i] == OCCUR_NOT) == (pass == 1))
                rc = mark(root->kids[i], bits, pass == 0);
    uint64_t n = 0;
    for (size_t w = 0; w < words; w++) {
        uint64_t v = bits[w];
        if (seg->delbits)
            for (unsigned b = 0; b < 8 && w * 8 + b < ((size_t)seg->doc_count + 7) / 8; b++)
                v &= ~((uint64_t)seg->delbits[w * 8 + b] << (8 * b));
        n += (uint64_t)__builtin_popcountll(v);
    }
    free(bits);
    if (!rc) {
        *out = n;
        *done = true;
    }
    return rc;
}
