// Reference 5x5 convolution: im2col per image, then one GEMM (Eigen). Images run in parallel;
// the weight gradient is summed over images in a fixed order, so results do not depend on the
// number of threads.
#include "kernels/cpu/conv5x5.h"

#include <Eigen/Core>
#include <vector>

namespace braincam::cpu {

namespace {

constexpr int kSize = 5, kPad = 2, kTaps = kSize * kSize;

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MapRM = Eigen::Map<RowMatrix<T>>;
template <class T>
using ConstMapRM = Eigen::Map<const RowMatrix<T>>;

// cols[(c*25 + kh*5 + kw), (h*W + w)] = x[c, h + kh - 2, w + kw - 2], zero outside the image.
template <class T>
void im2col(T* cols, const T* x, int C, int H, int W) {
  for (int c = 0; c < C; ++c)
    for (int kh = 0; kh < kSize; ++kh)
      for (int kw = 0; kw < kSize; ++kw) {
        T* row = cols + static_cast<long>((c * kTaps + kh * kSize + kw)) * H * W;
        for (int h = 0; h < H; ++h) {
          const int ih = h + kh - kPad;
          for (int w = 0; w < W; ++w) {
            const int iw = w + kw - kPad;
            const bool inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
            row[h * W + w] = inside ? x[(static_cast<long>(c) * H + ih) * W + iw] : T(0);
          }
        }
      }
}

// The adjoint of im2col: x[c, ih, iw] = sum of the cols entries that read it.
template <class T>
void col2im(T* x, const T* cols, int C, int H, int W) {
  std::fill_n(x, static_cast<long>(C) * H * W, T(0));
  for (int c = 0; c < C; ++c)
    for (int kh = 0; kh < kSize; ++kh)
      for (int kw = 0; kw < kSize; ++kw) {
        const T* row = cols + static_cast<long>((c * kTaps + kh * kSize + kw)) * H * W;
        for (int h = 0; h < H; ++h) {
          const int ih = h + kh - kPad;
          if (ih < 0 || ih >= H) continue;
          for (int w = 0; w < W; ++w) {
            const int iw = w + kw - kPad;
            if (iw >= 0 && iw < W) x[(static_cast<long>(c) * H + ih) * W + iw] += row[h * W + w];
          }
        }
      }
}

}  // namespace

template <class T>
void conv5x5_forward(T* y, const T* x, const T* w, const T* b, int N, int C, int H, int W, int K) {
  const long HW = static_cast<long>(H) * W, rows = static_cast<long>(C) * kTaps;
  ConstMapRM<T> wmat(w, K, rows);
#pragma omp parallel
  {
    std::vector<T> cols(rows * HW);
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      im2col(cols.data(), x + n * C * HW, C, H, W);
      MapRM<T> out(y + n * K * HW, K, HW);
      out.noalias() = wmat * ConstMapRM<T>(cols.data(), rows, HW);
      for (int k = 0; k < K; ++k) out.row(k).array() += b[k];
    }
  }
}

template <class T>
void conv5x5_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, int N, int C, int H,
                      int W, int K) {
  const long HW = static_cast<long>(H) * W, rows = static_cast<long>(C) * kTaps;
  ConstMapRM<T> wmat(w, K, rows);
  // Per-image weight and bias gradients, summed in image order below.
  std::vector<T> dw_per_image(static_cast<std::size_t>(N) * K * rows);
  std::vector<T> db_per_image(static_cast<std::size_t>(N) * K);
#pragma omp parallel
  {
    std::vector<T> cols(rows * HW);
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      ConstMapRM<T> grad(dy + n * K * HW, K, HW);
      im2col(cols.data(), x + n * C * HW, C, H, W);
      MapRM<T>(dw_per_image.data() + n * K * rows, K, rows).noalias() =
          grad * ConstMapRM<T>(cols.data(), rows, HW).transpose();
      for (int k = 0; k < K; ++k) db_per_image[n * K + k] = grad.row(k).sum();
      if (dx) {
        MapRM<T>(cols.data(), rows, HW).noalias() = wmat.transpose() * grad;
        col2im(dx + n * C * HW, cols.data(), C, H, W);
      }
    }
  }
  std::fill_n(dw, K * rows, T(0));
  std::fill_n(db, K, T(0));
  for (int n = 0; n < N; ++n) {
    for (long i = 0; i < K * rows; ++i) dw[i] += dw_per_image[n * K * rows + i];
    for (int k = 0; k < K; ++k) db[k] += db_per_image[n * K + k];
  }
}

#define BRAINCAM_INSTANTIATE(T)                                                                   \
  template void conv5x5_forward<T>(T*, const T*, const T*, const T*, int, int, int, int, int);    \
  template void conv5x5_backward<T>(T*, T*, T*, const T*, const T*, const T*, int, int, int, int, \
                                    int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
