#pragma once
// Reading a 3-D NIfTI-1/2 volume (.nii or .nii.gz) with niftilib into floats.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace braincam::data {

struct Volume {
  int nx = 0, ny = 0, nz = 0;    // voxel grid, x fastest
  float dx = 1, dy = 1, dz = 1;  // voxel size in mm
  std::vector<float> values;     // nx × ny × nz, scaled by scl_slope / scl_inter when set

  float at(int x, int y, int z) const {
    return values[(static_cast<std::size_t>(z) * ny + y) * nx + x];
  }
};

// Throws DataError naming the file when it is missing, not NIfTI, not 3-D or of an unsupported
// voxel type.
Volume read_nifti(const std::filesystem::path& file);

}  // namespace braincam::data
