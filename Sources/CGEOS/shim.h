// GEOS C API, reentrant (_r) functions only: every call takes an explicit context handle.
#define USE_UNSTABLE_GEOS_CPP_API 0
#include <geos_c.h>
