/* abi_layout.c -- prints, as JSON, the size and every field's offset of
 * each struct of sift.h that crosses the API by pointer. The Python
 * binding's tests compare their ctypes structures against it, so that a
 * binding that drifts from the header (a field missing, moved or of
 * another size) fails a test instead of reading past a struct. */
#include <stddef.h>
#include <stdio.h>

#include <sift/sift.h>

#define FIELD(t, f) printf("%s\"%s\": [%zu, %zu]", first ? "" : ", ", #f, offsetof(t, f), \
                           sizeof(((t *)0)->f)), first = 0
#define BEGIN(t) do { int first = 1; printf("%s\"%s\": {\"size\": %zu, \"fields\": {", \
                                            nstructs++ ? ",\n " : "{", #t, sizeof(t))
#define END() printf("}}"); } while (0)

int main(void)
{
    int nstructs = 0;
    BEGIN(sift_errmsg); FIELD(sift_errmsg, msg); END();
    BEGIN(sift_writer_options);
    FIELD(sift_writer_options, struct_size); FIELD(sift_writer_options, language);
    FIELD(sift_writer_options, ram_mb); FIELD(sift_writer_options, rebuild);
    FIELD(sift_writer_options, threads);
    END();
    BEGIN(sift_doc_info);
    FIELD(sift_doc_info, struct_size); FIELD(sift_doc_info, source); FIELD(sift_doc_info, path);
    FIELD(sift_doc_info, size); FIELD(sift_doc_info, mtime_ns); FIELD(sift_doc_info, hash);
    END();
    BEGIN(sift_index_stats);
    FIELD(sift_index_stats, struct_size); FIELD(sift_index_stats, doc_count);
    FIELD(sift_index_stats, deleted_count); FIELD(sift_index_stats, shadowed_count);
    FIELD(sift_index_stats, term_count);
    FIELD(sift_index_stats, token_count); FIELD(sift_index_stats, posting_count);
    FIELD(sift_index_stats, bytes); FIELD(sift_index_stats, postings_bytes);
    FIELD(sift_index_stats, positions_bytes); FIELD(sift_index_stats, store_bytes);
    FIELD(sift_index_stats, segment_count); FIELD(sift_index_stats, language);
    END();
    BEGIN(sift_search_options);
    FIELD(sift_search_options, struct_size); FIELD(sift_search_options, limit);
    FIELD(sift_search_options, offset); FIELD(sift_search_options, k1); FIELD(sift_search_options, b);
    FIELD(sift_search_options, rank); FIELD(sift_search_options, title_weight);
    FIELD(sift_search_options, text_weight); FIELD(sift_search_options, exact_total);
    FIELD(sift_search_options, sort); FIELD(sift_search_options, facets);
    FIELD(sift_search_options, nfacets); FIELD(sift_search_options, facet_limit);
    FIELD(sift_search_options, no_hits);
    END();
    BEGIN(sift_hit);
    FIELD(sift_hit, struct_size); FIELD(sift_hit, score); FIELD(sift_hit, id);
    FIELD(sift_hit, title); FIELD(sift_hit, path); FIELD(sift_hit, docno); FIELD(sift_hit, nfields);
    END();
    BEGIN(sift_facet_value);
    FIELD(sift_facet_value, struct_size); FIELD(sift_facet_value, facet);
    FIELD(sift_facet_value, value); FIELD(sift_facet_value, count);
    END();
    BEGIN(sift_snippet_options);
    FIELD(sift_snippet_options, struct_size); FIELD(sift_snippet_options, max_tokens);
    FIELD(sift_snippet_options, open); FIELD(sift_snippet_options, close);
    END();
    printf("}\n");
    return 0;
}
