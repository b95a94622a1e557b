// libFuzzer target: arbitrary bytes through decode → crop → resize, the path every dataset file
// takes. Decoding may refuse the input (DataError); anything else — a crash, a sanitizer report,
// a box outside the image — is a bug.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "data/data_error.h"
#include "data/image_codec.h"
#include "data/preprocess.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace braincam::data;
  DecodedImage d;
  try {
    d = decode_image(std::span<const std::uint8_t>(data, size), "fuzz");
  } catch (const DataError&) {
    return 0;
  }
  // Keep each run fast: the crop is linear in the pixel count, huge images add nothing new.
  if (static_cast<std::size_t>(d.rgb.width) * d.rgb.height > 4'000'000) return 0;
  const Preprocessed p = preprocess_image(d.rgb);
  const CropBox& b = p.crop.box;
  if (b.x0 < 0 || b.y0 < 0 || b.x1 > d.rgb.width || b.y1 > d.rgb.height || b.width() <= 0 ||
      b.height() <= 0 || p.input.width != kInputSize || p.input.height != kInputSize)
    std::abort();
  return 0;
}
