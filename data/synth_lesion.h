#pragma once
// A synthetic brain tumor in an axial slice: an irregular, elongated blob (a radius modulated by
// low angular harmonics) with a heterogeneous solid part, an enhancing rim, sometimes a necrotic
// core, surrounding edema and a little mass effect (the anatomy around it is pushed outward).
// Coordinates are millimetres in the slice (AxialSlice pixels).
#include <nlohmann/json.hpp>

#include "base/random.h"
#include "data/synth_anatomy.h"
#include "data/synth_difficulty.h"

namespace braincam::data {

struct Lesion {
  double cx = 0, cy = 0;        // centre
  double radius = 10;           // mean radius
  double elongation = 1;        // minor / major axis, <= 1
  double orientation = 0;       // radians, of the major axis
  double harmonic_amp[4] = {};  // boundary harmonics k = 2..5
  double harmonic_phase[4] = {};
  double core = 0;           // necrotic core radius in lesion radii; 0: none
  double rim = 0.2;          // enhancing rim thickness in lesion radii
  double edema = 1.5;        // edema reach in lesion radii
  double mass_effect = 0.2;  // fraction by which the anatomy at the centre is pushed outward
  double contrast = 0.8;     // 0..1
  double enhancement = 120;  // added to the solid and rim targets (0..255 scale)
};

// Places a lesion whose centre lies inside the brain, at least ~0.7 radius from its edge where
// the slice allows it.
Lesion sample_lesion(Rng& rng, const SynthDifficulty& d, const AxialSlice& slice);

// Normalised radius of (x, y): below 1 inside the lesion, 1 on its boundary.
double lesion_rho(const Lesion& l, double x, double y);

// Moves (x, y) to the point whose anatomy is shown there once the lesion has pushed it aside.
void displace_by_lesion(const Lesion& l, double& x, double& y);

// The intensity at normalised radius `rho` of a pixel whose healthy intensity is `tissue`;
// `texture` in [-1, 1] makes the tumor heterogeneous. T1-like: enhancing rim, dark necrosis,
// slightly dark edema. T2-like: bright tumor, brighter necrosis, bright edema.
float lesion_intensity(const Lesion& l, double rho, float tissue, float texture, bool t2);

nlohmann::json to_json(const Lesion& l);

}  // namespace braincam::data
