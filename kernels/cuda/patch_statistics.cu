// Patch moments by shifted correlations, as kernels/cpu_fast/patch_statistics.cpp explains: with
// g_c the zero-padded (H+4) x (W+4) grid of image channel c minus a per-image constant (zero
// outside the grid), the second moment of taps t1 = (c1, a1, b1) and t2 = (c2, a2, b2) over one
// image's positions is the sum of Q(u, v) = g_c1[u][v] * g_c2[u + dh][v + dw] (dh = a2 - a1,
// dw = b2 - b1) over the window of rows [a1, a1 + H) and columns [b1, b1 + W). Rows fall in 9
// classes: the 4 top band rows, the 4 bottom ones (H..H+3) and the core; columns likewise. Every
// window is a union of classes, so one pass over Q that sums it per (row class, column class)
// gives all 25 windows of one (c1, c2, dh, dw). First moments use a plane of ones as g_c2.
//
// Kernels, all with sums in a fixed order:
//   image_channel_shifts_kernel  the constant of each (image, channel): its mean
//   shifted_planes_kernel        the planes g, with a margin of zeros (no bounds checks later)
//   shifted_moments_kernel       one block per (image, c1, c2 >= c1, dh): the 9 column shifts dw
//                                together, each thread one column at a time, rows staged 8 at a
//                                time, a block sum for the core columns; writes the image's raw
//                                moments
//   combine_images_kernel        per (t1, t2): the images' scatter matrices and means merged, the
//                                images split among 8 warps
//   channel_statistics_kernel    per channel: w . mu + b and w^T Sigma w
// The first three depend on one image each: image_patch_moments keeps their result per image, so
// that a set of stored images needs them once (combine_patch_moments then takes an index).
#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/patch_statistics.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kTaps = kPatchTaps, kSize = 5, kBand = 4, kShifts = 2 * kBand + 1;
constexpr int kClasses = 2 * kBand + 1;  // 0..3 leading band, 4..7 trailing band, 8 core
constexpr int kCore = 2 * kBand;
constexpr int kThreads = 256;

// The class of grid row (column) u of a grid with `inner` + 4 rows (columns).
__device__ __forceinline__ int band_class(int u, int inner) {
  return u < kBand ? u : (u >= inner ? kBand + u - inner : kCore);
}

// Whether class `cls` lies inside the window that starts at row (column) a of the grid.
__device__ __forceinline__ bool class_in_window(int cls, int a) {
  return cls == kCore || (cls < kBand ? cls >= a : cls - kBand < a);
}

// g at (u, v): image channel `plane` (H x W, or null for the plane of ones) placed at offset 2 in
// the (H+4) x (W+4) grid, minus `shift`; zero outside the grid.
__device__ __forceinline__ float grid_value(const float* plane, float shift, int u, int v, int H,
                                            int W) {
  if (u < 0 || u >= H + 4 || v < 0 || v >= W + 4) return 0.0f;
  if (!plane) return 1.0f;
  const int r = u - 2, c = v - 2;
  const float value = r >= 0 && r < H && c >= 0 && c < W ? plane[r * W + c] : 0.0f;
  return value - shift;
}

// The planes g of one image, C + 1 of them (the last is the plane of ones), each with a margin
// of kBand zeros around the grid so that the shifted reads need no bounds checks.
__host__ __device__ __forceinline__ int margin_rows(int H) { return H + 4 + 2 * kBand; }
__host__ __device__ __forceinline__ int margin_cols(int W) { return W + 4 + 2 * kBand; }

// planes[n][c][u][v] = g_c(u - kBand, v - kBand). Grid-stride over every element.
__global__ void shifted_planes_kernel(float* __restrict__ planes, const float* __restrict__ x,
                                      const float* __restrict__ shift, int N, int C, int H, int W) {
  const int rows = margin_rows(H), cols = margin_cols(W);
  const long plane = static_cast<long>(rows) * cols, total = static_cast<long>(N) * (C + 1) * plane;
  for (long e = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<long>(gridDim.x) * blockDim.x) {
    const long p = e / plane;
    const int n = static_cast<int>(p / (C + 1)), c = static_cast<int>(p % (C + 1));
    const int u = static_cast<int>(e % plane / cols) - kBand,
              v = static_cast<int>(e % cols) - kBand;
    const bool ones = c == C;
    planes[e] = grid_value(ones ? nullptr : x + (static_cast<long>(n) * C + c) * H * W,
                           ones ? 0.0f : shift[static_cast<long>(n) * C + c], u, v, H, W);
  }
}

