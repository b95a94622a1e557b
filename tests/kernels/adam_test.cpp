// The multi-tensor Adam kernel against the per-parameter CPU reference run in double on the same
// float inputs: not bitwise, a few u of the magnitudes involved (kernels/bounds/adam.h). A wrong
// formula or a skipped element is far outside it. The reference itself, with and without
// decoupled weight decay, against AdamW's formula written out in float64.
#include "kernels/cpu/adam.h"

#include "kernels/bounds/adam.h"
#include "kernels/cuda/adam.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

constexpr double kLr = 1e-3, kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
// Decays a parameter by 5e-5 of itself per step: a missing or misplaced decay is some thousand
// times the tolerance.
constexpr double kWeightDecay = 0.05;

struct Parameter {
  std::vector<float> p, m, v, g;
  long step;  // after this update
};

// Sizes from one element up to several blocks, each at its own step count (a parameter that
// missed steps keeps a smaller count); 20 parameters, more than one launch stores (16).
std::vector<Parameter> random_parameters() {
  std::mt19937 rng(71);
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
  return params;
}

// A parameter's values after the update, and their float32 bounds.
struct Expected {
  std::vector<double> p, m, v;
  std::vector<double> p_tol, m_tol, v_tol;
};

// torch.optim.AdamW's step in float64 from q's float values: p·(1 − lr·λ), then the Adam update.
Expected adamw_in_double(const Parameter& q, double weight_decay) {
  const double step_size = kLr / (1 - std::pow(kBeta1, q.step)),
               correction2 = std::sqrt(1 - std::pow(kBeta2, q.step));
  Expected e;
  for (std::size_t i = 0; i < q.p.size(); ++i) {
    const double g = q.g[i];
    const double m = kBeta1 * q.m[i] + (1 - kBeta1) * g;
    const double v = kBeta2 * q.v[i] + (1 - kBeta2) * g * g;
    const double update = step_size * m / (std::sqrt(v) / correction2 + kEps);
    e.p.push_back(q.p[i] * (1 - kLr * weight_decay) - update);
    e.m.push_back(m);
    e.v.push_back(v);
    e.m_tol.push_back(
        bounds::adam::first_moment(kBeta1 * std::fabs(q.m[i]) + (1 - kBeta1) * std::fabs(g)));
    e.v_tol.push_back(bounds::adam::second_moment(kBeta2 * q.v[i] + (1 - kBeta2) * g * g));
    e.p_tol.push_back(weight_decay == 0
                          ? bounds::adam::parameter(q.p[i], std::fabs(update))
                          : bounds::adam::decayed_parameter(q.p[i], std::fabs(update)));
  }
  return e;
}

template <class T>
void run_reference(std::vector<T>& p, std::vector<T>& m, std::vector<T>& v, const std::vector<T>& g,
                   long step, double weight_decay) {
  cpu::adam_update<T>(p.data(), m.data(), v.data(), g.data(), static_cast<long>(p.size()), kLr,
                      kBeta1, kBeta2, kEps, weight_decay, step);
}

template <class Set>
void check_adam(double weight_decay) {
  const std::vector<Parameter> params = random_parameters();
  std::vector<Tensor> P, M, V, G;
  std::vector<cuda::AdamTensor> tensors;
  for (const Parameter& q : params) {
    P.push_back(on_device<Set>(q.p));
    M.push_back(on_device<Set>(q.m));
    V.push_back(on_device<Set>(q.v));
    G.push_back(on_device<Set>(q.g));
    tensors.push_back(cuda::adam_tensor(P.back().data<float>(), M.back().data<float>(),
                                        V.back().data<float>(), G.back().data<float>(),
                                        static_cast<long>(q.p.size()), kLr, kBeta1, kBeta2,
                                        weight_decay, q.step));
  }
  cuda::adam_update_all<Set>(tensors.data(), static_cast<int>(tensors.size()), kBeta1, kBeta2, kEps,
                             stream_of<Set>());

  for (std::size_t t = 0; t < params.size(); ++t) {
    const Parameter& q = params[t];
    INFO("parameter " << t << " of " << q.p.size() << " elements at step " << q.step
                      << ", weight decay " << weight_decay);
    std::vector<double> p = widened(q.p), m = widened(q.m), v = widened(q.v);
    run_reference<double>(p, m, v, widened(q.g), q.step, weight_decay);
    const Expected e = adamw_in_double(q, weight_decay);
    require_close(on_host<Set, float>(M[t]), m, e.m_tol, "m");
    require_close(on_host<Set, float>(V[t]), v, e.v_tol, "v");
    require_close(on_host<Set, float>(P[t]), p, e.p_tol, "param");
  }
}

TEST_CASE("adam: one emulated launch updates every parameter as the CPU reference, to a few ulp",
          "[adam][emulator]") {
  check_adam<cuda::Emulated>(0);
  check_adam<cuda::Emulated>(kWeightDecay);
}

TEST_CASE("adam: one GPU launch updates every parameter as the CPU reference, to a few ulp",
          "[adam][gpu]") {
  on_gpu([]<class Set>() {
    check_adam<Set>(0);
    check_adam<Set>(kWeightDecay);
  });
}

// |got - want| within the float bound scaled by the ratio of double's unit roundoff to float's,
// 2^-29: the same bound in double's roundings.
void require_close_in_double(const std::vector<double>& got, const std::vector<double>& want,
                             const std::vector<double>& float_tolerance, const char* what) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= std::ldexp(float_tolerance[i], -29)))
      FAIL(what << "[" << i << "]: got " << got[i] << ", want " << want[i]);
}

TEST_CASE("adam: the CPU reference is AdamW's formula in float64, within the bounds of its type",
          "[adam][cpu]") {
  for (double weight_decay : {0.0, kWeightDecay}) {
    for (const Parameter& q : random_parameters()) {
      INFO(q.p.size() << " elements at step " << q.step << ", weight decay " << weight_decay);
      const Expected e = adamw_in_double(q, weight_decay);
      std::vector<float> p = q.p, m = q.m, v = q.v;
      run_reference<float>(p, m, v, q.g, q.step, weight_decay);
      require_close(m, e.m, e.m_tol, "float m");
      require_close(v, e.v, e.v_tol, "float v");
      require_close(p, e.p, e.p_tol, "float param");
      std::vector<double> pd = widened(q.p), md = widened(q.m), vd = widened(q.v);
      run_reference<double>(pd, md, vd, widened(q.g), q.step, weight_decay);
      require_close_in_double(md, e.m, e.m_tol, "double m");
      require_close_in_double(vd, e.v, e.v_tol, "double v");
      require_close_in_double(pd, e.p, e.p_tol, "double param");
    }
  }
}

TEST_CASE("adam: a descriptor's decay factor is 1 - lr * weight_decay, 1 without decay",
          "[adam][cpu]") {
  float x = 0;
  CHECK(cuda::adam_tensor(&x, &x, &x, &x, 1, 0.5, kBeta1, kBeta2, 0, 3).decay == 1.0f);
  CHECK(cuda::adam_tensor(&x, &x, &x, &x, 1, 0.5, kBeta1, kBeta2, 0.1, 3).decay == 0.95f);
}

TEST_CASE("adam: no parameters is no launch", "[adam][emulator]") {
  REQUIRE_NOTHROW(cuda::adam_update_all<cuda::Emulated>(nullptr, 0, kBeta1, kBeta2, kEps, nullptr));
}

}  // namespace
}  // namespace braincam::test
