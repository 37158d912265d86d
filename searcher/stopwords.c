/* stopwords.c -- stopword lists by language. */
#include "stopwords.h"

#include <string.h>

/* Lucene's English stopwords (EnglishAnalyzer's default set), for the
 * Lucene-comparable ranking (SIFT_QUERY_LUCENE_STOPWORDS, --rank bm25).
 * Stopwords stay in the index, so phrases can contain them, but optional
 * clauses that are only a stopword are dropped from ranked queries that
 * have other words: on long natural-language queries they add noise (CISI
 * nDCG@10 0.324 with them, 0.357 without; Lucene 0.359). */
static const char *const lucene_english[] = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with" };

/* Snowball's English stop list (snowballstem.org, without its contracted
 * forms, which the analyzer splits): pronouns, auxiliaries, question words
 * and the like, which people put in questions ("what is known about ...").
 * The default: leaving each shared collection out in turn, it gains on all
 * four (README, "Relevance"). */
static const char *const snowball_english[] = {
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
    "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
    "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that",
    "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
    "having", "do", "does", "did", "doing", "would", "should", "could", "ought", "cannot", "a", "an",
    "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with",
    "about", "against", "between", "into", "through", "during", "before", "after", "above", "below",
    "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then",
    "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more",
    "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too",
    "very" };

const char *const *stopwords_for(const char *language, bool lucene, size_t *n)
{
    if (!strcmp(language, "english") || !strcmp(language, "porter")) {
        *n = lucene ? sizeof lucene_english / sizeof *lucene_english
                    : sizeof snowball_english / sizeof *snowball_english;
        return lucene ? lucene_english : snowball_english;
    }
    *n = 0;
    return NULL;
}

bool stopword_is(const char *const *list, size_t n, const char *word, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < len && list[i][k] && (word[k] >= 'A' && word[k] <= 'Z' ? word[k] + 32 : word[k]) == list[i][k]) k++;
        if (k == len && !list[i][k]) return true;
    }
    return false;
}
