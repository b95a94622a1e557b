#include "model/saliency_similarity.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace braincam {

std::vector<double> average_ranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
  std::vector<double> ranks(values.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 hold ranks start+1..end: their mean.
    const double rank = 0.5 * static_cast<double>(start + 1 + end);
    for (std::size_t k = start; k < end; ++k) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

namespace {

// Pearson's correlation of x and y; NaN when either has no variance.
double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return std::nan("");
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

bool constant(std::span<const double> v) {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

// The window's weights along one axis: exp(-d^2 / (2 sigma^2)), normalized so that the 2-D
// window (their outer product) sums to 1.
std::vector<double> gaussian_weights(int size, double sigma) {
  std::vector<double> w(size);
  const int half = size / 2;
  for (int i = 0; i < size; ++i) w[i] = std::exp(-(i - half) * (i - half) / (2 * sigma * sigma));
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& v : w) v /= sum;
  return w;
}

// The H x W image filtered with the separable window, at the valid positions only:
// (H - size + 1) x (W - size + 1).
std::vector<double> filter_valid(const std::vector<double>& image, int H, int W,
                                 const std::vector<double>& w) {
  const int size = static_cast<int>(w.size()), OW = W - size + 1, OH = H - size + 1;
  std::vector<double> rows(static_cast<std::size_t>(H) * OW, 0.0);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < OW; ++x)
      for (int k = 0; k < size; ++k) rows[y * OW + x] += w[k] * image[y * W + x + k];
  std::vector<double> out(static_cast<std::size_t>(OH) * OW, 0.0);
  for (int y = 0; y < OH; ++y)
    for (int k = 0; k < size; ++k)
      for (int x = 0; x < OW; ++x) out[y * OW + x] += w[k] * rows[(y + k) * OW + x];
  return out;
}

}  // namespace

double spearman_rank_correlation(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size() || a.size() < 2)
    throw std::invalid_argument("spearman_rank_correlation: two maps of the same size (>= 2)");
  const bool a_constant = constant(a), b_constant = constant(b);
  if (a_constant || b_constant) return a_constant && b_constant ? 1.0 : 0.0;
  return pearson(average_ranks(a), average_ranks(b));
}

double ssim(const double* a, const double* b, int H, int W, const SsimOptions& o) {
  if (o.window % 2 == 0 || o.window < 1)
    throw std::invalid_argument("ssim: the window must be odd");
  if (H < o.window || W < o.window)
    throw std::invalid_argument("ssim: maps of " + std::to_string(H) + " x " + std::to_string(W) +
                                " are smaller than the " + std::to_string(o.window) +
                                "-pixel window");
  const std::size_t n = static_cast<std::size_t>(H) * W;
  std::vector<double> x(a, a + n), y(b, b + n), xx(n), yy(n), xy(n);
  for (std::size_t i = 0; i < n; ++i) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const std::vector<double> w = gaussian_weights(o.window, o.sigma);
  const auto mu_x = filter_valid(x, H, W, w), mu_y = filter_valid(y, H, W, w);
  const auto e_xx = filter_valid(xx, H, W, w), e_yy = filter_valid(yy, H, W, w),
             e_xy = filter_valid(xy, H, W, w);
  const double c1 = std::pow(o.k1 * o.dynamic_range, 2), c2 = std::pow(o.k2 * o.dynamic_range, 2);
  double sum = 0;
  for (std::size_t i = 0; i < mu_x.size(); ++i) {
    const double mx = mu_x[i], my = mu_y[i];
    const double vx = e_xx[i] - mx * mx, vy = e_yy[i] - my * my, cxy = e_xy[i] - mx * my;
    sum += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
  }
  return sum / static_cast<double>(mu_x.size());
}

}  // namespace braincam
