#pragma once
// The classes of a checkpoint (docs/spec.md section 6.4). K is the first dimension of fc.weight;
// a K-class checkpoint (K >= 2) names its classes in string metadata: `classes`, the names in
// index order as a JSON-encoded array (["glioma","meningioma","notumor","pituitary"]), and
// `no_tumor_class`, the name that means "no tumor", absent if none. A binary checkpoint (K = 1)
// has neither key, as before.
#include <string>
#include <vector>

#include "engine/parameters.h"
#include "model/checkpoint_metadata.h"

namespace braincam {

struct ClassNames {
  std::vector<std::string> names;  // in index order; empty for the binary model
  std::string no_tumor;            // one of names, or empty: none
};

// K: the rows of `tensors`' fc.weight. Throws naming `source` when there is no K x inputs
// fc.weight.
int fc_classes(const StateDict& tensors, const std::string& source);

// Adds `classes` and `no_tumor_class` (when named) for K = names.size() >= 2; nothing for the
// binary model. Throws std::invalid_argument for one name, repeated or empty names, or a
// no-tumor class that is not one of them.
void write_class_names(CheckpointMetadata& metadata, const ClassNames& classes);

// The class names of a checkpoint of K classes: empty for K = 1 (which must have neither key).
// Throws naming `source` and the key when K >= 2 and `classes` is missing, is not a JSON array
// of K distinct non-empty strings, or `no_tumor_class` is not one of them.
ClassNames read_class_names(const CheckpointMetadata& metadata, int K, const std::string& source);

}  // namespace braincam
