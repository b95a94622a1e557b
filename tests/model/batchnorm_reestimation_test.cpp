// Batchnorm re-estimation (model/batchnorm_reestimation.h): the running statistics end as the
// mean of the batches' statistics, computed with the weights as they are, which stay unchanged.
#include "model/batchnorm_reestimation.h"

#include <catch2/catch.hpp>

#include "model/image_set.h"
#include "tests/model/small_model_images.h"

namespace braincam::test {
namespace {

constexpr ModelShape kShape = kSmallModel;

// The running mean and variance after one training pass over `images` with momentum 1: the
// batch's own statistics.
std::vector<double> batch_statistics(const Tensor& images) {
  BrainDetectionModel model(kShape, DType::F32);
  model.initialize(3);
  const ImageSet set(images, Device::CPU);
  reestimate_batchnorm(model, set, static_cast<int>(set.size()));
  const StateDict d = model.state_dict();
  std::vector<double> s = d.at("bn1.running_mean").to_vector();
  for (double v : d.at("bn1.running_var").to_vector()) s.push_back(v);
  return s;
}

}  // namespace

TEST_CASE("batchnorm re-estimation: the mean of the batches' statistics, weights unchanged") {
  const Tensor images = random_images(6, 11);
  BrainDetectionModel model(kShape, DType::F32);
  model.initialize(3);
  const StateDict before = model.state_dict();
  reestimate_batchnorm(model, ImageSet(images, Device::CPU), 3);
  const StateDict after = model.state_dict();
  for (const auto& [name, tensor] : before)
    if (!name.starts_with("bn1.running") && name != "bn1.num_batches_tracked")
      CHECK(tensor.to_vector() == after.at(name).to_vector());

  // Two batches of 3: each batch's statistics on its own, then their mean.
  const std::vector<double> first = batch_statistics(images.rows(0, 3));
  const std::vector<double> second = batch_statistics(images.rows(3, 3));
  std::vector<double> got = after.at("bn1.running_mean").to_vector();
  for (double v : after.at("bn1.running_var").to_vector()) got.push_back(v);
  REQUIRE(got.size() == first.size());
  for (std::size_t c = 0; c < got.size(); ++c)
    CHECK(got[c] == Approx((first[c] + second[c]) / 2).epsilon(1e-5));
  // Not the training default's average, which would weigh them 0.09 and 0.1 from 0 and 1.
  CHECK(got != first);
}

}  // namespace braincam::test
