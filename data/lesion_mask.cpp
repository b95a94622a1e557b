#include "data/lesion_mask.h"

#include "data/data_error.h"
#include "data/image_codec.h"
#include "data/preprocess.h"
#include "data/resize_bicubic.h"

namespace braincam::data {
namespace fs = std::filesystem;

fs::path lesion_mask_path(const fs::path& image_file) {
  const fs::path class_dir = image_file.parent_path();
  return class_dir.parent_path() / "masks" / class_dir.filename() /
         (image_file.stem().string() + ".png");
}

std::optional<Image> load_lesion_mask(const fs::path& image_file, const CropBox& box,
                                      int source_width, int source_height) {
  const fs::path file = lesion_mask_path(image_file);
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  const Image rgb = read_image_file(file).rgb;
  if (rgb.width != source_width || rgb.height != source_height)
    throw DataError(file, "mask is " + std::to_string(rgb.width) + "x" +
                              std::to_string(rgb.height) + " but its image is " +
                              std::to_string(source_width) + "x" + std::to_string(source_height));
  Image gray(rgb.width, rgb.height, 1);
  for (std::size_t i = 0; i < gray.pixels.size(); ++i) gray.pixels[i] = rgb.pixels[i * 3];
  Image resized = resize_bicubic(crop(gray, box), kInputSize, kInputSize);
  for (auto& v : resized.pixels) v = v >= 128 ? 255 : 0;
  return resized;
}

}  // namespace braincam::data
