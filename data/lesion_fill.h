#pragma once
// A lesion filled in from its surroundings: the shortcut audit's causal test
// (model/shortcut_audit.h) asks whether a model still calls a scan tumor once the tumor itself is
// gone.
#include "data/image.h"

namespace braincam::data {

// `mask` (one channel, nonzero: in) grown by `radius` pixels: every pixel within that Euclidean
// distance of a pixel in the mask, 255; the rest 0.
Image grow_mask(const Image& mask, int radius);

// `image` with every pixel under `mask` (one channel of the same size, nonzero: fill) replaced by
// the harmonic fill of its surroundings: the values that solve Laplace's equation inside the mask
// with the pixels around it held fixed, so each filled pixel is the mean of its four neighbours
// and the fill is the smoothest surface that meets the surroundings (a linear ramp stays a ramp).
// Solved channel by channel by successive over-relaxation, from the mean of the pixels bordering
// the mask, to a change under 1e-3 gray levels. Pixels outside the mask are not changed. A mask
// with no pixel outside it gives black.
Image fill_from_surroundings(const Image& image, const Image& mask);

}  // namespace braincam::data
