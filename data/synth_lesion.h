#pragma once
// A synthetic brain tumor in an axial slice: an irregular, elongated blob (a radius modulated by
// low angular harmonics) with a heterogeneous solid part, surrounding edema and a little mass
// effect (the anatomy around it is pushed outward). Its kind decides how it looks:
//   enhancing       solid and hyper-intense after contrast, with a brighter rim;
//   ring_enhancing  a thin enhancing rim around a necrotic core (dark on T1 and FLAIR, bright on
//                   T2);
//   non_enhancing   hypo-intense on T1, hyper-intense on T2 and FLAIR (an infiltrative tumor);
//   hypointense     dark on every contrast, in bright edema on T2 and FLAIR.
// Coordinates are millimetres in the slice (AxialSlice pixels).
#include <nlohmann/json.hpp>

#include "base/random.h"
#include "data/synth_anatomy.h"
#include "data/synth_contrast.h"
#include "data/synth_difficulty.h"

namespace braincam::data {

enum class LesionKind { enhancing, ring_enhancing, non_enhancing, hypointense };

// "enhancing", "ring_enhancing", "non_enhancing" or "hypointense".
const char* lesion_kind_name(LesionKind k);

struct Lesion {
  LesionKind kind = LesionKind::enhancing;
  double cx = 0, cy = 0;        // centre
  double radius = 10;           // mean radius
  double elongation = 1;        // minor / major axis, <= 1
  double orientation = 0;       // radians, of the major axis
  double harmonic_amp[4] = {};  // boundary harmonics k = 2..5
  double harmonic_phase[4] = {};
  double core = 0;           // necrotic core radius in lesion radii; 0: none
  double rim = 0.2;          // enhancing rim thickness in lesion radii; 0: none
  double edema = 1.5;        // edema reach in lesion radii
  double mass_effect = 0.2;  // fraction by which the anatomy at the centre is pushed outward
  double contrast = 0.8;     // 0..1
  double enhancement = 120;  // added to the enhancing parts' targets (0..255 scale); 0: none
};

// Draws the kind from the difficulty's weights and places a lesion whose centre lies inside the
// brain, at least ~0.7 radius from its edge where the slice allows it.
Lesion sample_lesion(Rng& rng, const SynthDifficulty& d, const AxialSlice& slice);

// Normalised radius of (x, y): below 1 inside the lesion, 1 on its boundary.
double lesion_rho(const Lesion& l, double x, double y);

// Moves (x, y) to the point whose anatomy is shown there once the lesion has pushed it aside.
void displace_by_lesion(const Lesion& l, double& x, double& y);

// The intensity at normalised radius `rho` of a pixel whose healthy intensity is `tissue` in
// contrast `c`; `texture` in [-1, 1] makes the tumor heterogeneous.
float lesion_intensity(const Lesion& l, double rho, float tissue, float texture, Contrast c);

nlohmann::json to_json(const Lesion& l);

}  // namespace braincam::data
