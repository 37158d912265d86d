/* index_report.c -- size breakdown of an index and what its postings would
 * cost in other codecs, to justify the codec choice with measured bits.
 *
 * Usage: index_report INDEX_DIR
 * For every term of every segment it decodes all postings and counts the
 * bytes the same (gap, tf) pairs would take as
 *   - VByte: varint(gap - 1) + varint(tf - 1) per posting
 *   - Stream VByte: 1 to 4 data bytes per value plus 2 control bits
 *   - bit packing as written (the actual POSTINGS section)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "dict.h"
#include "doc_ids.h"
#include "docstore.h"
#include "index.h"
#include "norms.h"
#include "postings.h"
#include "segment.h"

struct totals {
    uint64_t postings, positions, terms;
    uint64_t for_bytes, pfor_bytes, tf_for, tf_pfor, f_for, f_pfor, g_for, g_pfor;   /* full 128-runs of position gaps, tfs */
    uint64_t vbyte_bytes, svb_bytes;
    uint64_t full_blocks, tail_postings;
    sift_err rc;
};

/* A run of 128 values: FOR (one width) against patched FOR with up to 7
 * exceptions (Lucene's PForUtil: a width byte, 2 bytes per exception). */
static void run_cost(const uint32_t *v, uint64_t *for_bytes, uint64_t *pfor_bytes)
{
    unsigned bits = codec_bits(v, POSTINGS_BLOCK);
    *for_bytes += 1 + codec_packed_size(bits);
    size_t best = 1 + codec_packed_size(bits);
    for (unsigned b = bits; b-- > 0;) {
        unsigned exc = 0;
        for (unsigned i = 0; i < POSTINGS_BLOCK; i++) exc += (v[i] >> b) != 0 && (v[i] >> b) < 256;
        unsigned over = 0;
        for (unsigned i = 0; i < POSTINGS_BLOCK; i++) over += (v[i] >> b) >= 256;
        if (over || exc > 7) break;
        size_t c = 1 + codec_packed_size(b) + 2 * exc;
        if (c < best) best = c;
    }
    *pfor_bytes += best;
}

static unsigned svb_len(uint32_t v)
{
    return v < (1u << 8) ? 1 : v < (1u << 16) ? 2 : v < (1u << 24) ? 3 : 4;
}

struct scan_ctx {
    const struct segment *seg;
    struct totals *t;
};

