#include "data/preprocess.h"

#include "data/data_error.h"
#include "data/image_codec.h"
#include "data/resize_bicubic.h"

namespace braincam::data {

Preprocessed preprocess_image(const Image& rgb) {
  if (rgb.channels != kInputChannels) throw DataError("preprocess_image needs an RGB image");
  Preprocessed p;
  p.source_width = rgb.width;
  p.source_height = rgb.height;
  p.crop = find_brain_box(rgb);
  p.input = p.crop.found ? resize_bicubic(crop(rgb, p.crop.box), kInputSize, kInputSize)
                         : resize_bicubic(rgb, kInputSize, kInputSize);
  return p;
}

Preprocessed preprocess_file(const std::filesystem::path& file, const DecodeLimits& limits) {
  return preprocess_image(read_image_file(file, limits).rgb);
}

void to_chw_float(const std::uint8_t* hwc, int width, int height, float* out) {
  const std::size_t plane = static_cast<std::size_t>(width) * height;
  for (std::size_t i = 0; i < plane; ++i)
    for (int c = 0; c < kInputChannels; ++c)
      out[c * plane + i] = static_cast<float>(hwc[i * kInputChannels + c]) / 255.0f;
}

std::vector<float> to_chw_float(const Image& image) {
  if (image.channels != kInputChannels) throw DataError("to_chw_float needs an RGB image");
  std::vector<float> out(static_cast<std::size_t>(kInputChannels) * image.width * image.height);
  to_chw_float(image.pixels.data(), image.width, image.height, out.data());
  return out;
}

}  // namespace braincam::data
