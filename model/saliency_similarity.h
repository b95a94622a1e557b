#pragma once
// How alike two saliency maps are, the two measures of Adebayo et al. (2018), "Sanity Checks for
// Saliency Maps": Spearman's rank correlation (do the maps order the pixels alike?) and SSIM
// (Wang et al. 2004: do they look alike, structure and contrast?). `braincam sanity` compares a
// model's maps with those of the same model with its layers re-drawn, or trained on shuffled
// labels (model/saliency_sanity.h); docs/explanations.md, "Sanity checks".
#include <span>
#include <vector>

namespace braincam {

// The 1-based rank of each value in ascending order; tied values share the mean of the ranks
// they span ({3, 1, 3} -> {2.5, 1, 2.5}).
std::vector<double> average_ranks(std::span<const double> values);

// Spearman's rank correlation of `a` and `b` (the same size, at least 2): Pearson's correlation
// of their average ranks, in [-1, 1]. A constant map orders nothing, so the correlation is
// undefined there; this returns 1 when both maps are constant (they are the same all-tied
// ordering) and 0 when only one is (it shares no ordering with the other). Throws
// std::invalid_argument for sizes that differ or below 2.
double spearman_rank_correlation(std::span<const double> a, std::span<const double> b);

// SSIM's settings, as Wang et al. (2004) give them: an 11 x 11 Gaussian window of sigma 1.5
// (normalized to sum 1), C1 = (k1 L)^2 and C2 = (k2 L)^2 with k1 0.01, k2 0.03 and L the maps'
// dynamic range (1 for maps scaled to [0, 1]).
struct SsimOptions {
  int window = 11;  // odd
  double sigma = 1.5;
  double dynamic_range = 1.0;  // L
  double k1 = 0.01, k2 = 0.03;
};

// The mean structural similarity of two H x W maps (row-major): at every position where the
// window lies wholly inside the maps (Wang et al.'s "valid" filtering, no padding),
//   SSIM = (2 mu_a mu_b + C1)(2 s_ab + C2) / ((mu_a^2 + mu_b^2 + C1)(s_a^2 + s_b^2 + C2))
// with the means, variances and covariance weighted by the window; then the mean over positions.
// 1 for identical maps; the contrast and structure term is 1 where both windows are constant.
// Throws std::invalid_argument for maps smaller than the window, or an even window.
double ssim(const double* a, const double* b, int H, int W, const SsimOptions& options = {});

}  // namespace braincam
