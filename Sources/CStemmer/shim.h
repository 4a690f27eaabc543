// The Snowball stemmers (Debian libstemmer-dev), wrapped once by StoryClustering's Stemmer.
#include <libstemmer.h>
