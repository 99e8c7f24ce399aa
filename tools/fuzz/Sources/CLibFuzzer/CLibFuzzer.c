// Intentionally empty: the target only exports CLibFuzzer.h; LLVMFuzzerRunDriver comes from the toolchain's
// libFuzzer, linked by -sanitize=fuzzer.