// The rows of shifted_moments_kernel's pass come through a stage of kStageRows rows: each
// thread's g1 values in registers, the g2 rows (shifted by dh) with kBand columns of margin on
// each side in shared memory, so that a thread reads its 9 shifted values there. All the loads of
// a stage are issued before any is used: the pass waits for memory once per stage, not per row
// (it did per row, a thread's next row starting only when its loads came back: 322 us per batch
// of 32 on the H200, and most of the fused layer's time at batch 1).
constexpr int kStageRows = 8;
constexpr int kStagedCols = kThreads + 2 * kBand;  // a chunk's columns and their margins

struct RowStage {
  float a[kStageRows];  // g1 at this thread's column, one per staged row
  float* g2_rows;       // shared: kStageRows x kStagedCols

  // Stages rows [u0, u0 + count), count <= kStageRows, of the chunk of columns from v0.
  // g1, g2: the planes at grid position (0, 0) of their margins, rows `stride` apart; `cols`:
  // the grid's columns (W + 4). Every thread must call it.
  __device__ __forceinline__ void load(const float* __restrict__ g1, const float* __restrict__ g2,
                                       int u0, int count, int v0, int dh, int stride, int cols) {
    __syncthreads();  // the previous stage's readers are done
    const int v = v0 + threadIdx.x;
    // Staged column j is grid column v0 + j - kBand; a thread stages j and, for the last
    // 2 * kBand, j + kThreads. Columns past the margin are never read by a thread with v < cols.
    const int far = threadIdx.x + kThreads, far_col = v0 + far - kBand;
    const bool has_far = far < kStagedCols && far_col < cols + kBand;
    float near_values[kStageRows] = {}, far_values[kStageRows] = {};
    BRAINCAM_UNROLL
    for (int r = 0; r < kStageRows; ++r) {
      if (r >= count) break;
      const float* row2 = g2 + (u0 + r + dh) * stride;
      a[r] = v < cols ? g1[(u0 + r) * stride + v] : 0.0f;
      near_values[r] = v - kBand < cols + kBand ? row2[v - kBand] : 0.0f;
      far_values[r] = has_far ? row2[far_col] : 0.0f;
    }
    BRAINCAM_UNROLL
    for (int r = 0; r < kStageRows; ++r) {
      if (r >= count) break;
      g2_rows[r * kStagedCols + threadIdx.x] = near_values[r];
      if (far < kStagedCols) g2_rows[r * kStagedCols + far] = far_values[r];
    }
    __syncthreads();
  }

  // Q on staged row r at this thread's column, for the 9 column shifts, added to row class
  // kRowClass; the same products in the same order as one row at a time.
  template <int kRowClass>
  __device__ __forceinline__ void add(float (&column)[kShifts * kClasses], int r) const {
    const float* b = g2_rows + r * kStagedCols + threadIdx.x;
    BRAINCAM_UNROLL
    for (int d = 0; d < kShifts; ++d) column[d * kClasses + kRowClass] += a[r] * b[d];
  }
};

// shift[n][c] = the mean of image n's channel c. Grid: (C, N); block: kThreads.
__global__ void image_channel_shifts_kernel(float* __restrict__ shift, const float* __restrict__ x,
                                            int C, int H, int W) {
  const long HW = static_cast<long>(H) * W;
  const float* plane = x + (static_cast<long>(blockIdx.y) * C + blockIdx.x) * HW;
  double sum = 0.0;
  for (long i = threadIdx.x; i < HW; i += kThreads) sum += plane[i];
  sum = block_sum<kThreads>(sum);
  if (threadIdx.x == 0)
    shift[static_cast<long>(blockIdx.y) * C + blockIdx.x] = static_cast<float>(sum / HW);
}

// The jobs (c1, c2, dh) of one image: for each image channel c1, the plane of ones (dh = 0),
// itself (dh >= 0: the others are transposes) and every later channel (all 9 dh). The other
// pairs repeat these.
__host__ __device__ __forceinline__ int moment_jobs(int C) {
  return C * (1 + kBand + 1) + C * (C - 1) / 2 * kShifts;
}
// job < moment_jobs(C).
__device__ __forceinline__ void job_of(int job, int C, int& c1, int& c2, int& dh) {
  for (c1 = 0; c1 < C - 1; ++c1) {
    const int jobs_of_c1 = 1 + (kBand + 1) + (C - 1 - c1) * kShifts;
    if (job < jobs_of_c1) break;
    job -= jobs_of_c1;
  }
  if (job == 0) {
    c2 = C, dh = 0;
  } else if (job <= kBand + 1) {
    c2 = c1, dh = job - 1;
  } else {
    job -= kBand + 2;
    c2 = c1 + 1 + job / kShifts, dh = job % kShifts - kBand;
  }
}

