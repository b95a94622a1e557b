// The batch normalization kernels against the CPU reference run in double on the same float
// inputs. The kernels keep the channel sums in double, like the reference, so their results are
// the reference's up to the rounding of each float output: the tolerances
// (kernels/bounds/batchnorm.h) are a few units of roundoff of the magnitudes that make up each
// output. Every output is poisoned beforehand.
#include "kernels/cpu/batchnorm.h"

#include "kernels/bounds/batchnorm.h"
#include "kernels/cuda/batchnorm.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

namespace bound = bounds::batchnorm;

constexpr float kEps = 1e-5f, kMomentum = 0.1f;

struct BnShape {
  int N, C, HW;
};

template <class Set>
void check_batchnorm(BnShape s, unsigned seed) {
  INFO("N=" << s.N << " C=" << s.C << " HW=" << s.HW);
  std::mt19937 rng(seed);
  const std::size_t size = static_cast<std::size_t>(s.N) * s.C * s.HW;
  // Values around 2 with a spread of 1: the variance must not come from a cancelling E[x^2].
  const std::vector<float> x = random_floats(size, rng, 1.5f, 2.5f), dy = random_floats(size, rng),
                           gamma = random_floats(s.C, rng, 0.5f, 1.5f),
                           beta = random_floats(s.C, rng), running_mean = random_floats(s.C, rng),
                           running_var = random_floats(s.C, rng, 0.5f, 1.5f);
  const long count = static_cast<long>(s.N) * s.HW;
  auto channel = [&](std::size_t i) { return i / s.HW % s.C; };

  // The reference in double; the float reference's statistics are what backward gets.
  std::vector<double> y(size), mean(s.C), var(s.C);
  cpu::batchnorm_forward_train<double>(y.data(), mean.data(), var.data(), widened(x).data(),
                                       widened(gamma).data(), widened(beta).data(), s.N, s.C, s.HW,
                                       kEps);
  std::vector<float> y_f(size), mean_f(s.C), var_f(s.C);
  cpu::batchnorm_forward_train<float>(y_f.data(), mean_f.data(), var_f.data(), x.data(),
                                      gamma.data(), beta.data(), s.N, s.C, s.HW, kEps);

  Tensor X = on_device<Set>(x), G = on_device<Set>(gamma), B = on_device<Set>(beta),
         DY = on_device<Set>(dy), RM = on_device<Set>(running_mean),
         RV = on_device<Set>(running_var);
  Tensor Y = on_device<Set>(std::vector<float>(size, kPoison)),
         MEAN = on_device<Set>(std::vector<float>(s.C, kPoison)),
         VAR = on_device<Set>(std::vector<float>(s.C, kPoison));
  const cuda::Stream stream = stream_of<Set>();
  cuda::batchnorm_forward_train<Set>(Y.data<float>(), MEAN.data<float>(), VAR.data<float>(),
                                     X.data<float>(), G.data<float>(), B.data<float>(), s.N, s.C,
                                     s.HW, kEps, stream);
  // The statistics and y are each one rounding of a double within 1e-12 of the reference.
  std::vector<double> stat_tol(s.C), y_tol(size);
  for (int c = 0; c < s.C; ++c) stat_tol[c] = bound::rounded(mean[c]);
  require_close(on_host<Set, float>(MEAN), mean, stat_tol, "mean");
  for (int c = 0; c < s.C; ++c) stat_tol[c] = bound::rounded(var[c]);
  require_close(on_host<Set, float>(VAR), var, stat_tol, "var");
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t c = channel(i);
    const double scale = gamma[c] / std::sqrt(var[c] + kEps);
    y_tol[i] = bound::normalized(x[i] * scale, beta[c] - mean[c] * scale);
  }
  require_close(on_host<Set, float>(Y), y, y_tol, "y");

  // Running statistics: a handful of float roundings on each side.
  std::vector<double> rm = widened(running_mean), rv = widened(running_var), rm_tol(s.C),
                      rv_tol(s.C);
  cpu::batchnorm_update_running<double>(rm.data(), rv.data(), widened(mean_f).data(),
                                        widened(var_f).data(), s.C, count, kMomentum);
  for (int c = 0; c < s.C; ++c) {
    rm_tol[c] = bound::float_formula(0.9 * std::fabs(running_mean[c]) + 0.1 * std::fabs(mean_f[c]));
    rv_tol[c] = bound::float_formula(0.9 * running_var[c] + 0.2 * var_f[c]);
  }
  Tensor MEAN_F = on_device<Set>(mean_f), VAR_F = on_device<Set>(var_f);
  Tensor RM2 = RM.clone(), RV2 = RV.clone();
  cuda::batchnorm_update_running<Set>(RM2.data<float>(), RV2.data<float>(), MEAN_F.data<float>(),
                                      VAR_F.data<float>(), s.C, count, kMomentum, stream);
  require_close(on_host<Set, float>(RM2), rm, rm_tol, "running_mean");
  require_close(on_host<Set, float>(RV2), rv, rv_tol, "running_var");

  // Evaluation: float operations as the reference (scale, shift, then x * scale + shift).
  std::vector<double> y_eval(size), eval_tol(size);
  cpu::batchnorm_forward_eval<double>(y_eval.data(), widened(x).data(), widened(gamma).data(),
                                      widened(beta).data(), widened(running_mean).data(),
                                      widened(running_var).data(), s.N, s.C, s.HW, kEps);
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t c = channel(i);
    const double scale = gamma[c] / std::sqrt(running_var[c] + double{kEps});
    eval_tol[i] = bound::float_formula(std::fabs(x[i] * scale) + std::fabs(beta[c]) +
                                       std::fabs(running_mean[c] * scale));
  }
  Tensor Y_EVAL = on_device<Set>(std::vector<float>(size, kPoison));
  cuda::batchnorm_forward_eval<Set>(Y_EVAL.data<float>(), X.data<float>(), G.data<float>(),
                                    B.data<float>(), RM.data<float>(), RV.data<float>(), s.N, s.C,
                                    s.HW, kEps, stream);
  require_close(on_host<Set, float>(Y_EVAL), y_eval, eval_tol, "y (evaluation)");

  // Backward from the float statistics. dbeta and dgamma: one rounding of a double sum (plus the
  // double's own error on the scale of the sum of magnitudes); dx: one rounding of a double.
  std::vector<double> dx(size), dgamma(s.C), dbeta(s.C);
  cpu::batchnorm_backward<double>(dx.data(), dgamma.data(), dbeta.data(), widened(dy).data(),
                                  widened(x).data(), widened(mean_f).data(), widened(var_f).data(),
                                  widened(gamma).data(), s.N, s.C, s.HW, kEps);
  std::vector<double> dbeta_tol(s.C), dgamma_tol(s.C), dx_tol(size);
  for (int c = 0; c < s.C; ++c) {
    dbeta_tol[c] = bound::rounded(dbeta[c]);
    dgamma_tol[c] = bound::rounded(dgamma[c]);
  }
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t c = channel(i);
    const double invstd = 1 / std::sqrt(double{var_f[c]} + kEps);
    const double xhat = (x[i] - double{mean_f[c]}) * invstd;
    dbeta_tol[c] += bound::kDoubleSumError * std::fabs(dy[i]);
    dgamma_tol[c] += bound::kDoubleSumError * std::fabs(dy[i] * xhat);
    dx_tol[i] = bound::input_gradient(
        gamma[c], invstd,
        std::fabs(dy[i]) + std::fabs(dbeta[c] / count) + std::fabs(xhat * dgamma[c] / count));
  }
  Tensor DX = on_device<Set>(std::vector<float>(size, kPoison)),
         DG = on_device<Set>(std::vector<float>(s.C, kPoison)),
         DB = on_device<Set>(std::vector<float>(s.C, kPoison));
  cuda::batchnorm_backward<Set>(DX.data<float>(), DG.data<float>(), DB.data<float>(),
                                DY.data<float>(), X.data<float>(), MEAN_F.data<float>(),
                                VAR_F.data<float>(), G.data<float>(), s.N, s.C, s.HW, kEps, stream);
  require_close(on_host<Set, float>(DB), dbeta, dbeta_tol, "dbeta");
  require_close(on_host<Set, float>(DG), dgamma, dgamma_tol, "dgamma");
  require_close(on_host<Set, float>(DX), dx, dx_tol, "dx");
}

