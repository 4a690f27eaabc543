#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
/* Debian's libxml2 headers pull in ICU, whose UErrorCode then clashes with Foundation's copy in clean builds. */
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/xmlerror.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

/* xmlFree is a global function pointer variable, which Swift 6 rejects as shared mutable state. */
static inline void clibxml2_free(void *pointer) {
    xmlFree(pointer);
}

#endif