// moments[n] = (m2: P x P, s1: P): the raw second and first moments of image n's shifted patches.
// Grid: (moment_jobs(C), N); block: kThreads.
__global__ void shifted_moments_kernel(double* __restrict__ moments,
                                       const float* __restrict__ planes, int C, int H, int W) {
  const int n = blockIdx.y;
  int c1, c2, dh;
  job_of(blockIdx.x, C, c1, c2, dh);
  const bool ones = c2 == C;

  const int P = C * kTaps, cols = W + 4, stride = margin_cols(W);
  const long plane = static_cast<long>(margin_rows(H)) * stride;
  const long origin = static_cast<long>(kBand) * stride + kBand;  // grid (0, 0)
  const float* g1 = planes + (static_cast<long>(n) * (C + 1) + c1) * plane + origin;
  const float* g2 = planes + (static_cast<long>(n) * (C + 1) + c2) * plane + origin;

  // sums[d][row class][column class], d = dw + kBand.
  BRAINCAM_SHARED(double, sums, kShifts* kClasses* kClasses);
  BRAINCAM_SHARED(double, core, kShifts* kClasses);
  BRAINCAM_SHARED(float, g2_rows, kStageRows* kStagedCols);
  for (int e = threadIdx.x; e < kShifts * kClasses * kClasses; e += kThreads) sums[e] = 0.0;
  __syncthreads();

  // Columns in chunks of kThreads: each thread sums Q down its column per row class, in float
  // (at most H + 4 terms); band columns go to the table directly, core columns through a block
  // sum, chunk by chunk in order.
  for (int v0 = 0; v0 < cols; v0 += kThreads) {
    const int v = v0 + threadIdx.x;
    float column[kShifts * kClasses] = {};  // [d][row class]
    // Row classes as constants, so that `column` stays in registers. Threads past the last
    // column stage rows too, and add zeros.
    RowStage stage{{}, g2_rows};
    stage.load(g1, g2, 0, kBand, v0, dh, stride, cols);
    stage.add<0>(column, 0);
    stage.add<1>(column, 1);
    stage.add<2>(column, 2);
    stage.add<3>(column, 3);
    for (int u0 = kBand; u0 < H; u0 += kStageRows) {
      const int count = H - u0 < kStageRows ? H - u0 : kStageRows;
      stage.load(g1, g2, u0, count, v0, dh, stride, cols);
      BRAINCAM_UNROLL
      for (int r = 0; r < kStageRows; ++r) {
        if (r >= count) break;
        stage.add<kCore>(column, r);
      }
    }
    stage.load(g1, g2, H, kBand, v0, dh, stride, cols);
    stage.add<kBand + 0>(column, 0);
    stage.add<kBand + 1>(column, 1);
    stage.add<kBand + 2>(column, 2);
    stage.add<kBand + 3>(column, 3);
    const int cc = v < cols ? band_class(v, W) : kCore;
    if (v < cols && cc != kCore) {
      BRAINCAM_UNROLL
      for (int e = 0; e < kShifts * kClasses; ++e) sums[e * kClasses + cc] = column[e];
    }
    if (v >= cols || cc != kCore) {
      BRAINCAM_UNROLL
      for (int e = 0; e < kShifts * kClasses; ++e) column[e] = 0.0f;
    }
    block_sum_each<kThreads>(core, column);
    for (int e = threadIdx.x; e < kShifts * kClasses; e += kThreads)
      sums[e * kClasses + kCore] += core[e];
    __syncthreads();
  }

  // One thread per (d, a1, b1): the window at rows a1, columns b1, written where both taps exist.
  double* m2 = moments + static_cast<long>(n) * (P * P + P);
  double* first = m2 + static_cast<long>(P) * P;
  for (int e = threadIdx.x; e < kShifts * kTaps; e += kThreads) {
    const int d = e / kTaps, a1 = e / kSize % kSize, b1 = e % kSize, dw = d - kBand;
    if (ones && dw != 0) continue;
    if (!ones && c1 == c2 && dh == 0 && dw < 0) continue;  // the transposed entry
    const int a2 = a1 + dh, b2 = b1 + dw;
    if (a2 < 0 || a2 >= kSize || b2 < 0 || b2 >= kSize) continue;
    double window = 0.0;
    for (int r = 0; r < kClasses; ++r)
      for (int c = 0; c < kClasses; ++c)
        if (class_in_window(r, a1) && class_in_window(c, b1))
          window += sums[(d * kClasses + r) * kClasses + c];
    const int t1 = c1 * kTaps + a1 * kSize + b1;
    if (ones) {
      first[t1] = window;
    } else {
      const int t2 = c2 * kTaps + a2 * kSize + b2;
      m2[static_cast<long>(t1) * P + t2] = window;
      m2[static_cast<long>(t2) * P + t1] = window;
    }
  }
}

