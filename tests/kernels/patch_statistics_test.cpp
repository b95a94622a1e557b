// The patch statistics of the GPU's fused first layer (kernels/cuda/patch_statistics.cu) against
// the fast CPU path's (kernels/cpu_fast/patch_statistics.cpp), on shapes the model does not
// reach: rows wider than one block of threads (W + 4 > 256 columns, so the column loop takes
// two chunks), the smallest images (H = W = 4: no core rows or columns), core rows in full and
// partial stages of 8, more images than the merge splits among its warps, 1 and 2 channels.
#include "kernels/cpu_fast/patch_statistics.h"

#include "kernels/bounds/patch_statistics.h"
#include "kernels/cuda/patch_statistics.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

struct ImageShape {
  int N, C, H, W;
};

double largest(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

template <class Set>
void check_patch_statistics(ImageShape s, unsigned seed) {
  INFO("N=" << s.N << " C=" << s.C << " H=" << s.H << " W=" << s.W);
  std::mt19937 rng(seed);
  const std::vector<float> x =
      random_floats(static_cast<std::size_t>(s.N) * s.C * s.H * s.W, rng, 0.0f, 1.0f);
  const int P = s.C * 25, K = 5;
  const std::vector<float> w = random_floats(static_cast<std::size_t>(K) * P, rng, -0.2f, 0.2f),
                           b = random_floats(K, rng, -0.2f, 0.2f);

  std::vector<double> mean(P), cov(static_cast<std::size_t>(P) * P), ch_mean(K), ch_var(K);
  cpu_fast::patch_statistics(mean.data(), cov.data(), x.data(), s.N, s.C, s.H, s.W);
  cpu_fast::channel_statistics(ch_mean.data(), ch_var.data(), mean.data(), cov.data(), w.data(),
                               b.data(), K, P);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor X = on_device<Set>(x), Wt = on_device<Set>(w), B = on_device<Set>(b);
  Tensor MEAN = on_device<Set>(std::vector<double>(P, nan)),
         COV = on_device<Set>(std::vector<double>(cov.size(), nan)),
         CH_MEAN = on_device<Set>(std::vector<double>(K, nan)),
         CH_VAR = on_device<Set>(std::vector<double>(K, nan));
  const cuda::Stream stream = stream_of<Set>();
  cuda::patch_statistics<Set>(MEAN.data<double>(), COV.data<double>(), X.data<float>(), s.N, s.C,
                              s.H, s.W, stream);
  cuda::channel_statistics<Set>(CH_MEAN.data<double>(), CH_VAR.data<double>(), MEAN.data<double>(),
                                COV.data<double>(), Wt.data<float>(), B.data<float>(), K, P,
                                stream);

  // Both sum float products in float over a row or column of the padded grid, then in double
  // (kernels/bounds/patch_statistics.h).
  namespace bound = bounds::patch_statistics;
  auto require_near = [](const std::vector<double>& got, const std::vector<double>& want,
                         double tolerance, const char* what) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
      if (!(std::fabs(got[i] - want[i]) <= tolerance))
        FAIL(what << "[" << i << "]: got " << got[i] << ", want " << want[i]);
    SUCCEED();
  };
  require_near(on_host<Set, double>(MEAN), mean, bound::kPatchMean * largest(mean), "patch mean");
  require_near(on_host<Set, double>(COV), cov, bound::kCovariance * largest(cov),
               "patch covariance");
  require_near(on_host<Set, double>(CH_MEAN), ch_mean, bound::kCovariance * largest(ch_mean),
               "channel mean");
  require_near(on_host<Set, double>(CH_VAR), ch_var, bound::kCovariance * largest(ch_var),
               "channel variance");
}

template <class Set>
void check_shapes() {
  check_patch_statistics<Set>({1, 3, 8, 260}, 1);
  check_patch_statistics<Set>({2, 2, 4, 4}, 2);
  check_patch_statistics<Set>({3, 1, 12, 20}, 3);
  check_patch_statistics<Set>({1, 2, 21, 9}, 4);  // 17 core rows: two stages of 8 and one row
  check_patch_statistics<Set>({10, 2, 6, 8}, 5);  // more images than the merge's 8 parts
}

TEST_CASE("patch statistics: the emulator matches the fast CPU path",
          "[patch_statistics][emulator]") {
  check_shapes<cuda::Emulated>();
}

TEST_CASE("patch statistics: the GPU matches the fast CPU path", "[patch_statistics][gpu]") {
  on_gpu([]<class Set>() { check_shapes<Set>(); });
}

}  // namespace
}  // namespace braincam::test
