// fwkit/core/vector_clones.hpp — FWKIT_VECTOR_CLONES marks a function whose
// loops over ensemble lanes should vectorise as wide as the machine allows:
// GCC builds it for x86-64-v4 (AVX-512), x86-64-v3 (AVX2) and the baseline,
// and picks one at load time. The build forbids contraction into fused
// multiply-adds (-ffp-contract=off), so every clone computes the same bits.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define FWKIT_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FWKIT_VECTOR_CLONES
#endif
