#include "data/nifti_volume.h"

#include <nifti2_io.h>

#include <cstring>
#include <memory>

#include "data/data_error.h"

namespace braincam::data {
namespace {

template <class T>
void convert(const void* data, std::vector<float>& out) {
  const T* p = static_cast<const T*>(data);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(p[i]);
}

}  // namespace

Volume read_nifti(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw DataError(file, "no such file");
  nifti_set_debug_level(0);  // errors are reported by the exception below, not on stderr
  std::unique_ptr<nifti_image, void (*)(nifti_image*)> nim(nifti_image_read(file.c_str(), 1),
                                                           nifti_image_free);
  if (!nim || !nim->data) throw DataError(file, "not a readable NIfTI volume");
  if (nim->nx < 2 || nim->ny < 2 || nim->nz < 2 || nim->nt > 1 ||
      nim->nx * nim->ny * nim->nz != nim->nvox)
    throw DataError(file, "expected one 3-D volume");
  Volume v;
  v.nx = static_cast<int>(nim->nx);
  v.ny = static_cast<int>(nim->ny);
  v.nz = static_cast<int>(nim->nz);
  v.dx = static_cast<float>(nim->dx);
  v.dy = static_cast<float>(nim->dy);
  v.dz = static_cast<float>(nim->dz);
  v.values.resize(static_cast<std::size_t>(nim->nvox));
  switch (nim->datatype) {
    case DT_UINT8:
      convert<std::uint8_t>(nim->data, v.values);
      break;
    case DT_INT8:
      convert<std::int8_t>(nim->data, v.values);
      break;
    case DT_INT16:
      convert<std::int16_t>(nim->data, v.values);
      break;
    case DT_UINT16:
      convert<std::uint16_t>(nim->data, v.values);
      break;
    case DT_INT32:
      convert<std::int32_t>(nim->data, v.values);
      break;
    case DT_FLOAT32:
      convert<float>(nim->data, v.values);
      break;
    case DT_FLOAT64:
      convert<double>(nim->data, v.values);
      break;
    default:
      throw DataError(file, "unsupported voxel type " + std::to_string(nim->datatype));
  }
  if (nim->scl_slope != 0.0 && (nim->scl_slope != 1.0 || nim->scl_inter != 0.0))
    for (float& x : v.values) x = static_cast<float>(x * nim->scl_slope + nim->scl_inter);
  return v;
}

}  // namespace braincam::data
