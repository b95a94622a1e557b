// Patch moments by shifted correlations instead of an n x P patch matrix.
//
// With xs the zero-padded image minus a per-channel constant (covariance does not change under
// a shift; the shift keeps the float products small), the second moment of taps t1 = (c1, a1, b1)
// and t2 = (c2, a2, b2) over the positions of one image is
//   M[t1, t2] = sum over u in [a1, a1 + H), v in [b1, b1 + W) of Q(u, v),
//   Q(u, v) = xs[c1][u][v] * xs[c2][u + dh][v + dw],   dh = a2 - a1, dw = b2 - b1,
// a window of the (H+4) x (W+4) padded grid. Every window excludes only rows and columns from
// the 4-wide bands at the grid's edges, so all 25 window sums of one (c1, c2, dh, dw) come from
// one pass over Q: its total, the sums of the band rows and band columns, and Q on the band
// corners (inclusion-exclusion). That is about C*C*81/2 passes of (H+4)(W+4) products per image
// instead of (25C)^2/2 products per position; one pass serves the 9 column shifts dw. First moments
// are the same sums with a plane of ones as the second factor.
#include "kernels/cpu_fast/patch_statistics.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

namespace braincam::cpu_fast {

namespace {

// kShifts: the column shifts dw = -4..4 that one pass handles together.
constexpr int kSize = 5, kTaps = 25, kBand = 4, kLanes = 8, kShifts = 2 * kBand + 1;
using v8f = float __attribute__((vector_size(4 * kLanes)));
using v4d = double __attribute__((vector_size(32)));

inline v8f load8(const float* p) {
  v8f v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// Planes of the padded (H+4) x (W+4) grid, each surrounded by zeros (kBand rows above and below,
// kBand columns to the left, enough to the right for the last vector and a shift of kBand), so
// that Q needs no bounds checks. Plane C is the plane of ones.
class ShiftedPlanes {
 public:
  ShiftedPlanes(int C, int H, int W)
      : rows_(H + 4),
        cols_(W + 4),
        vec_cols_((W + 4 + kLanes - 1) / kLanes * kLanes),
        stride_(kBand + vec_cols_ + kBand),
        plane_(static_cast<long>(rows_ + 2 * kBand) * stride_),
        data_((C + 1) * plane_, 0.0f) {
    for (int u = 0; u < rows_; ++u)
      std::fill_n(grid(C) + static_cast<long>(u) * stride_, cols_, 1.0f);
  }
  // Fills plane c with the zero-padded H x W image `img` minus `shift`.
  void fill(int c, const float* img, float shift) {
    const int H = rows_ - 4, W = cols_ - 4;
    for (int u = 0; u < rows_; ++u) {
      float* row = grid(c) + static_cast<long>(u) * stride_;
      std::fill_n(row, cols_, -shift);
      if (u >= 2 && u < H + 2)
        for (int v = 0; v < W; ++v) row[v + 2] = img[static_cast<long>(u - 2) * W + v] - shift;
    }
  }
  float* grid(int c) { return data_.data() + c * plane_ + kBand * stride_ + kBand; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  int vec_cols() const { return vec_cols_; }
  int stride() const { return stride_; }

 private:
  int rows_, cols_, vec_cols_, stride_;
  long plane_;
  std::vector<float> data_;
};

// One pass over Q(u, v) = g1[u][v] * g2[u][v]. Band index i < 4 is row (column) i, i >= 4 is row
// H + i - 4 (column W + i - 4).
struct BandSums {
  double total = 0, row[2 * kBand] = {}, col[2 * kBand] = {}, corner[2 * kBand][2 * kBand] = {};

  // The sum of Q over rows [a, a + H) and columns [b, b + W): the bands [0, a) and [a + 4, 8)
  // are outside.
  double window(int a, int b) const {
    auto outside = [](int i, int start) { return i < start || i >= start + kBand; };
    double s = total;
    for (int i = 0; i < 2 * kBand; ++i) {
      if (outside(i, a)) s -= row[i];
      if (outside(i, b)) s -= col[i];
      for (int j = 0; j < 2 * kBand; ++j)
        if (outside(i, a) && outside(j, b)) s += corner[i][j];
    }
    return s;
  }
};

// The BandSums of Q_d(u, v) = g1[u][v] * g2[u][v + d - 4] for the 9 column shifts d at once, so
// that each vector of g1 is loaded once for all of them. Each row's float products are summed in
// float (at most W/8 + 1 terms per lane), rows in double.
void shifted_band_sums(BandSums (&sums)[kShifts], const float* g1, const float* g2,
                       const ShiftedPlanes& planes) {
  const int rows = planes.rows(), H = rows - 4, W = planes.cols() - 4;
  const long stride = planes.stride();
  v4d total[kShifts] = {};
  v8f left[kShifts] = {}, right[kShifts] = {};  // lanes 0..3: band columns 0..3 and W..W+3
  for (int u = 0; u < rows; ++u) {
    const float* a = g1 + u * stride;
    const float* b = g2 + u * stride - kBand;
    const v8f a_left = load8(a), a_right = load8(a + W);
    v8f acc[kShifts];
    for (int d = 0; d < kShifts; ++d) {
      acc[d] = a_left * load8(b + d);
      left[d] += acc[d];
      right[d] += a_right * load8(b + W + d);
    }
    for (int v = kLanes; v < planes.vec_cols(); v += kLanes) {
      const v8f av = load8(a + v);
      for (int d = 0; d < kShifts; ++d) acc[d] = _mm256_fmadd_ps(av, load8(b + v + d), acc[d]);
    }
    const int band_row = u < kBand ? u : (u >= H ? kBand + u - H : -1);
    for (int d = 0; d < kShifts; ++d) {
      const v4d row =
          __builtin_convertvector(__builtin_shufflevector(acc[d], acc[d], 0, 1, 2, 3), v4d) +
          __builtin_convertvector(__builtin_shufflevector(acc[d], acc[d], 4, 5, 6, 7), v4d);
      total[d] += row;
      if (band_row < 0) continue;
      sums[d].row[band_row] = row[0] + row[1] + row[2] + row[3];
      const v8f q_left = a_left * load8(b + d), q_right = a_right * load8(b + W + d);
      for (int j = 0; j < kBand; ++j) {
        sums[d].corner[band_row][j] = q_left[j];
        sums[d].corner[band_row][kBand + j] = q_right[j];
      }
    }
  }
  for (int d = 0; d < kShifts; ++d) {
    sums[d].total = total[d][0] + total[d][1] + total[d][2] + total[d][3];
    for (int j = 0; j < kBand; ++j) {
      sums[d].col[j] = left[d][j];
      sums[d].col[kBand + j] = right[d][j];
    }
  }
}

// Sums over the H*W positions of one image: first moments s1 (P) and second moments m2 (P x P)
// of the patches of the shifted planes.
void image_moments(double* s1, double* m2, ShiftedPlanes& planes, int C) {
  const int P = C * kTaps;
  const long stride = planes.stride();
  BandSums sums[kShifts];
  for (int c1 = 0; c1 < C; ++c1)
    for (int c2 = c1; c2 < C; ++c2)
      for (int dh = c1 == c2 ? 0 : -kBand; dh <= kBand; ++dh) {  // dh < 0: transposed entries
        shifted_band_sums(sums, planes.grid(c1), planes.grid(c2) + dh * stride, planes);
        for (int dw = -kBand; dw <= kBand; ++dw) {
          if (c1 == c2 && dh == 0 && dw < 0) continue;  // the transposed entry
          for (int a1 = std::max(0, -dh); a1 < std::min(kSize, kSize - dh); ++a1)
            for (int b1 = std::max(0, -dw); b1 < std::min(kSize, kSize - dw); ++b1) {
              const int t1 = c1 * kTaps + a1 * kSize + b1;
              const int t2 = c2 * kTaps + (a1 + dh) * kSize + (b1 + dw);
              m2[t1 * P + t2] = m2[t2 * P + t1] = sums[dw + kBand].window(a1, b1);
            }
        }
      }
  for (int c = 0; c < C; ++c) {
    shifted_band_sums(sums, planes.grid(c), planes.grid(C), planes);
    for (int a = 0; a < kSize; ++a)
      for (int b = 0; b < kSize; ++b) s1[c * kTaps + a * kSize + b] = sums[kBand].window(a, b);
  }
}

}  // namespace

void image_patch_moments(double* moments, float* shift, const float* x, int N, int C, int H,
                         int W) {
  const int P = C * kTaps;
  const long HW = static_cast<long>(H) * W, per_image = static_cast<long>(P) * P + P;
  const double count = static_cast<double>(HW);
#pragma omp parallel
  {
    ShiftedPlanes planes(C, H, W);
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      float* image_shift = shift + static_cast<long>(n) * C;
      for (int c = 0; c < C; ++c) {
        const float* img = x + (static_cast<long>(n) * C + c) * HW;
        double sum = 0;
        for (long i = 0; i < HW; ++i) sum += img[i];
        image_shift[c] = static_cast<float>(sum / count);
        planes.fill(c, img, image_shift[c]);
      }
      double* m2 = moments + n * per_image;
      image_moments(m2 + static_cast<long>(P) * P, m2, planes, C);
    }
  }
}

void combine_patch_moments(double* patch_mean, double* patch_cov, const double* moments,
                           const float* shift, const std::int32_t* index, int N, int C, int H,
                           int W) {
  const int P = C * kTaps;
  const long PP = static_cast<long>(P) * P, per_image = PP + P;
  const double count = static_cast<double>(H) * W;
  auto entry = [&](int n) -> long { return index ? index[n] : n; };
  auto m2_of = [&](int n) { return moments + entry(n) * per_image; };
  auto s1_of = [&](int n) { return m2_of(n) + PP; };
  // Batch image n's patch mean, and entry (t1, t2) of its scatter about that mean, its second
  // moments less s1 s1^T / count (m2_row: row t1 of its second moments, s1: its sums).
  auto image_mean = [&](int n, int t) {
    return shift[entry(n) * C + t / kTaps] + s1_of(n)[t] / count;
  };
  auto image_scatter = [count](const double* m2_row, const double* s1, int t1, int t2) {
    return m2_row[t2] - s1[t1] * s1[t2] / count;
  };
  // Images combined in order (Chan et al.): merging a group of n_a positions with mean mu_a and
  // one of n_b with mu_b adds (mu_b - mu_a)(mu_b - mu_a)^T n_a n_b / (n_a + n_b) to the scatter.
  // First the means, image by image: delta (N x P) keeps each merge's mu_b - mu_a.
  std::vector<double> delta(static_cast<std::size_t>(N) * P);
  for (int t = 0; t < P; ++t) patch_mean[t] = image_mean(0, t);
  for (int n = 1; n < N; ++n) {
    const double n_b = count, total = (n + 1) * count;
    double* d = delta.data() + static_cast<long>(n) * P;
    for (int t = 0; t < P; ++t) {
      d[t] = image_mean(n, t) - patch_mean[t];
      patch_mean[t] += d[t] * n_b / total;
    }
  }
  // Then the scatter, each entry summed over the images in order.
  const double positions = N * count;
#pragma omp parallel for schedule(static)
  for (int t1 = 0; t1 < P; ++t1) {
    double* row = patch_cov + static_cast<long>(t1) * P;
    const double* m2_row = m2_of(0) + static_cast<long>(t1) * P;
    for (int t2 = 0; t2 < P; ++t2) row[t2] = image_scatter(m2_row, s1_of(0), t1, t2);
    for (int n = 1; n < N; ++n) {
      const double n_a = n * count, n_b = count, total = (n + 1) * count;
      const double *d = delta.data() + static_cast<long>(n) * P, *s1 = s1_of(n);
      m2_row = m2_of(n) + static_cast<long>(t1) * P;
      for (int t2 = 0; t2 < P; ++t2)
        row[t2] += image_scatter(m2_row, s1, t1, t2) + d[t1] * d[t2] * n_a * n_b / total;
    }
    for (int t2 = 0; t2 < P; ++t2) row[t2] /= positions;
  }
}

void patch_statistics(double* patch_mean, double* patch_cov, const float* x, int N, int C, int H,
                      int W) {
  const long P = static_cast<long>(C) * kTaps;
  std::vector<double> moments(N * (P * P + P));
  std::vector<float> shift(static_cast<std::size_t>(N) * C);
  image_patch_moments(moments.data(), shift.data(), x, N, C, H, W);
  combine_patch_moments(patch_mean, patch_cov, moments.data(), shift.data(), nullptr, N, C, H, W);
}

void channel_statistics(double* mean, double* var, const double* patch_mean,
                        const double* patch_cov, const float* w, const float* b, int K, int P) {
  for (int k = 0; k < K; ++k) {
    const float* wk = w + static_cast<long>(k) * P;
    double m = b[k], v = 0;
    for (int t1 = 0; t1 < P; ++t1) {
      m += wk[t1] * patch_mean[t1];
      double row = 0;
      for (int t2 = 0; t2 < P; ++t2) row += patch_cov[t1 * P + t2] * wk[t2];
      v += wk[t1] * row;
    }
    mean[k] = m;
    var[k] = std::max(v, 0.0);
  }
}

}  // namespace braincam::cpu_fast
