#pragma once
// What a model input keeps around the head: `braincam prepare --background`. On sets whose classes
// come from different scanners or archives the background (its noise floor, border lines, dot
// grids, text) tells the source and so the class; a model that sees it can be right for the
// wrong reason (docs/real-data.md). `black` sets every pixel outside the head (brain_region.h) to
// 0, in the cache and in every image `predict` and `cam` read for a model trained on it.
#include <string>
#include <utility>

#include "data/image.h"

namespace braincam::data {

enum class Background { keep, black };

inline constexpr std::pair<const char*, Background> kBackgroundNames[] = {
    {"keep", Background::keep}, {"black", Background::black}};

const char* background_name(Background background);
// Throws DataError naming `what` (a flag, a file's key) for a name that is not in the table.
Background parse_background(const std::string& name, const std::string& what);

// Applies `background` to a model input (240 × 240 × 3); `keep` leaves it as it is.
void apply_background(Image& input, Background background);

}  // namespace braincam::data
