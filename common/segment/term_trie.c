/* term_trie.c -- the terms' radix trie both ways.
 *
 * SEC_TERM_TRIE: the trie's nodes, each after every node below it (the
 * writer finishes a node when the sorted terms leave it), then the root's
 * offset in the section as a u64. A node:
 *   varint r, then r bytes: the label of the edge into it after its first
 *     byte, which the parent holds (0 for the root)
 *   varint (number of children n << 1) | 1 when a term ends at the node
 *   varint df of that term (only when one ends there)
 *   when n > 0: u8 w (1..8), n bytes: the children's first label bytes in
 *     ascending order, n bytes: the most bytes of a term below each child,
 *     n bytes: the most bytes below 0x80 of a term below each child, n
 *     offsets of w bytes each (little-endian, in the section, each below
 *     the node's own)
 * A node with one child where no term ends is folded into its edge, so a
 * label runs from one branch or term end to the next. The first bytes and
 * the two counts sit together so that a walk can rule children out
 * without reading them: a term shorter than the word by more than the
 * distance cannot match, nor can one with fewer code points below 0x80
 * than the word less the distance (each edit loses at most one of the
 * word's code points), which keeps a walk for a Latin word out of the
 * subtrees of other scripts. The fixed-width offsets reach any child
 * directly.
 */
#include "term_trie.h"

#include <string.h>

#include "error.h"

/* ------------------------------------------------------------- writing */

/* A child waiting in its parent's frame: u8 first byte, u8 longest, u8
 * most ASCII, u32 rest length, u32 body length, then rest and body. */
#define KID_COUNTS 3
#define KID_REST (KID_COUNTS)
#define KID_BODY (KID_REST + 4)
#define KID_HEAD (KID_BODY + 4)

static bool add_kid(struct trie_frame *f, uint8_t first, uint8_t longest, uint8_t ascii, const uint8_t *rest,
                    size_t rest_len, const uint8_t *rest2, size_t rest2_len, const uint8_t *body,
                    size_t body_len)
{
    uint8_t head[KID_HEAD];
    head[0] = first;
    head[1] = longest;
    head[2] = ascii;
    wr_u32(head + KID_REST, (uint32_t)(rest_len + rest2_len));
    wr_u32(head + KID_BODY, (uint32_t)body_len);
    if (longest > f->longest) f->longest = longest;
    if (ascii > f->ascii) f->ascii = ascii;
    f->nchildren++;
    return buf_append(&f->kids, head, sizeof head) && buf_append(&f->kids, rest, rest_len) &&
           buf_append(&f->kids, rest2, rest2_len) && buf_append(&f->kids, body, body_len);
}

/* Write f's children to out, then f's body (what follows its label) into
 * w->body: it waits in the frame above until its label is known. */
static bool write_kids(struct trie_writer *w, struct trie_frame *f)
{
    struct buf *o = &w->out, *b = &w->body;
    w->offs.len = 0;
    b->len = 0;
    uint64_t max = 0;
    for (size_t i = 0; i < f->kids.len;) {
        const uint8_t *k = f->kids.data + i;
        uint32_t rl = rd_u32(k + KID_REST), bl = rd_u32(k + KID_BODY);
        uint64_t at = o->len;
        if (!buf_u64(&w->offs, at) || !buf_varint(o, rl) || !buf_append(o, k + KID_HEAD, rl) ||
            !buf_append(o, k + KID_HEAD + rl, bl))
            return false;
        max = at;
        i += KID_HEAD + rl + bl;
    }
    if (!buf_varint(b, (uint64_t)f->nchildren << 1 | f->terminal)) return false;
    if (f->terminal && !buf_varint(b, f->df)) return false;
    if (!f->nchildren) return true;
    uint8_t width = 1;
    while (width < 8 && max >> (8 * width)) width++;
    if (!buf_append(b, &width, 1)) return false;
    for (int field = 0; field < KID_COUNTS; field++) {   /* the first bytes, then the two counts */
        for (size_t i = 0; i < f->kids.len;) {
            const uint8_t *k = f->kids.data + i;
            if (!buf_append(b, k + field, 1)) return false;
            i += KID_HEAD + rd_u32(k + KID_REST) + rd_u32(k + KID_BODY);
        }
    }
    for (uint32_t i = 0; i < f->nchildren; i++) {
        uint8_t le[8];
        wr_u64(le, rd_u64(w->offs.data + 8 * (size_t)i));
        if (!buf_append(b, le, width)) return false;
    }
    return true;
}

