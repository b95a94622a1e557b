// The patch statistics from shifted correlations against the definition: every patch of the
// zero-padded images, summed in double.
#include "kernels/cpu_fast/patch_statistics.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

using namespace braincam;

namespace {

// Mean and biased covariance of all N*H*W patches (taps c, kh, kw), straight from the definition.
void patch_statistics_by_definition(std::vector<double>& mean, std::vector<double>& cov,
                                    const std::vector<float>& x, int N, int C, int H, int W) {
  const int P = C * 25;
  mean.assign(P, 0.0);
  cov.assign(P * P, 0.0);
  std::vector<double> patch(P);
  std::vector<std::vector<double>> patches;
  for (int n = 0; n < N; ++n)
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w) {
        for (int c = 0; c < C; ++c)
          for (int kh = 0; kh < 5; ++kh)
            for (int kw = 0; kw < 5; ++kw) {
              const int ih = h + kh - 2, iw = w + kw - 2;
              const bool inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
              patch[c * 25 + kh * 5 + kw] = inside ? x[((n * C + c) * H + ih) * W + iw] : 0.0;
            }
        patches.push_back(patch);
        for (int t = 0; t < P; ++t) mean[t] += patch[t];
      }
  const double count = static_cast<double>(patches.size());
  for (double& m : mean) m /= count;
  for (const auto& p : patches)
    for (int a = 0; a < P; ++a)
      for (int b = 0; b < P; ++b) cov[a * P + b] += (p[a] - mean[a]) * (p[b] - mean[b]) / count;
}

}  // namespace

TEST_CASE("patch statistics match the mean and covariance of all padded patches") {
  struct Case {
    int N, C, H, W;
  };
  for (const Case s : {Case{1, 1, 4, 5}, Case{2, 3, 8, 12}, Case{3, 2, 12, 7}}) {
    DYNAMIC_SECTION(s.N << "x" << s.C << "x" << s.H << "x" << s.W) {
      std::mt19937_64 rng(s.N * 100 + s.C * 10 + s.H);
      std::uniform_real_distribution<float> u(0.2f, 0.9f);
      std::vector<float> x(static_cast<std::size_t>(s.N) * s.C * s.H * s.W);
      for (float& v : x) v = u(rng);
      const int P = s.C * 25;
      std::vector<double> mean(P), cov(P * P), expected_mean, expected_cov;
      cpu_fast::patch_statistics(mean.data(), cov.data(), x.data(), s.N, s.C, s.H, s.W);
      patch_statistics_by_definition(expected_mean, expected_cov, x, s.N, s.C, s.H, s.W);
      // The only float rounding is in the products and row sums of the shifted planes.
      for (int t = 0; t < P; ++t) CHECK(mean[t] == Approx(expected_mean[t]).margin(1e-6));
      for (int t = 0; t < P * P; ++t) CHECK(cov[t] == Approx(expected_cov[t]).margin(1e-6));
    }
  }
}

TEST_CASE("channel statistics are w . mu + b and w^T Sigma w") {
  const std::vector<double> mu{0.5, -1.0}, sigma{2.0, 0.5, 0.5, 1.0};
  const std::vector<float> w{1.0f, 2.0f, -1.0f, 0.0f}, b{0.25f, 0.0f};
  std::vector<double> mean(2), var(2);
  cpu_fast::channel_statistics(mean.data(), var.data(), mu.data(), sigma.data(), w.data(), b.data(),
                               2, 2);
  CHECK(mean[0] == Approx(0.5 - 2.0 + 0.25));
  CHECK(var[0] == Approx(2.0 + 2 * 2 * 0.5 + 4 * 1.0));
  CHECK(mean[1] == Approx(-0.5));
  CHECK(var[1] == Approx(2.0));
}