template <class Set>
void check_batchnorm_shapes() {
  unsigned seed = 21;
  for (BnShape s : {BnShape{1, 3, 35},     // batch 1, planes smaller than a block
                    BnShape{33, 2, 9},     // batch 33
                    BnShape{2, 5, 323},    // planes longer than a block, odd
                    BnShape{3, 1, 1},      // one value per plane
                    BnShape{2, 1, 4096},   // few planes: each cut into 4 slices of 1024
                    BnShape{1, 2, 3001}})  // 3 slices, the last ending in a partial quad (HW
                                           // not a multiple of 4: one value at a time)
    check_batchnorm<Set>(s, seed++);
}

TEST_CASE("batchnorm: emulator matches the CPU reference up to float32 rounding",
          "[batchnorm][emulator]") {
  check_batchnorm_shapes<cuda::Emulated>();
}

TEST_CASE("batchnorm: GPU matches the CPU reference up to float32 rounding", "[batchnorm][gpu]") {
  on_gpu([]<class Set>() { check_batchnorm_shapes<Set>(); });
}

// The kernels read and write four values at a time, as one 16-byte access only where the
// addresses allow: tensors one float off that boundary must give the same bits.
template <class Set>
void check_batchnorm_alignment() {
  constexpr int N = 1, C = 2, HW = 4096;
  constexpr std::size_t size = static_cast<std::size_t>(N) * C * HW;
  std::mt19937 rng(5);
  const std::vector<float> x = random_floats(size, rng, 1.5f, 2.5f), dy = random_floats(size, rng),
                           gamma = random_floats(C, rng, 0.5f, 1.5f), beta = random_floats(C, rng);
  // Each run's arrays start `shift` floats into their tensors.
  auto run = [&](int shift) {
    auto shifted = [&](const std::vector<float>& v) {
      std::vector<float> padded(shift, kPoison);
      padded.insert(padded.end(), v.begin(), v.end());
      return on_device<Set>(padded);
    };
    Tensor X = shifted(x), DY = shifted(dy), G = on_device<Set>(gamma), B = on_device<Set>(beta),
           Y = shifted(std::vector<float>(size, kPoison)),
           DX = shifted(std::vector<float>(size, kPoison)),
           MEAN = on_device<Set>(std::vector<float>(C)),
           VAR = on_device<Set>(std::vector<float>(C)), DG = on_device<Set>(std::vector<float>(C)),
           DB = on_device<Set>(std::vector<float>(C));
    const cuda::Stream stream = stream_of<Set>();
    cuda::batchnorm_forward_train<Set>(Y.data<float>() + shift, MEAN.data<float>(),
                                       VAR.data<float>(), X.data<float>() + shift, G.data<float>(),
                                       B.data<float>(), N, C, HW, kEps, stream);
    cuda::batchnorm_backward<Set>(DX.data<float>() + shift, DG.data<float>(), DB.data<float>(),
                                  DY.data<float>() + shift, X.data<float>() + shift,
                                  MEAN.data<float>(), VAR.data<float>(), G.data<float>(), N, C, HW,
                                  kEps, stream);
    std::vector<float> out = on_host<Set, float>(Y), dx = on_host<Set, float>(DX);
    out.erase(out.begin(), out.begin() + shift);
    dx.erase(dx.begin(), dx.begin() + shift);
    for (const Tensor* t : {&MEAN, &VAR, &DG, &DB})
      for (float v : on_host<Set, float>(*t)) out.push_back(v);
    out.insert(out.end(), dx.begin(), dx.end());
    return out;
  };
  const std::vector<float> aligned = run(0);
  require_identical(run(1), aligned, "y, statistics and gradients one float off alignment");
  require_identical(run(2), aligned, "two floats off");
}

TEST_CASE("batchnorm: results do not depend on the alignment of the tensors",
          "[batchnorm][emulator]") {
  check_batchnorm_alignment<cuda::Emulated>();
}

TEST_CASE("batchnorm: GPU results do not depend on the alignment of the tensors",
          "[batchnorm][gpu]") {
  on_gpu([]<class Set>() { check_batchnorm_alignment<Set>(); });
}

}  // namespace
}  // namespace braincam::test