static void reset_frame(struct trie_frame *f)
{
    f->longest = f->ascii = 0;
    f->kids.len = 0;
    f->nchildren = 0;
    f->terminal = false;
}

/* Finish the node of the last term's first k (>= 1) bytes and hand it to
 * the node above: written out when it branches or ends a term, else
 * folded into the one edge below it. */
static bool close_frame(struct trie_writer *w, size_t k)
{
    struct trie_frame *f = &w->frames[k], *up = &w->frames[k - 1];
    uint8_t first = (uint8_t)w->prev[k - 1];
    bool ok;
    if (!f->terminal && f->nchildren == 1) {
        const uint8_t *kid = f->kids.data;
        uint32_t rl = rd_u32(kid + KID_REST), bl = rd_u32(kid + KID_BODY);
        ok = add_kid(up, first, kid[1], kid[2], kid, 1, kid + KID_HEAD, rl, kid + KID_HEAD + rl, bl);
    } else {
        ok = write_kids(w, f) &&
             add_kid(up, first, f->longest, f->ascii, NULL, 0, NULL, 0, w->body.data, w->body.len);
    }
    reset_frame(f);
    return ok;
}

bool trie_writer_add(struct trie_writer *w, const char *term, size_t len, uint32_t df)
{
    if (len > TERM_MAX) return true;   /* the dictionary refuses it first */
    size_t l = 0;
    while (l < len && l < w->prev_len && term[l] == w->prev[l]) l++;
    for (size_t k = w->prev_len; k > l; k--)
        if (!close_frame(w, k)) return false;
    for (size_t k = l + 1; k <= len; k++) reset_frame(&w->frames[k]);
    w->frames[len].terminal = true;
    w->frames[len].df = df;
    w->frames[len].longest = (uint8_t)len;
    uint8_t ascii = 0;
    for (size_t i = 0; i < len; i++) ascii += (unsigned char)term[i] < 0x80;
    w->frames[len].ascii = ascii;
    memcpy(w->prev, term, len);
    w->prev_len = len;
    return true;
}

bool trie_writer_finish(struct trie_writer *w)
{
    if (w->finished) return true;
    for (size_t k = w->prev_len; k > 0; k--)
        if (!close_frame(w, k)) return false;
    w->prev_len = 0;
    if (!write_kids(w, &w->frames[0])) return false;
    uint64_t root = w->out.len;
    if (!buf_varint(&w->out, 0) || !buf_append(&w->out, w->body.data, w->body.len) ||
        !buf_u64(&w->out, root))
        return false;
    w->finished = true;
    return true;
}

void trie_writer_free(struct trie_writer *w)
{
    buf_free(&w->out);
    buf_free(&w->body);
    buf_free(&w->offs);
    for (size_t k = 0; k <= TERM_MAX; k++) buf_free(&w->frames[k].kids);
}

/* ------------------------------------------------------------- reading */

bool trie_open_bytes(const uint8_t *p, uint64_t n, struct term_trie *t)
{
    if (n < 9) return false;
    t->p = p;
    t->len = n - 8;
    t->root = rd_u64(p + n - 8);
    return t->root < t->len;
}

