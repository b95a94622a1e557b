#pragma once
// The figure of `braincam sanity` for one CAM method: a row per example image and a column per
// model (the trained model, each stage of the parameter randomization cascade, then the
// shuffled-label model), each tile the normalized map over the model input, as the panels'
// overlay (tools/cam_panel.h), with a white gap between tiles.
#include <vector>

#include "data/image.h"
#include "engine/tensor.h"

namespace braincam::tools {

// inputs: the example images (W x H x 3 each); columns: one k x H x W map tensor (float64, values
// in [0, 1]) per model, k = inputs.size().
data::Image sanity_sheet(const std::vector<data::Image>& inputs,
                         const std::vector<Tensor>& columns);

}  // namespace braincam::tools