// Per (t1, t2): with each image's patch mean mean_n = shift + s1 / n_pos and scatter
// S_n = m2 - s1 s1^T / n_pos (about its own mean), the batch covariance is
//   (sum_n S_n + n_pos sum_n (mean_n - mu)(mean_n - mu)^T) / (N n_pos),  mu = mean over n.
// Batch image n is entry index[n] of moments and shift (n when index is null). A block takes
// kCombineEntries consecutive entries of Sigma, a lane each, and its kCombineParts warps split the
// images (part p: images p, p + kCombineParts, ...); the parts' sums are added in part order.
// With a thread per entry looping over the images (5,625 threads: about one warp per SM) the
// merge took 38 us of every training step on the H200, each thread waiting on its images' loads.
// patch_mean[t1] is written by the t2 = 0 lanes.
constexpr int kCombineEntries = 32, kCombineParts = 8;
__global__ void combine_images_kernel(double* __restrict__ patch_mean,
                                      double* __restrict__ patch_cov,
                                      const double* __restrict__ moments,
                                      const float* __restrict__ shift,
                                      const std::int32_t* __restrict__ index, int N, int C, int H,
                                      int W) {
  BRAINCAM_SHARED(double, part_a, kCombineParts* kCombineEntries);  // [part][entry]
  BRAINCAM_SHARED(double, part_b, kCombineParts* kCombineEntries);
  const int P = C * kTaps, lane = threadIdx.x % 32, part = threadIdx.x / 32;
  const long e = static_cast<long>(blockIdx.x) * kCombineEntries + lane;
  const bool entry_exists = e < static_cast<long>(P) * P;
  const int t1 = entry_exists ? static_cast<int>(e / P) : 0,
            t2 = entry_exists ? static_cast<int>(e % P) : 0;
  const double positions = static_cast<double>(H) * W;
  const long stride = static_cast<long>(P) * P + P;
  auto entry = [&](int n) -> long { return index ? index[n] : n; };
  auto mean_of = [&](int n, int t) {
    return shift[entry(n) * C + t / kTaps] + moments[entry(n) * stride + P * P + t] / positions;
  };
  // The sums of this lane's entry over all images, from the parts' sums in part order.
  auto add_parts = [&](double a, double b, double& total_a, double& total_b) {
    part_a[part * kCombineEntries + lane] = a;
    part_b[part * kCombineEntries + lane] = b;
    __syncthreads();
    total_a = total_b = 0.0;
    for (int p = 0; p < kCombineParts; ++p) {
      total_a += part_a[p * kCombineEntries + lane];
      total_b += part_b[p * kCombineEntries + lane];
    }
    __syncthreads();  // the part sums are free again
  };

  double mu1 = 0.0, mu2 = 0.0;
  BRAINCAM_UNROLL_BY(4)
  for (int n = part; n < N; n += kCombineParts) {
    mu1 += mean_of(n, t1);
    mu2 += mean_of(n, t2);
  }
  add_parts(mu1, mu2, mu1, mu2);
  mu1 /= N;
  mu2 /= N;
  double scatter = 0.0, spread = 0.0;
  BRAINCAM_UNROLL_BY(4)
  for (int n = part; n < N; n += kCombineParts) {
    const double* image = moments + entry(n) * stride;
    scatter += image[e] - image[P * P + t1] * image[P * P + t2] / positions;
    spread += (mean_of(n, t1) - mu1) * (mean_of(n, t2) - mu2);
  }
  add_parts(scatter, spread, scatter, spread);
  if (part != 0 || !entry_exists) return;
  patch_cov[e] = (scatter + positions * spread) / (N * positions);
  if (t2 == 0) patch_mean[t1] = mu1;
}

