#pragma once
// Healthy bright structures: what a naive detector takes for a tumor in a healthy slice. Spots
// stand for vessels in cross-section, the choroid plexus and fat (bright on T1, T2 and FLAIR
// alike); thin rings for flow and susceptibility ring artefacts. They are homogeneous, sharp and
// have no edema and no mass effect, and their sizes overlap the lesions'. Both classes draw them
// from the same distribution, so they carry no label information: "bright blob" is not "tumor".
// Coordinates are millimetres in the slice (AxialSlice pixels).
#include <nlohmann/json.hpp>
#include <vector>

#include "base/random.h"
#include "data/synth_anatomy.h"
#include "data/synth_difficulty.h"

namespace braincam::data {

enum class BrightKind { spot, ring };

struct BrightStructure {
  BrightKind kind = BrightKind::spot;
  double cx = 0, cy = 0;   // centre, inside the brain
  double radius = 3;       // spot: radius; ring: radius of the ring's centre line
  double wall = 1;         // ring: wall thickness
  double intensity = 200;  // target on the 0..255 scale, in every contrast
};

// A Poisson number (mean d.bright_mean, at most 6) of structures centred inside the brain; none
// where the slice has no brain.
std::vector<BrightStructure> sample_bright_structures(Rng& rng, const SynthDifficulty& d,
                                                      const AxialSlice& slice);

// How much (0..1) the pixel at (x, y) takes the structure's intensity.
double bright_weight(const BrightStructure& b, double x, double y);

// The structure's reach: bright_weight is 0 beyond this distance from its centre.
double bright_reach(const BrightStructure& b);

nlohmann::json to_json(const BrightStructure& b);

}  // namespace braincam::data
