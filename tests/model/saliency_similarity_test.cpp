// The map similarity measures of the saliency sanity checks (model/saliency_similarity.h):
// hand-checked cases, and both measures against an independent numpy oracle.
#include "model/saliency_similarity.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/random.h"

using namespace braincam;

TEST_CASE("average ranks: ascending, ties share the mean of their ranks", "[sanity]") {
  CHECK(average_ranks(std::vector<double>{3, 1, 3}) == std::vector<double>{2.5, 1, 2.5});
  CHECK(average_ranks(std::vector<double>{0.4, 0.1, 0.3, 0.2}) == std::vector<double>{4, 1, 3, 2});
  CHECK(average_ranks(std::vector<double>{5, 5, 5, 5}) == std::vector<double>{2.5, 2.5, 2.5, 2.5});
}

TEST_CASE("Spearman: identical 1, reversed -1, monotone 1, a hand-computed tie", "[sanity]") {
  const std::vector<double> a{0.1, 0.7, 0.3, 0.9, 0.5}, reversed{0.9, 0.3, 0.7, 0.1, 0.5};
  CHECK(spearman_rank_correlation(a, a) == Approx(1).margin(1e-15));
  CHECK(spearman_rank_correlation(a, reversed) == Approx(-1).margin(1e-15));
  std::vector<double> cubed;
  for (double v : a) cubed.push_back(v * v * v - 4);
  CHECK(spearman_rank_correlation(a, cubed) == Approx(1).margin(1e-15));
  // Ranks {1, 2.5, 2.5, 4} and {1, 2, 3, 4}: deviations (-1.5, 0, 0, 1.5) and (-1.5, -0.5, 0.5,
  // 1.5), so r = 4.5 / sqrt(4.5 * 5) = sqrt(0.9).
  CHECK(
      spearman_rank_correlation(std::vector<double>{1, 2, 2, 3}, std::vector<double>{1, 2, 3, 4}) ==
      Approx(std::sqrt(0.9)).epsilon(1e-14));
}

TEST_CASE("Spearman: constant maps, and sizes refused", "[sanity]") {
  const std::vector<double> flat{0, 0, 0}, other{0.5, 0.5, 0.5}, ramp{0, 1, 2};
  CHECK(spearman_rank_correlation(flat, other) == 1);
  CHECK(spearman_rank_correlation(flat, ramp) == 0);
  CHECK(spearman_rank_correlation(ramp, flat) == 0);
  CHECK_THROWS_AS(spearman_rank_correlation(ramp, std::vector<double>{1, 2}),
                  std::invalid_argument);
  CHECK_THROWS_AS(spearman_rank_correlation(std::vector<double>{1}, std::vector<double>{1}),
                  std::invalid_argument);
}

TEST_CASE("SSIM: identical maps 1, constant maps by hand, too small refused", "[sanity]") {
  constexpr int H = 13, W = 15;
  std::vector<double> map(H * W);
  Rng rng(5);
  for (double& v : map) v = rng.uniform();
  CHECK(ssim(map.data(), map.data(), H, W) == Approx(1).margin(1e-12));
  // Constant windows have no variance: SSIM = (2ab + C1) / (a^2 + b^2 + C1), C1 = 1e-4.
  const double c1 = 1e-4;
  const std::vector<double> ones(H * W, 1.0), zeros(H * W, 0.0), half(H * W, 0.5),
      quarter(H * W, 0.25);
  CHECK(ssim(ones.data(), zeros.data(), H, W) == Approx(c1 / (1 + c1)).epsilon(1e-12));
  CHECK(ssim(half.data(), quarter.data(), H, W) ==
        Approx((0.25 + c1) / (0.25 + 0.0625 + c1)).epsilon(1e-12));
  CHECK_THROWS_AS(ssim(map.data(), map.data(), 10, 19), std::invalid_argument);
  CHECK_THROWS_AS(ssim(map.data(), map.data(), H, W, {.window = 10}), std::invalid_argument);
}

namespace {

// Spearman and SSIM of a and b (H x W) from the numpy oracle.
std::pair<double, double> oracle(const std::vector<double>& a, const std::vector<double>& b, int H,
                                 int W) {
  const auto file = std::filesystem::temp_directory_path() / "braincam_similarity_oracle.txt";
  {
    std::ofstream out(file);
    out.precision(17);
    out << H << "\n" << W << "\n";
    for (double v : a) out << v << "\n";
    for (double v : b) out << v << "\n";
  }
  const std::string command =
      std::string(BRAINCAM_ORACLE_PYTHON) + " " + BRAINCAM_SIMILARITY_ORACLE + " " + file.string();
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  double spearman = NAN, structural = NAN;
  const int read = std::fscanf(pipe, "%lf %lf", &spearman, &structural);
  const int status = pclose(pipe);
  std::filesystem::remove(file);
  INFO(command);
  REQUIRE(status == 0);
  REQUIRE(read == 2);
  return {spearman, structural};
}

}  // namespace

TEST_CASE("Spearman and SSIM agree with the numpy oracle, ties included", "[sanity]") {
  constexpr int H = 17, W = 21;
  std::vector<double> a(H * W), b(H * W);
  Rng rng(11);
  for (int i = 0; i < H * W; ++i) {
    a[i] = std::floor(rng.uniform() * 8) / 8;  // many ties, as ReLU'd maps have
    b[i] = std::clamp(0.6 * a[i] + 0.4 * rng.uniform(), 0.0, 1.0);
  }
  const auto [spearman, structural] = oracle(a, b, H, W);
  CHECK(spearman_rank_correlation(a, b) == Approx(spearman).epsilon(1e-12));
  CHECK(ssim(a.data(), b.data(), H, W) == Approx(structural).epsilon(1e-12));
  CHECK(spearman > 0.3);  // a case far from both ends
  CHECK(structural < 0.9);
}
