#pragma once
// The real anatomy under the synthetic dataset: the Colin27 average T1 head with skull (ch2.nii.gz)
// and its brain-extracted version (ch2bet.nii.gz, used as the brain mask), 1 mm voxels, as
// Debian's mricron-data installs them. Axial slices are returned in radiological display
// orientation: anterior at the top.
#include <filesystem>
#include <vector>

#include "data/nifti_volume.h"

namespace braincam::data {

// Debian's install location; `braincam synth --anatomy` or BRAINCAM_ANATOMY override it.
inline constexpr const char* kDefaultAnatomy = "/usr/share/mricron/templates/ch2.nii.gz";

// The brain mask next to a head file: <dir>/<name>bet.nii.gz for <dir>/<name>.nii.gz.
std::filesystem::path default_brain_mask(const std::filesystem::path& head);

struct AxialSlice {
  int width = 0, height = 0;      // mm (1 mm pixels): columns left-right, rows anterior-posterior
  std::vector<float> t1;          // head intensity, 0..255
  std::vector<float> brain;       // 1 inside the brain, 0 outside
  std::vector<float> near_brain;  // brain dilated by 2 mm: the CSF around the brain
  // Bounding box of the head (t1 above the background), in slice pixels.
  int head_x0 = 0, head_y0 = 0, head_x1 = 0, head_y1 = 0;
};

class Anatomy {
 public:
  // Throws DataError naming a file that is missing or whose grid differs from the head's.
  Anatomy(const std::filesystem::path& head, const std::filesystem::path& brain_mask);

  // Axial slices whose brain area is large enough to look like the Kaggle slices: the part of
  // the brain's vertical extent from 25% to 85% (above the skull base, below the vertex).
  int first_slice() const { return first_; }
  int last_slice() const { return last_; }
  AxialSlice slice(int z) const;

 private:
  Volume head_, mask_;
  int first_ = 0, last_ = 0;
};

}  // namespace braincam::data
