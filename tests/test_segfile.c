/* test_segfile.c -- the section container: round trip, and every flipped
 * byte or truncation is reported as corruption, never read past. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "segfile.h"

static char *dir;
static char path[4096];

/* Three sections: 100 bytes, 70000 bytes (18 pages of 4 KiB, 3 of
 * 32 KiB), empty. */
static uint8_t big[70000];

/* The file at path, its pages 1 << shift bytes (0: the writer's own). */
static void write_paged(unsigned shift)
{
    struct segwriter w;
    sift_errmsg err;
    assert_int_equal(segw_open(&w, path, &err), SIFT_OK);
    if (shift) w.page_shift = shift;
    uint8_t small[100];
    for (int i = 0; i < 100; i++) small[i] = (uint8_t)i;
    segw_begin(&w, 7);
    segw_write(&w, small, 60);
    segw_write(&w, small + 60, 40);
    segw_end(&w);
    segw_begin(&w, 9);
    segw_write(&w, big, sizeof big);
    segw_end(&w);
    segw_begin(&w, 11);
    segw_end(&w);
    assert_int_equal(segw_finish(&w, &err), SIFT_OK);
}

static void write_file(void)
{
    write_paged(0);
}

static int setup(void **state)
{
    (void)state;
    dir = tmpdir_make();
    snprintf(path, sizeof path, "%s/seg.sift", dir);
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 31 + (i >> 8));
    write_file();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tmpdir_remove(dir);
    return 0;
}

static void test_roundtrip(void **state)
{
    (void)state;
    struct segfile f;
    sift_errmsg err;
    sift_err rc = SIFT_OK;
    assert_int_equal(segfile_open(&f, path, &err), SIFT_OK);
    assert_int_equal(segfile_section_len(&f, 7), 100);
    assert_int_equal(segfile_section_len(&f, 9), sizeof big);
    assert_int_equal(segfile_section_len(&f, 11), 0);
    assert_int_equal(segfile_section_len(&f, 5), 0);
    const uint8_t *p = segfile_get(&f, 7, 10, 5, &rc, &err);
    assert_non_null(p);
    assert_int_equal(p[0], 10);
    p = segfile_get(&f, 9, 0, sizeof big, &rc, &err);
    assert_memory_equal(p, big, sizeof big);
    /* out of bounds and absent sections are errors */
    assert_null(segfile_get(&f, 7, 96, 5, &rc, &err));
    assert_int_equal(rc, SIFT_ERR_CORRUPT);
    assert_null(segfile_get(&f, 5, 0, 0, &rc, &err));
    assert_null(segfile_get(&f, 7, UINT64_MAX, 2, &rc, &err));
    assert_int_equal(segfile_verify_all(&f, &err), SIFT_OK);
    segfile_close(&f);
}

static void put_whole(const uint8_t *data, size_t len);

/* Files written with pages of 4 KiB (the writer's), 32 KiB (format 8's
 * before) and 64 KiB read alike, across page edges; a flipped byte spoils
 * reads of its page only. */
static void test_page_sizes(void **state)
{
    (void)state;
    static const unsigned shifts[] = { 12, 15, 16 };
    for (size_t t = 0; t < sizeof shifts / sizeof *shifts; t++) {
        unlink(path);
        write_paged(shifts[t]);
        uint64_t page = (uint64_t)1 << shifts[t];
        struct segfile f;
        sift_errmsg err;
        sift_err rc = SIFT_OK;
        assert_int_equal(segfile_open(&f, path, &err), SIFT_OK);
        assert_int_equal(f.page_shift, shifts[t]);
        for (uint64_t edge = page; edge < sizeof big; edge += page) {
            const uint8_t *p = segfile_get(&f, 9, edge - 3, 7, &rc, &err);
            assert_non_null(p);
            assert_memory_equal(p, big + edge - 3, 7);
        }
        assert_int_equal(segfile_verify_all(&f, &err), SIFT_OK);
        uint64_t at = f.sec[f.slot[9] - 1].off + page + 5;   /* on the section's second page */
        segfile_close(&f);

        uint8_t *data;
        size_t len;
        data = file_contents(path, NULL, &len);
        data[at] ^= 0x5a;
        put_whole(data, len);
        assert_int_equal(segfile_open(&f, path, &err), SIFT_OK);
        assert_non_null(segfile_get(&f, 9, 0, page, &rc, &err));
        assert_null(segfile_get(&f, 9, page - 1, 2, &rc, &err));
        assert_int_equal(rc, SIFT_ERR_CORRUPT);
        if (2 * page + 10 <= sizeof big) assert_non_null(segfile_get(&f, 9, 2 * page, 10, &rc, &err));
        segfile_close(&f);
        free(data);
    }
    unlink(path);
    write_file();
}

static void read_whole(uint8_t **data, size_t *len)
{
    *data = file_contents(path, NULL, len);
}

static void put_whole(const uint8_t *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

/* Every byte that carries data or metadata, flipped, must be caught. */
static void test_every_flip_detected(void **state)
{
    (void)state;
    uint8_t *orig;
    size_t len;
    read_whole(&orig, &len);
    uint8_t *copy = malloc(len);
    size_t tried = 0;
    for (size_t pos = 0; pos < len; pos += (pos > 200 && pos < len - 2000) ? 97 : 1) {
        memcpy(copy, orig, len);
        copy[pos] ^= 0x5a;
        put_whole(copy, len);
        struct segfile f;
        sift_errmsg err;
        sift_err rc = segfile_open(&f, path, &err);
        if (rc == SIFT_OK) {
            rc = segfile_verify_all(&f, &err);
            segfile_close(&f);
        }
        if (rc != SIFT_ERR_CORRUPT)
            fail_msg("flip at %zu of %zu not detected (rc %d)", pos, len, rc);
        tried++;
    }
    assert_true(tried > 2000);
    put_whole(orig, len);
    free(copy);
    free(orig);
}

static void test_truncation_detected(void **state)
{
    (void)state;
    uint8_t *orig;
    size_t len;
    read_whole(&orig, &len);
    for (size_t cut = 0; cut < len; cut += cut < 100 ? 1 : 1009) {
        put_whole(orig, cut);
        struct segfile f;
        sift_errmsg err;
        sift_err rc = segfile_open(&f, path, &err);
        assert_int_equal(rc, SIFT_ERR_CORRUPT);
        assert_non_null(strstr(err.msg, path));
    }
    put_whole(orig, len);
    free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_every_flip_detected),
        cmocka_unit_test(test_truncation_detected),
        cmocka_unit_test(test_page_sizes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
