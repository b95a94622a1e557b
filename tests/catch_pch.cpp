// The source of braincam_test_pch, the target that precompiles Catch2 and nlohmann/json once for
// every test executable (tests/CMakeLists.txt). It needs a source of its own.
