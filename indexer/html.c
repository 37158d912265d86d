/* html.c -- an HTML page through libxml2's HTML parser: its title, its
 * visible text, and the metadata of its <meta> tags (front_matter.h). */
#include "html.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "front_matter.h"


static bool invisible(const xmlNode *n)
{
    static const char *skip[] = { "script", "style", "noscript", "template", "head", "svg" };
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (!xmlStrcasecmp(n->name, (const xmlChar *)skip[i])) return true;
    return false;
}

/* The visible text under n, elements separated by spaces. */
static void html_text(const xmlNode *n, struct buf *out)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content) buf_append(out, n->content, strlen((const char *)n->content));
        } else if (n->type == XML_ELEMENT_NODE && !invisible(n)) {
            html_text(n->children, out);
            buf_append(out, " ", 1);
        }
    }
}

static const xmlNode *find_element(const xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (!xmlStrcasecmp(n->name, (const xmlChar *)name)) return n;
        const xmlNode *f = find_element(n->children, name);
        if (f) return f;
    }
    return NULL;
}

/* The value of attribute `name` of element n, or NULL (owned by libxml2:
 * xmlFree it). */
static xmlChar *attr(const xmlNode *n, const char *name)
{
    return xmlGetProp((xmlNodePtr)n, (const xmlChar *)name);
}

static void add(struct strlist *pairs, const char *name, const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')) v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n' || v[n - 1] == '\r')) n--;
    if (!n || memchr(v, 0, n)) return;
    strlist_add(pairs, name, strlen(name));
    strlist_add(pairs, v, n);
}

/* What a <meta> (or <link rel=canonical>) says, as (field, value) pairs:
 * the first author, date and source met win; tags add up. */
static void meta_pairs(const xmlNode *n, struct strlist *pairs)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (!xmlStrcasecmp(n->name, (const xmlChar *)"meta")) {
            xmlChar *key = attr(n, "property"), *content = attr(n, "content");
            if (!key) key = attr(n, "name");
            if (key && content) {
                const char *k = (const char *)key, *v = (const char *)content;
                size_t vl = strlen(v);
                const char *field = NULL;
                if (!strcasecmp(k, "author") || !strcasecmp(k, "article:author")) field = "author";
                else if (!strcasecmp(k, "article:published_time") || !strcasecmp(k, "date") ||
                         !strcasecmp(k, "pubdate") || !strcasecmp(k, "publish-date") ||
                         !strcasecmp(k, "dc.date"))
                    field = "date";
                else if (!strcasecmp(k, "og:site_name")) field = "source";
                else if (!strcasecmp(k, "article:tag")) field = "tags";
                if (field && (!strcmp(field, "tags") || !front_matter_get(pairs, field))) add(pairs, field, v, vl);
                if (!strcasecmp(k, "keywords"))   /* a comma list */
                    for (const char *p = v, *c; *p; p = c ? c + 1 : p + strlen(p)) {
                        c = strchr(p, ',');
                        add(pairs, "tags", p, c ? (size_t)(c - p) : strlen(p));
                    }
            }
            xmlFree(key);
            xmlFree(content);
        } else if (!xmlStrcasecmp(n->name, (const xmlChar *)"link")) {
            xmlChar *rel = attr(n, "rel"), *href = attr(n, "href");
            if (rel && href && !xmlStrcasecmp(rel, (const xmlChar *)"canonical") && !front_matter_get(pairs, "url"))
                add(pairs, "url", (const char *)href, strlen((const char *)href));
            xmlFree(rel);
            xmlFree(href);
        }
        meta_pairs(n->children, pairs);
    }
}

bool html_extract(const unsigned char *data, size_t len, const char *path, struct buf *title,
                  struct buf *text, struct strlist *pairs)
{
    if (len > INT32_MAX) return false;
    htmlDocPtr doc = htmlReadMemory((const char *)data, (int)len, path, NULL,
                                   HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                       HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
    if (!doc) return false;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *head = find_element(root, "head");
    if (pairs) meta_pairs(head ? head->children : root, pairs);
    const xmlNode *t = find_element(root, "title");
    if (!t || !t->children) t = find_element(root, "h1");
    if (t) html_text(t->children, title);
    const xmlNode *body = find_element(root, "body");
    html_text(body ? body->children : root, text);
    xmlFreeDoc(doc);
    return true;
}

