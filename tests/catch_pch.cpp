// The source of braincam_test_pch, the target that precompiles Catch2's header once for every test
// executable (tests/CMakeLists.txt). It needs a source of its own; the header comes in first.
