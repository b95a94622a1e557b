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

// The head file to read: `given`, else $BRAINCAM_ANATOMY, else kDefaultAnatomy.
std::filesystem::path anatomy_path(const std::filesystem::path& given);

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

// A plane through the head, near axial: at slice pixel (column c, row r) it passes through
// z + tan(pitch) (r - rows / 2) + tan(roll) (c - columns / 2), in voxels. Tilts vary the anatomy
// of one volume the way a scan's angulation does.
struct SlicePlane {
  double z = 0;
  double pitch_deg = 0;  // nose up / down
  double roll_deg = 0;   // left / right
};

// Whether the pixel nearest to (x, y) mm lies inside the brain.
bool inside_brain(const AxialSlice& s, double x, double y);

class Anatomy {
 public:
  // Throws DataError naming a file that is missing or whose grid differs from the head's.
  Anatomy(const std::filesystem::path& head, const std::filesystem::path& brain_mask);

  // Axial slices through the brain, for the images of both classes: the part of the brain's
  // vertical extent from 18% to 90% (from the temporal lobes and cerebellum to near the vertex).
  int first_slice() const { return first_; }
  int last_slice() const { return last_; }
  // Slices with little or no brain, for some healthy images: from the bottom of the volume to 10%
  // of the brain's extent (neck, skull base), and from 95% of it to the top (the skull's cap and
  // the empty slices above it).
  const std::vector<int>& edge_slices() const { return edge_; }
  // The middle of the brain slices: its head box frames the slices of little brain, so that a
  // skull cap keeps its size on the canvas instead of filling it.
  int middle_slice() const { return (first_ + last_) / 2; }
  AxialSlice slice(const SlicePlane& plane) const;
  AxialSlice slice(int z) const { return slice(SlicePlane{static_cast<double>(z)}); }

 private:
  Volume head_, mask_;
  int first_ = 0, last_ = 0;
  std::vector<int> edge_;
};

}  // namespace braincam::data
