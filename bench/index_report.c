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
#include "index.h"
#include "segment.h"

struct totals {
    uint64_t postings, positions, terms;
    uint64_t vbyte_bytes, svb_bytes;
    uint64_t full_blocks, tail_postings;
    sift_err rc;
};

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
    for (uint32_t d = postings_first(&p); d != DOC_END; d = postings_next(&p)) {
        uint32_t gap = (uint32_t)((int64_t)d - prev - 1), tf = postings_tf(&p) - 1;
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
                                   "id_index", "ids" };
    printf("documents %llu, terms %llu, postings %llu, positions %llu, segments %u\n",
           (unsigned long long)idx->doc_count, (unsigned long long)t.terms,
           (unsigned long long)t.postings, (unsigned long long)t.positions, idx->nsegs);
    printf("%-12s %14s %8s\n", "section", "bytes", "share");
    for (uint32_t id = 1; id <= 11; id++)
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
    printf("index without stored text (no store, store_index): %llu bytes\n",
           (unsigned long long)(file_bytes - sec_bytes[SEC_STORE] - sec_bytes[SEC_STORE_INDEX]));
    sift_index_close(idx);
    return 0;
}
