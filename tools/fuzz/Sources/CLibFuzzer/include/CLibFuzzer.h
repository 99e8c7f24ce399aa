#ifndef CITYGEO_CLIBFUZZER_H
#define CITYGEO_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver as a function (the toolchain's libclang_rt.fuzzer defines it): parses the libFuzzer
/// flags in argv and runs `callback` on every input. Calling it from our own main avoids libFuzzer's main,
/// which SwiftPM's executable linking (it renames the Swift entry point to main) would otherwise clash with.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
