/* term_trie.h -- the text terms of a segment as a radix trie (SEC_TERM_TRIE;
 * layout in term_trie.c), so that a walk bounded by an edit automaton
 * (fuzzy terms) steps each live prefix once and moves to the next sibling
 * without decoding the terms in between, as a walk of the sorted
 * dictionary must. It names terms and their document counts only; what
 * reads their postings looks them up in the dictionary (dict.h).
 *
 * The trie holds the terms of title and text (the dictionary's terms that
 * do not start with a typed field's marker, schema.h), in byte order. */
#ifndef SIFT_TERM_TRIE_H
#define SIFT_TERM_TRIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"
#include "segment.h"

/* ------------------------------------------------------------- writing */

struct trie_frame {                /* an open node on the path of the last term */
    struct buf kids;               /* its children, not yet written (term_trie.c) */
    uint32_t nchildren;
    uint8_t longest;               /* the most bytes of a term at or below it */
    uint8_t ascii;                 /* the most bytes below 0x80 of a term at or below it */
    bool terminal;
    uint32_t df;
};

struct trie_writer {
    struct buf out;                /* SEC_TERM_TRIE as it grows */
    struct buf body, offs;         /* scratch for the node being finished */
    struct trie_frame frames[TERM_MAX + 1];   /* frame k: the node of the last term's first k bytes */
    char prev[TERM_MAX + 1];
    size_t prev_len;
    bool finished;
};

/* Add the next text term (after the one before in byte order) and the
 * documents holding it; false when out of memory. */
bool trie_writer_add(struct trie_writer *w, const char *term, size_t len, uint32_t df);
/* Close every open node and append the root's offset: out is the section. */
bool trie_writer_finish(struct trie_writer *w);
void trie_writer_free(struct trie_writer *w);

/* ------------------------------------------------------------- reading */

struct term_trie {
    const uint8_t *p;              /* the section, verified */
    uint64_t len;                  /* its bytes before the root offset */
    uint64_t root;
};

/* One node as read: the rest of the label of the edge into it, whether a
 * term ends here and its df, and its children by first byte. */
struct trie_node {
    uint64_t off;
    const uint8_t *rest;
    size_t rest_len;
    bool terminal;
    uint32_t df;
    uint32_t nchildren;
    const uint8_t *first;          /* the children's first label bytes, ascending */
    const uint8_t *longest;        /* the most bytes of a term below each */
    const uint8_t *ascii;          /* the most bytes below 0x80 of a term below each */
    const uint8_t *offs;           /* their offsets, `width` bytes each */
    unsigned width;
};

/* The segment's trie; SIFT_ERR_CORRUPT when its section is malformed. */
sift_err trie_open(const struct segment *s, struct term_trie *t, sift_errmsg *err);
/* The trie of a section's n bytes at p (trie_writer's out); false when
 * they cannot be one. */
bool trie_open_bytes(const uint8_t *p, uint64_t n, struct term_trie *t);

/* Read the node at off; false when it is malformed. */
bool trie_node_read(const struct term_trie *t, uint64_t off, struct trie_node *n);

/* The offset of child i of n, or UINT64_MAX when it is not before n (a
 * corrupt section: offsets only point back, so every walk ends). */
static inline uint64_t trie_child(const struct trie_node *n, uint32_t i)
{
    const uint8_t *p = n->offs + (size_t)i * n->width;
    uint64_t v = 0;
    for (unsigned k = 0; k < n->width; k++) v |= (uint64_t)p[k] << (8 * k);
    return v < n->off ? v : UINT64_MAX;
}

/* Call fn for every term in byte order with its df until fn returns
 * non-zero (the checker's full walk), verifying what a walk relies on:
 * children in ascending order, each child's two counts, no node reached
 * twice; false when the trie is malformed. */
typedef int (*trie_fn)(void *ctx, const char *term, size_t len, uint32_t df);
bool trie_scan(const struct term_trie *t, trie_fn fn, void *ctx);

#endif