static int on_term(void *ctx, const char *term, size_t len, const struct term_info *ti)
{
    (void)term;
    (void)len;
    struct scan_ctx *c = ctx;
    struct totals *t = c->t;
    struct postings p;
    sift_errmsg err;
    if (postings_open(&p, c->seg, ti, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        t->rc = SIFT_ERR_CORRUPT;
        return 1;
    }
    int64_t prev = -1;
    static uint32_t *pos, gaps[POSTINGS_BLOCK], tfs[POSTINGS_BLOCK], firsts[POSTINGS_BLOCK], dg[POSTINGS_BLOCK];
    unsigned nf = 0;
    static size_t cap;
    unsigned ngaps = 0, ntf = 0;
    for (uint32_t d = postings_first(&p); d != DOC_END; d = postings_next(&p)) {
        uint32_t gap = (uint32_t)((int64_t)d - prev - 1), tf = postings_tf(&p) - 1;
        if (ti->df >= POSTINGS_BLOCK) {
            dg[ntf] = gap;
            tfs[ntf++] = tf;
            if (ntf == POSTINGS_BLOCK) {
                run_cost(tfs, &t->tf_for, &t->tf_pfor);
                run_cost(dg, &t->g_for, &t->g_pfor);
                ntf = 0;
            }
        }
        if (tf + 1 > cap) {
            cap = (tf + 1) * 2;
            pos = realloc(pos, cap * sizeof *pos);
        }
        if (postings_positions(&p, pos) < 0) break;
        if (ti->df >= POSTINGS_BLOCK) {
            firsts[nf++] = pos[0];
            if (nf == POSTINGS_BLOCK) {
                run_cost(firsts, &t->f_for, &t->f_pfor);
                nf = 0;
            }
        }
        for (uint32_t k = 1; k <= tf; k++) {
            gaps[ngaps++] = pos[k] - pos[k - 1] - 1;
            if (ngaps == POSTINGS_BLOCK) {
                run_cost(gaps, &t->for_bytes, &t->pfor_bytes);
                ngaps = 0;
            }
        }
        t->vbyte_bytes += varint_size(gap) + varint_size(tf);
        t->svb_bytes += svb_len(gap) + svb_len(tf);
        prev = d;
    }
    if (p.rc) {
        fprintf(stderr, "%s\n", err.msg);
        t->rc = p.rc;
        return 1;
    }
    t->postings += ti->df;
    t->positions += ti->cf;
    t->terms++;
    t->full_blocks += ti->df / POSTINGS_BLOCK;
    t->tail_postings += ti->df % POSTINGS_BLOCK;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: index_report INDEX_DIR\n");
        return 2;
    }
    sift_index *idx;
    sift_errmsg err;
    if (sift_index_open(argv[1], &idx, &err)) {
        fprintf(stderr, "index_report: %s\n", err.msg);
        return 3;
    }
    struct totals t = { 0 };
    uint64_t sec_bytes[16] = { 0 }, file_bytes = 0;
    for (uint32_t s = 0; s < idx->nsegs; s++) {
        const struct segment *seg = &idx->segs[s];
        struct scan_ctx c = { seg, &t };
        if (dict_scan_prefix(seg, "", 0, on_term, &c, &err) || t.rc) {
            fprintf(stderr, "index_report: %s\n", err.msg);
            return 3;
        }
        for (uint32_t id = 1; id < 16; id++) sec_bytes[id] += segfile_section_len(&seg->file, id);
        file_bytes += seg->file.size;
    }
    static const char *names[] = { "", "meta", "norms", "dict_index", "dict_keys", "dict",
                                   "postings", "positions", "store_index", "store",
                                   "id_index", "ids", "doc_meta", "sources", "fields", "columns" };
    printf("documents %llu, terms %llu, postings %llu, positions %llu, segments %u\n",
           (unsigned long long)idx->doc_count, (unsigned long long)t.terms,
           (unsigned long long)t.postings, (unsigned long long)t.positions, idx->nsegs);
    printf("%-12s %14s %8s\n", "section", "bytes", "share");
    for (uint32_t id = 1; id <= 15; id++)
        printf("%-12s %14llu %7.2f%%\n", names[id], (unsigned long long)sec_bytes[id],
               100.0 * sec_bytes[id] / file_bytes);
    printf("%-12s %14llu\n", "file total", (unsigned long long)file_bytes);
    double p = (double)t.postings;
    printf("\npostings codec, bits per posting (doc gap + frequency):\n");
    printf("  bit packing, as written (with skip tables) %6.2f\n", sec_bytes[SEC_POSTINGS] * 8 / p);
    printf("  VByte (varint gap, varint tf)              %6.2f\n", t.vbyte_bytes * 8 / p);
    printf("  Stream VByte (bytes + 2-bit controls)      %6.2f\n",
           (t.svb_bytes + (2.0 * 2 * p) / 8) * 8 / p);
    printf("  postings in full 128-blocks: %.1f%%\n", 100.0 * t.full_blocks * 128 / p);
    printf("positions: %.2f bits per position\n", sec_bytes[SEC_POSITIONS] * 8.0 / (double)t.positions);
    printf("what PFOR (as written) saves over plain FOR, on full runs only:\n");
    printf("  position gaps (approximate: runs cut across blocks): FOR %llu bytes, PFOR %llu\n",
           (unsigned long long)t.for_bytes, (unsigned long long)t.pfor_bytes);
    printf("  first positions: FOR %llu bytes, PFOR %llu\n", (unsigned long long)t.f_for,
           (unsigned long long)t.f_pfor);
    printf("  doc gaps: FOR %llu bytes, PFOR %llu\n", (unsigned long long)t.g_for,
           (unsigned long long)t.g_pfor);
    printf("  tf - 1: FOR %llu bytes, PFOR %llu\n", (unsigned long long)t.tf_for,
           (unsigned long long)t.tf_pfor);
    printf("index without stored text (no store, store_index): %llu bytes\n",
           (unsigned long long)(file_bytes - sec_bytes[SEC_STORE] - sec_bytes[SEC_STORE_INDEX]));
    sift_index_close(idx);
    return 0;
}