// mean[k] = w_k . mu + b_k, var[k] = max(w_k^T Sigma w_k, 0). Grid: K; block: kThreads. Each
// thread takes the terms w[t1] Sigma[t1][t2] w[t2] of entries e, e + kThreads, ... of Sigma, its
// loads independent of each other, then a block sum. (A thread per row t1, each walking its 75
// entries one load after another, took 17 us of every training step on the H200: with K blocks
// only, nothing hid the round trips.)
__global__ void channel_statistics_kernel(double* __restrict__ mean, double* __restrict__ var,
                                          const double* __restrict__ patch_mean,
                                          const double* __restrict__ patch_cov,
                                          const float* __restrict__ w, const float* __restrict__ b,
                                          int P) {
  const int k = blockIdx.x;
  const float* wk = w + static_cast<long>(k) * P;
  double m = 0.0, v = 0.0;
  for (int t = threadIdx.x; t < P; t += kThreads) m += wk[t] * patch_mean[t];
  BRAINCAM_UNROLL_BY(4)
  for (int e = threadIdx.x; e < P * P; e += kThreads) v += wk[e / P] * patch_cov[e] * wk[e % P];
  m = block_sum<kThreads>(m);
  v = block_sum<kThreads>(v);
  if (threadIdx.x == 0) {
    mean[k] = b[k] + m;
    var[k] = v > 0.0 ? v : 0.0;
  }
}

}  // namespace

template <>
void image_patch_moments<KernelSet>(double* moments, float* shift, const float* x, int N, int C,
                                    int H, int W, Stream stream) {
  require_positive_sizes("image_patch_moments",
                         {{"N", N}, {"C", C}, {"H - 3", H - 3}, {"W - 3", W - 3}});
  const long plane_values = static_cast<long>(N) * (C + 1) * margin_rows(H) * margin_cols(W);
  Scratch<float> planes(static_cast<std::size_t>(plane_values), stream);
  launch(image_channel_shifts_kernel, dim3(C, N), kThreads, 0, stream, shift, x, C, H, W);
  launch(shifted_planes_kernel, elementwise_grid(plane_values, kThreads), kThreads, 0, stream,
         planes.data(), x, shift, N, C, H, W);
  launch(shifted_moments_kernel, dim3(moment_jobs(C), N), kThreads, 0, stream, moments,
         planes.data(), C, H, W);
}

template <>
void combine_patch_moments<KernelSet>(double* patch_mean, double* patch_cov, const double* moments,
                                      const float* shift, const std::int32_t* index, int N, int C,
                                      int H, int W, Stream stream) {
  require_positive_sizes("combine_patch_moments", {{"N", N}, {"C", C}, {"H", H}, {"W", W}});
  const long entries = static_cast<long>(C * kTaps) * (C * kTaps);
  launch(combine_images_kernel,
         static_cast<unsigned>((entries + kCombineEntries - 1) / kCombineEntries),
         32 * kCombineParts, 0, stream, patch_mean, patch_cov, moments, shift, index, N, C, H, W);
}

template <>
void patch_statistics<KernelSet>(double* patch_mean, double* patch_cov, const float* x, int N,
                                 int C, int H, int W, Stream stream) {
  require_positive_sizes("patch_statistics",
                         {{"N", N}, {"C", C}, {"H - 3", H - 3}, {"W - 3", W - 3}});
  Scratch<float> shift(static_cast<std::size_t>(N) * C, stream);
  Scratch<double> moments(static_cast<std::size_t>(N) * image_moments_size(C), stream);
  image_patch_moments<KernelSet>(moments.data(), shift.data(), x, N, C, H, W, stream);
  combine_patch_moments<KernelSet>(patch_mean, patch_cov, moments.data(), shift.data(), nullptr, N,
                                   C, H, W, stream);
}

template <>
void channel_statistics<KernelSet>(double* mean, double* var, const double* patch_mean,
                                   const double* patch_cov, const float* w, const float* b, int K,
                                   int P, Stream stream) {
  require_positive_sizes("channel_statistics", {{"K", K}, {"P", P}});
  launch(channel_statistics_kernel, K, kThreads, 0, stream, mean, var, patch_mean, patch_cov, w, b,
         P);
}

}  // namespace braincam::cuda
