#pragma once
// The MRI contrasts of the synthetic dataset, as remappings of the Colin27 T1 intensities (0..255:
// CSF ~30, grey matter ~80, white matter ~108, scalp fat bright, bone dark).
//   T1-like:    the Colin27 intensities as they are.
//   T2-like:    fluid bright, grey matter above white matter, scalp fat less bright.
//   FLAIR-like: T2-weighted with the fluid suppressed: CSF dark, grey matter a little above white
//               matter, so that edema and most lesions stand out bright against dark ventricles.
#include <string>

namespace braincam::data {

enum class Contrast { t1, t2, flair };

// "T1", "T2" or "FLAIR", as synth.json writes it.
const char* contrast_name(Contrast c);

// The contrast's intensity (0..255 scale) of a pixel whose Colin27 T1 intensity is `t1`;
// `near_brain` (0..1) says how much the pixel belongs to the brain and the CSF around it, where
// the remapping applies (elsewhere, scalp and bone, it only scales).
float tissue_intensity(Contrast c, float t1, float near_brain);

}  // namespace braincam::data
