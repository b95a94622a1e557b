#pragma once
// The fast path's copy of the input images: each H x W plane with a zero border of 2 (the
// convolution's padding) and rows widened to a multiple of 16 floats, so that every vector load
// of a kernel window stays inside its row.
#include <cstdint>

namespace braincam::cpu_fast {

// Rows and row length (floats) of one padded plane. Rows hold W + 4 meaningful columns and at
// least 4 more zeros: the sparse backward reads 8 floats from any column below W + 2.
inline int padded_rows(int H) { return H + 4; }
inline int padded_cols(int W) { return (W + 8 + 15) / 16 * 16; }

// xp: N x C x padded_rows(H) x padded_cols(W), fully written; x: N x C x H x W.
void pad_images(float* xp, const float* x, int N, int C, int H, int W);

}  // namespace braincam::cpu_fast
