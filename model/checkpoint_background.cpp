#include "model/checkpoint_background.h"

#include <stdexcept>
#include <string>

namespace braincam {

namespace {
constexpr const char* kKey = "input_background";
}

void record_background(CheckpointMetadata& metadata, data::Background background) {
  if (background != data::Background::keep) metadata[kKey] = data::background_name(background);
}

data::Background trained_background(const CheckpointMetadata& metadata,
                                    const std::filesystem::path& file) {
  const auto it = metadata.find(kKey);
  if (it == metadata.end()) return data::Background::keep;
  return data::parse_background(it->second, file.string() + ": metadata '" + kKey + "'");
}

void require_cache_background(const CheckpointMetadata& metadata,
                              const std::filesystem::path& checkpoint,
                              const data::DatasetCache& cache,
                              const std::filesystem::path& cache_dir) {
  const data::Background trained = trained_background(metadata, checkpoint);
  if (cache.background() == trained) return;
  throw std::runtime_error(checkpoint.string() + " was trained on inputs with background " +
                           data::background_name(trained) + ", but " + cache_dir.string() +
                           " holds background " + data::background_name(cache.background()) +
                           ": prepare the cache with --background " +
                           data::background_name(trained));
}

}  // namespace braincam
