// The multi-tensor Adam kernel against the per-parameter CPU reference run in double on the same
// float inputs: not bitwise, a few u of the magnitudes involved (kernels/bounds/adam.h). A wrong
// formula or a skipped element is far outside it.
#include "kernels/cpu/adam.h"

#include "kernels/bounds/adam.h"
#include "kernels/cuda/adam.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

constexpr double kLr = 1e-3, kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;

struct Parameter {
  std::vector<float> p, m, v, g;
  long step;  // after this update
};

template <class Set>
void check_adam() {
  std::mt19937 rng(71);
  // Sizes from one element up to several blocks, each at its own step count (a parameter that
  // missed steps keeps a smaller count); 20 parameters, more than one launch stores (16).
  std::vector<std::pair<int, long>> shapes{{1, 1}, {7, 2}, {300, 5}, {1000, 100}, {33, 1}};
  for (int i = 0; i < 15; ++i) shapes.emplace_back(1 + 5 * i, 1 + i);
  std::vector<Parameter> params;
  for (auto [n, step] : shapes) {
    Parameter q{random_floats(n, rng), random_floats(n, rng, -0.1f, 0.1f),
                random_floats(n, rng, 0, 0.01f), random_floats(n, rng), step};
    if (step == 1) {  // a first step starts from zero moments
      std::fill(q.m.begin(), q.m.end(), 0.0f);
      std::fill(q.v.begin(), q.v.end(), 0.0f);
    }
    params.push_back(std::move(q));
  }

  std::vector<Tensor> P, M, V, G;
  std::vector<cuda::AdamTensor> tensors;
  for (const Parameter& q : params) {
    P.push_back(on_device<Set>(q.p));
    M.push_back(on_device<Set>(q.m));
    V.push_back(on_device<Set>(q.v));
    G.push_back(on_device<Set>(q.g));
    tensors.push_back(cuda::adam_tensor(
        P.back().data<float>(), M.back().data<float>(), V.back().data<float>(),
        G.back().data<float>(), static_cast<long>(q.p.size()), kLr, kBeta1, kBeta2, q.step));
  }
  cuda::adam_update_all<Set>(tensors.data(), static_cast<int>(tensors.size()), kBeta1, kBeta2, kEps,
                             stream_of<Set>());

  for (std::size_t t = 0; t < params.size(); ++t) {
    const Parameter& q = params[t];
    INFO("parameter " << t << " of " << q.p.size() << " elements at step " << q.step);
    std::vector<double> p = widened(q.p), m = widened(q.m), v = widened(q.v);
    cpu::adam_update<double>(p.data(), m.data(), v.data(), widened(q.g).data(),
                             static_cast<long>(p.size()), kLr, kBeta1, kBeta2, kEps, q.step);
    std::vector<double> p_tol(p.size()), m_tol(p.size()), v_tol(p.size());
    const double step_size = kLr / (1 - std::pow(kBeta1, q.step)),
                 correction2 = std::sqrt(1 - std::pow(kBeta2, q.step));
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double g = q.g[i];
      m_tol[i] =
          bounds::adam::first_moment(kBeta1 * std::fabs(q.m[i]) + (1 - kBeta1) * std::fabs(g));
      v_tol[i] = bounds::adam::second_moment(kBeta2 * q.v[i] + (1 - kBeta2) * g * g);
      const double update = step_size * std::fabs(m[i]) / (std::sqrt(v[i]) / correction2 + kEps);
      p_tol[i] = bounds::adam::parameter(p[i], update);
    }
    require_close(on_host<Set, float>(M[t]), m, m_tol, "m");
    require_close(on_host<Set, float>(V[t]), v, v_tol, "v");
    require_close(on_host<Set, float>(P[t]), p, p_tol, "param");
  }
}

TEST_CASE("adam: one emulated launch updates every parameter as the CPU reference, to a few ulp",
          "[adam][emulator]") {
  check_adam<cuda::Emulated>();
}

TEST_CASE("adam: one GPU launch updates every parameter as the CPU reference, to a few ulp",
          "[adam][gpu]") {
  on_gpu([]<class Set>() { check_adam<Set>(); });
}

TEST_CASE("adam: no parameters is no launch", "[adam][emulator]") {
  REQUIRE_NOTHROW(cuda::adam_update_all<cuda::Emulated>(nullptr, 0, kBeta1, kBeta2, kEps, nullptr));
}

}  // namespace
}  // namespace braincam::test
