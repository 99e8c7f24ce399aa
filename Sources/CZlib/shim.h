// zlib (Debian zlib1g-dev): gzip streams for vector tiles and MBTiles.
#include <zlib.h>
