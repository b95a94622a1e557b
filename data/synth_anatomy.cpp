#include "data/synth_anatomy.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>

#include "data/data_error.h"

namespace braincam::data {
namespace fs = std::filesystem;

fs::path default_brain_mask(const fs::path& head) {
  std::string name = head.filename().string();
  const std::string ext = name.ends_with(".nii.gz") ? ".nii.gz" : head.extension().string();
  name.resize(name.size() - ext.size());
  return head.parent_path() / (name + "bet" + ext);
}

fs::path anatomy_path(const fs::path& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("BRAINCAM_ANATOMY");
  return env && *env ? fs::path(env) : fs::path(kDefaultAnatomy);
}

bool inside_brain(const AxialSlice& s, double x, double y) {
  const int c = static_cast<int>(std::lround(x)), r = static_cast<int>(std::lround(y));
  return c >= 0 && r >= 0 && c < s.width && r < s.height &&
         s.brain[static_cast<std::size_t>(r) * s.width + c] > 0;
}

Anatomy::Anatomy(const fs::path& head, const fs::path& brain_mask)
    : head_(read_nifti(head)), mask_(read_nifti(brain_mask)) {
  if (head_.nx != mask_.nx || head_.ny != mask_.ny || head_.nz != mask_.nz)
    throw DataError(brain_mask, "grid differs from the head volume " + head.string());
  int lo = -1, hi = -1;
  for (int z = 0; z < mask_.nz; ++z) {
    bool any = false;
    for (int y = 0; y < mask_.ny && !any; ++y)
      for (int x = 0; x < mask_.nx && !any; ++x) any = mask_.at(x, y, z) > 0;
    if (any) {
      if (lo < 0) lo = z;
      hi = z;
    }
  }
  if (lo < 0) throw DataError(brain_mask, "the brain mask is empty");
  first_ = lo + (hi - lo) * 18 / 100;
  last_ = lo + (hi - lo) * 90 / 100;
  for (int z = 0; z < mask_.nz; ++z)
    if (z <= lo + (hi - lo) * 10 / 100 || z >= lo + (hi - lo) * 95 / 100) edge_.push_back(z);
}

AxialSlice Anatomy::slice(const SlicePlane& plane) const {
  AxialSlice s;
  s.width = head_.nx;
  s.height = head_.ny;
  const std::size_t n = static_cast<std::size_t>(s.width) * s.height;
  s.t1.resize(n);
  s.brain.resize(n);
  s.near_brain.assign(n, 0.f);
  s.head_x0 = s.width;
  s.head_y0 = s.height;
  s.head_x1 = 0;
  s.head_y1 = 0;
  const double pitch = std::tan(plane.pitch_deg * std::numbers::pi / 180);
  const double roll = std::tan(plane.roll_deg * std::numbers::pi / 180);
  for (int r = 0; r < s.height; ++r)
    for (int c = 0; c < s.width; ++c) {
      const int y = head_.ny - 1 - r;  // anterior (high y) at the top
      const std::size_t i = static_cast<std::size_t>(r) * s.width + c;
      // The head linear along z between the two voxels the plane passes, the mask's nearest
      // voxel; nothing outside the volume.
      const double z = plane.z + pitch * (r - s.height / 2.0) + roll * (c - s.width / 2.0);
      const int z0 = static_cast<int>(std::floor(z)), nearest = static_cast<int>(std::lround(z));
      const double f = z - z0;
      const auto voxel = [&](const Volume& v, int k) {
        return k >= 0 && k < v.nz ? v.at(c, y, k) : 0.f;
      };
      const double a = voxel(head_, z0), b = f > 0 ? voxel(head_, z0 + 1) : 0.0;
      s.t1[i] = std::clamp(static_cast<float>(a + (b - a) * f), 0.f, 255.f);
      s.brain[i] = voxel(mask_, nearest) > 0 ? 1.f : 0.f;
      if (s.t1[i] > 25.f) {
        s.head_x0 = std::min(s.head_x0, c);
        s.head_x1 = std::max(s.head_x1, c);
        s.head_y0 = std::min(s.head_y0, r);
        s.head_y1 = std::max(s.head_y1, r);
      }
    }
  constexpr int kReach = 2;
  for (int r = 0; r < s.height; ++r)
    for (int c = 0; c < s.width; ++c) {
      if (s.brain[static_cast<std::size_t>(r) * s.width + c] == 0.f) continue;
      for (int dr = -kReach; dr <= kReach; ++dr)
        for (int dc = -kReach; dc <= kReach; ++dc) {
          const int rr = r + dr, cc = c + dc;
          if (rr >= 0 && cc >= 0 && rr < s.height && cc < s.width)
            s.near_brain[static_cast<std::size_t>(rr) * s.width + cc] = 1.f;
        }
    }
  return s;
}

}  // namespace braincam::data