sift_err trie_open(const struct segment *s, struct term_trie *t, sift_errmsg *err)
{
    uint64_t n = segfile_section_len(&s->file, SEC_TERM_TRIE);
    sift_err rc = SIFT_OK;
    const uint8_t *p = n >= 9 ? segfile_get(&s->file, SEC_TERM_TRIE, 0, n, &rc, err) : NULL;
    if (rc) return rc;
    if (!p || !trie_open_bytes(p, n, t))
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: term trie: truncated, or its root out of range", s->file.path);
    return SIFT_OK;
}

bool trie_node_read(const struct term_trie *t, uint64_t off, struct trie_node *n)
{
    if (off >= t->len) return false;
    struct cursor c = cursor_make(t->p + off, (size_t)(t->len - off));
    n->off = off;
    n->rest_len = (size_t)cur_varint(&c);
    if (n->rest_len > TERM_MAX) return false;
    n->rest = cur_take(&c, n->rest_len);
    uint64_t head = cur_varint(&c), kids = head >> 1;
    n->terminal = head & 1;
    uint64_t df = n->terminal ? cur_varint(&c) : 0;
    n->df = (uint32_t)df;
    n->nchildren = (uint32_t)kids;
    if (c.bad || kids > 256 || df > UINT32_MAX || n->terminal != (df > 0)) return false;   /* one child per first byte at most */
    if (!kids) return true;
    const uint8_t *w = cur_take(&c, 1);
    if (!w || *w < 1 || *w > 8) return false;
    n->width = *w;
    n->first = cur_take(&c, kids * (3 + n->width));   /* the first bytes, the two counts, the offsets */
    if (!n->first) return false;
    n->longest = n->first + kids;
    n->ascii = n->longest + kids;
    n->offs = n->ascii + kids;
    return true;
}

/* ---------------------------------------------------------- full walk */

struct scan {
    const struct term_trie *t;
    uint64_t budget;               /* nodes left: a corrupt trie may share them */
    trie_fn fn;
    void *ctx;
    char path[TERM_MAX + 1];
    bool stop;
};

static size_t ascii_bytes(const char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += (unsigned char)p[i] < 0x80;
    return k;
}

/* The node at off, whose first label byte is path[plen - 1] (none for the
 * root, plen 0); *longest and *ascii the most bytes and bytes below 0x80
 * of a term at or below it. */
static bool scan_node(struct scan *s, uint64_t off, size_t plen, size_t *longest, size_t *ascii)
{
    struct trie_node n;
    if (!s->budget-- || !trie_node_read(s->t, off, &n) || plen + n.rest_len > TERM_MAX) return false;
    memcpy(s->path + plen, n.rest, n.rest_len);
    plen += n.rest_len;
    *longest = n.terminal ? plen : 0;
    *ascii = n.terminal ? ascii_bytes(s->path, plen) : 0;
    if (n.terminal && s->fn(s->ctx, s->path, plen, n.df)) {
        s->stop = true;
        return true;
    }
    if (plen == TERM_MAX && n.nchildren) return false;
    for (uint32_t i = 0; i < n.nchildren && !s->stop; i++) {
        uint64_t child = trie_child(&n, i);
        size_t below = 0, below_ascii = 0;
        if (child == UINT64_MAX || (i && n.first[i] <= n.first[i - 1])) return false;
        s->path[plen] = (char)n.first[i];
        if (!scan_node(s, child, plen + 1, &below, &below_ascii) ||
            (!s->stop && (below != n.longest[i] || below_ascii != n.ascii[i])))
            return false;
        if (below > *longest) *longest = below;
        if (below_ascii > *ascii) *ascii = below_ascii;
    }
    return n.terminal || n.nchildren > 1 || off == s->t->root || s->stop;   /* else it was folded */
}

bool trie_scan(const struct term_trie *t, trie_fn fn, void *ctx)
{
    struct scan s = { t, t->len, fn, ctx, { 0 }, false };
    size_t longest, ascii;
    return scan_node(&s, t->root, 0, &longest, &ascii);
}
