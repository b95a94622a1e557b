// braincam_gpu_benchmarks: each hand-written CUDA kernel at the model's shapes (batch 32 and
// batch 1) against the library equivalent where there is one (cuDNN, cuBLAS, the CUDA runtime),
// alone otherwise, timed with CUDA events (warm-up, then the median of --reps repetitions, input
// buffers rotated so that the L2 cache holds none of them), beside the card's measured ceilings
// (FP32 FMA throughput, copy bandwidth). See docs/benchmarks.md.
//
//   braincam_gpu_benchmarks [--reps 50] [--warmup 5] [--batch 32 --batch 1] [--op NAME]...
//                           [--json FILE]
//
// Ours runs through the engine's ops on Device::CUDA, as the model runs them (add_inplace through
// the launcher the autograd calls); an op without a CUDA kernel yet is reported as "no kernel"
// and only the library is timed. --op runs one op's rows only (the names of row_groups()). Exits
// 77 without a GPU.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "benchmarks/gpu/cublas_linear.h"
#include "benchmarks/gpu/cudnn_baselines.h"
#include "benchmarks/gpu/device_ceilings.h"
#include "benchmarks/gpu/gpu_timer.h"
#include "engine/adam.h"
#include "engine/autograd.h"
#include "engine/cuda/check.h"
#include "engine/device_memory.h"
#include "engine/gpu_runtime.h"
#include "engine/ops.h"
#include "kernels/cuda/add_inplace.h"

namespace braincam::bench {

namespace {

constexpr int kC = 3, kK = 32, kSize = 240;

struct Row {
  Row(std::string name_, int batch_, double flops_, double bytes_)
      : name(std::move(name_)), batch(batch_), flops(flops_), bytes(bytes_) {}
  std::string name;
  int batch;
  double flops, bytes;  // nominal: 2 per multiply-add; each tensor read or written once
  std::optional<double> ours_ms, library_ms;
  std::string ours_status = "ok", library;
};

class Runner {
 public:
  Runner(int warmup, int reps)
      : stream_(static_cast<cudaStream_t>(gpu::stream())),
        warmup_(warmup),
        reps_(reps),
        dnn_(stream_),
        blas_(stream_) {}

  cudaStream_t stream() const { return stream_; }
  Cudnn& dnn() { return dnn_; }
  Cublas& blas() { return blas_; }

  double time(const std::function<void(int)>& body) {
    return median_ms(stream_, warmup_, reps_, body);
  }

  // Times ours: setup() builds what each repetition needs and returns the repetition. An op
  // without a CUDA kernel yet, or any other failure, becomes the row's status.
  void time_ours(Row& row, const std::function<std::function<void(int)>()>& setup) {
    try {
      const std::function<void(int)> body = setup();
      row.ours_ms = time([&](int rep) {
        body(rep);
        gpu::check_launch(row.name.c_str());
      });
    } catch (const std::exception& e) {
      const std::string what = e.what();
      row.ours_status =
          what.find("no kernel for device") != std::string::npos ? "no kernel" : "error: " + what;
    }
  }

  // Times each library variant and keeps the fastest.
  void time_library(Row& row, const std::vector<std::function<LibraryCall()>>& variants) {
    for (const auto& make : variants) {
      try {
        const LibraryCall call = make();
        const double ms = time(call.run);
        if (!row.library_ms || ms < *row.library_ms) {
          row.library_ms = ms;
          row.library = call.description;
        }
      } catch (const std::exception& e) {
        if (!row.library_ms) row.library = std::string("error: ") + e.what();
      }
    }
  }

  Tensor random(Shape shape, unsigned seed, float lo = -1.0f, float hi = 1.0f) {
    Tensor t(std::move(shape), DType::F32, Device::CUDA);
    fill_uniform(t.data<float>(), t.numel(), seed, lo, hi, stream_);
    return t;
  }
  std::vector<Tensor> random_sets(const Shape& shape, int sets, unsigned seed, float lo = -1.0f,
                                  float hi = 1.0f) {
    std::vector<Tensor> v;
    for (int i = 0; i < sets; ++i) v.push_back(random(shape, seed + i, lo, hi));
    return v;
  }

 private:
  cudaStream_t stream_;
  int warmup_, reps_;
  Cudnn dnn_;
  Cublas blas_;
};

std::vector<const float*> in(const std::vector<Tensor>& v) {
  std::vector<const float*> p;
  for (const Tensor& t : v) p.push_back(t.data<float>());
  return p;
}
std::vector<float*> out(const std::vector<Tensor>& v) {
  std::vector<float*> p;
  for (const Tensor& t : v) p.push_back(t.data<float>());
  return p;
}
std::vector<Tensor> empty_sets(const Shape& shape, int sets) {
  std::vector<Tensor> v;
  for (int i = 0; i < sets; ++i) v.emplace_back(shape, DType::F32, Device::CUDA);
  return v;
}
Nchw nchw(const Shape& s) {
  return {static_cast<int>(s[0]), static_cast<int>(s[1]), static_cast<int>(s[2]),
          static_cast<int>(s[3])};
}

// The backward closures of `outputs`, one per set of inputs, for timing the backward pass alone:
// the graph is recorded once per set, the closures called once per repetition. An output's
// closure is its op's, followed, for a chain of ops, by those of the ops behind its first input
// in turn, each given the gradient of that input.
std::function<void(int)> backward_only(const std::vector<Var>& outputs,
                                       const std::vector<Tensor>& dy) {
  std::vector<std::vector<std::shared_ptr<GradFn>>> chains;
  for (const Var& y : outputs) {
    chains.emplace_back();
    for (Var v = y; v.grad_fn(); v = v.grad_fn()->inputs[0]) chains.back().push_back(v.grad_fn());
  }
  return [chains, dy](int rep) {
    Tensor g = dy[rep % dy.size()];
    for (const auto& fn : chains[rep % chains.size()]) g = fn->backward(g)[0];
  };
}

std::size_t bytes_of(const Shape& s) { return shape_numel(s) * sizeof(float); }

void conv_rows(Runner& r, int N, std::vector<Row>& rows) {
  const Shape x_shape{N, kC, kSize, kSize}, y_shape{N, kK, kSize, kSize}, w_shape{kK, kC, 5, 5};
  const double flops = 2.0 * N * kK * kC * 25 * kSize * kSize;
  const int sets = rotation_sets(bytes_of(x_shape) + bytes_of(y_shape));
  const auto x = r.random_sets(x_shape, sets, 10, 0.0f, 1.0f),
             dy = r.random_sets(y_shape, sets, 20);
  const Tensor w = r.random(w_shape, 1, -0.1f, 0.1f), b = r.random({kK}, 2, -0.1f, 0.1f);
  Tensor dw(w_shape, DType::F32, Device::CUDA), db({kK}, DType::F32, Device::CUDA);
  auto y = empty_sets(y_shape, sets);

  // Ours is FP32: it is timed against strict FP32 cuDNN; the TF32 rows show the library alone.
  const std::string fp32_only = "not timed: FP32 kernel, see the FP32 row";
  for (const auto& [math, label] :
       {std::pair{CUDNN_FMA_MATH, ""}, std::pair{CUDNN_DEFAULT_MATH, ", library TF32"}}) {
    Row fwd{std::string("conv5x5 forward") + label, N, flops,
            static_cast<double>(bytes_of(x_shape) + bytes_of(w_shape) + bytes_of(y_shape))};
    if (math != CUDNN_FMA_MATH)
      fwd.ours_status = fp32_only;
    else
      r.time_ours(fwd, [&] {
        return [&](int rep) {
          NoGradScope no_grad;
          conv5x5(Var(x[rep % x.size()]), Var(w), Var(b));
        };
      });
    r.time_library(fwd, {[&] {
                     return conv5x5_forward(r.dnn(), nchw(x_shape), kK, math, in(x),
                                            w.data<float>(), b.data<float>(), out(y));
                   }});
    rows.push_back(fwd);

    Row wgrad{std::string("conv5x5 weight+bias gradient") + label, N, flops,
              static_cast<double>(bytes_of(x_shape) + bytes_of(y_shape) + bytes_of(w_shape))};
    if (math != CUDNN_FMA_MATH)
      wgrad.ours_status = fp32_only;
    else
      r.time_ours(wgrad, [&] {
        std::vector<Var> outputs;
        const Var wv(w, true), bv(b, true);
        for (const Tensor& xs : x) outputs.push_back(conv5x5(Var(xs), wv, bv));
        return backward_only(outputs, dy);
      });
    r.time_library(wgrad, {[&] {
                     return conv5x5_weight_gradient(r.dnn(), nchw(x_shape), kK, math, in(x), in(dy),
                                                    dw.data<float>(), db.data<float>());
                   }});
    rows.push_back(wgrad);
  }
}

void batchnorm_rows(Runner& r, int N, std::vector<Row>& rows) {
  const Shape shape{N, kK, kSize, kSize};
  const double n = static_cast<double>(shape_numel(shape));
  const int sets = rotation_sets(2 * bytes_of(shape));
  const auto x = r.random_sets(shape, sets, 30, -1.0f, 3.0f), dy = r.random_sets(shape, sets, 40);
  auto y = empty_sets(shape, sets);
  const Tensor gamma = r.random({kK}, 3, 0.5f, 1.5f), beta = r.random({kK}, 4, -0.5f, 0.5f);
  Tensor running_mean = r.random({kK}, 5, -0.1f, 0.1f), running_var = r.random({kK}, 6, 0.5f, 1.5f);
  const std::vector<cudnnBatchNormMode_t> modes{CUDNN_BATCHNORM_SPATIAL,
                                                CUDNN_BATCHNORM_SPATIAL_PERSISTENT};

  // Forward: sum and sum of squares (3 flops), then the scale and shift (2): 5 per element.
  Row fwd{"batchnorm training forward", N, 5 * n, 2 * n * sizeof(float)};
  r.time_ours(fwd, [&] {
    return [&](int rep) {
      NoGradScope no_grad;
      batchnorm_train(Var(x[rep % x.size()]), Var(gamma), Var(beta), running_mean, running_var, 0.1,
                      1e-5);
    };
  });
  std::vector<std::function<LibraryCall()>> fwd_variants, bwd_variants;
  for (const auto mode : modes) {
    fwd_variants.push_back([&, mode] {
      return batchnorm_forward_training(r.dnn(), nchw(shape), mode, in(x), out(y));
    });
    bwd_variants.push_back([&, mode] {
      return batchnorm_backward(r.dnn(), nchw(shape), mode, in(x), in(dy), out(y));
    });
  }
  r.time_library(fwd, fwd_variants);
  rows.push_back(fwd);

  // Backward: two reductions (sum dy, sum dy * xhat: 3 flops) and dx (5 flops): 8 per element.
  Row bwd{"batchnorm backward", N, 8 * n, 3 * n * sizeof(float)};
  r.time_ours(bwd, [&] {
    std::vector<Var> outputs;
    const Var g(gamma, true), be(beta, true);
    for (const Tensor& xs : x)
      outputs.push_back(
          batchnorm_train(Var(xs, true), g, be, running_mean, running_var, 0.1, 1e-5));
    return backward_only(outputs, dy);
  });
  r.time_library(bwd, bwd_variants);
  rows.push_back(bwd);

  // Evaluation: the running statistics' scale and shift (2 flops per element).
  Row eval{"batchnorm evaluation forward", N, 2 * n, 2 * n * sizeof(float)};
  r.time_ours(eval, [&] {
    return [&](int rep) {
      NoGradScope no_grad;
      batchnorm_eval(Var(x[rep % x.size()]), Var(gamma), Var(beta), running_mean, running_var,
                     1e-5);
    };
  });
  r.time_library(
      eval, {[&] { return batchnorm_forward_inference(r.dnn(), nchw(shape), in(x), out(y)); }});
  rows.push_back(eval);
}

void maxpool_rows(Runner& r, int N, int size, const char* label, std::vector<Row>& rows) {
  const Shape x_shape{N, kK, size, size}, y_shape{N, kK, size / 4, size / 4};
  const int sets = rotation_sets(bytes_of(x_shape) + bytes_of(y_shape));
  const auto x = r.random_sets(x_shape, sets, 50), dy = r.random_sets(y_shape, sets, 60);
  auto y = empty_sets(y_shape, sets), dx = empty_sets(x_shape, sets);
  // Comparisons are not flops: pooling rows have no GFLOP/s. Ours also writes the winners'
  // indices for the backward pass (the training forward).
  Row fwd{std::string("maxpool4 forward, ") + label, N, 0,
          static_cast<double>(bytes_of(x_shape) + bytes_of(y_shape))};
  r.time_ours(fwd, [&] { return [&](int rep) { maxpool4(Var(x[rep % x.size()], true)); }; });
  r.time_library(fwd, {[&] { return maxpool4_forward(r.dnn(), nchw(x_shape), in(x), out(y)); }});
  rows.push_back(fwd);
  // cuDNN needs y for its backward pass: fill it with the forward results.
  const LibraryCall forward = maxpool4_forward(r.dnn(), nchw(x_shape), in(x), out(y));
  for (int i = 0; i < sets; ++i) forward.run(i);

  Row bwd{std::string("maxpool4 backward, ") + label, N, 0,
          static_cast<double>(bytes_of(y_shape) + bytes_of(x_shape))};
  r.time_ours(bwd, [&] {
    std::vector<Var> outputs;
    for (const Tensor& xs : x) outputs.push_back(maxpool4(Var(xs, true)));
    return backward_only(outputs, dy);
  });
  r.time_library(bwd, {[&] {
                   return maxpool4_backward(r.dnn(), nchw(x_shape), in(x), in(y), in(dy), out(dx));
                 }});
  rows.push_back(bwd);
}

// Library calls made one after the other as one.
LibraryCall in_sequence(const std::vector<LibraryCall>& calls) {
  std::string description;
  for (const LibraryCall& c : calls)
    description += (description.empty() ? "" : " + ") + c.description;
  return {[calls](int rep) {
            for (const LibraryCall& c : calls) c.run(rep);
          },
          description};
}

// The fused first layer (kernels/cuda/conv_bn_relu_pool.cu: conv5x5, batchnorm with batch
// statistics, ReLU and maxpool4 in one pass that never writes the 240x240 activation, and its
// sparse backward) against the same four ops in cuDNN called one after the other: what the fusion
// saves. Our forward convolves on tensor cores close to float accuracy (3xTF32, about 3*2^-22
// per product), so its baseline is the faster of cuDNN's strict FP32 and its TF32 convolution
// (which rounds the products to 2^-11); the backward is FP32 on both sides. Ours computes the
// batch statistics from the images' patch moments in every call (a training step with the
// moments cached skips that part). Flops are the nominal convolution's, forward and weight
// gradient (the forward's fraction of the FP32 FMA peak is no ceiling: it runs on tensor cores);
// bytes the fused minimum: x read and the pooled output written (forward), x and its gradient
// read (backward).
void first_layer_rows(Runner& r, int N, std::vector<Row>& rows) {
  const Shape x_shape{N, kC, kSize, kSize}, y_shape{N, kK, kSize, kSize},
      p_shape{N, kK, kSize / 4, kSize / 4}, w_shape{kK, kC, 5, 5};
  const double flops = 2.0 * N * kK * kC * 25 * kSize * kSize,
               bytes = static_cast<double>(bytes_of(x_shape) + bytes_of(p_shape));
  const int sets = rotation_sets(bytes_of(x_shape) + bytes_of(p_shape));
  const auto x = r.random_sets(x_shape, sets, 90, 0.0f, 1.0f),
             dp = r.random_sets(p_shape, sets, 100);
  const Tensor w = r.random(w_shape, 9, -0.1f, 0.1f), b = r.random({kK}, 10, -0.1f, 0.1f),
               gamma = r.random({kK}, 11, 0.5f, 1.5f), beta = r.random({kK}, 12, -0.5f, 0.5f);
  Tensor running_mean = r.random({kK}, 13, -0.1f, 0.1f),
         running_var = r.random({kK}, 14, 0.5f, 1.5f);
  const Var wv(w, true), bv(b, true), gv(gamma, true), bev(beta, true);
  auto fused = [&](const Tensor& images) {
    return conv_bn_relu_pool(Var(images), wv, bv, gv, bev, running_mean, running_var,
                             /*training=*/true, 0.1, 1e-5);
  };

  // cuDNN's intermediates flush the L2 cache on their own: two sets of buffers are enough.
  const int library_sets = 2;
  const std::vector<Tensor> lx(x.begin(), x.begin() + library_sets),
      ldp(dp.begin(), dp.begin() + library_sets);
  auto y = empty_sets(y_shape, library_sets), h = empty_sets(y_shape, library_sets),
       p = empty_sets(p_shape, library_sets), dh = empty_sets(y_shape, library_sets),
       dy = empty_sets(y_shape, library_sets);
  Tensor dw(w_shape, DType::F32, Device::CUDA), db({kK}, DType::F32, Device::CUDA);
  const Nchw x_dims = nchw(x_shape), y_dims = nchw(y_shape);
  auto library_forward = [&](cudnnBatchNormMode_t mode, cudnnMathType_t math) {
    return in_sequence({conv5x5_forward(r.dnn(), x_dims, kK, math, in(lx), w.data<float>(),
                                        b.data<float>(), out(y)),
                        batchnorm_forward_training(r.dnn(), y_dims, mode, in(y), out(h)),
                        relu_forward(r.dnn(), y_dims, in(h), out(h)),
                        maxpool4_forward(r.dnn(), y_dims, in(h), out(p))});
  };
  const std::vector<cudnnBatchNormMode_t> modes{CUDNN_BATCHNORM_SPATIAL,
                                                CUDNN_BATCHNORM_SPATIAL_PERSISTENT};

  Row fwd{"conv+bn+relu+pool forward, training", N, flops, bytes};
  r.time_ours(fwd, [&] { return [&](int rep) { fused(x[rep % x.size()]); }; });
  std::vector<std::function<LibraryCall()>> fwd_variants, bwd_variants;
  for (const auto mode : modes) {
    for (const auto math : {CUDNN_FMA_MATH, CUDNN_DEFAULT_MATH})
      fwd_variants.push_back([&, mode, math] { return library_forward(mode, math); });
    bwd_variants.push_back([&, mode] {
      // The backward reads the forward's outputs: run it once on every set first.
      const LibraryCall forward = library_forward(mode, CUDNN_FMA_MATH);
      for (int i = 0; i < library_sets; ++i) forward.run(i);
      return in_sequence({maxpool4_backward(r.dnn(), y_dims, in(h), in(p), in(ldp), out(dh)),
                          relu_backward(r.dnn(), y_dims, in(h), in(dh), out(dh)),
                          batchnorm_backward(r.dnn(), y_dims, mode, in(y), in(dh), out(dy)),
                          conv5x5_weight_gradient(r.dnn(), x_dims, kK, CUDNN_FMA_MATH, in(lx),
                                                  in(dy), dw.data<float>(), db.data<float>())});
    });
  }
  r.time_library(fwd, fwd_variants);
  rows.push_back(fwd);

  Row bwd{"conv+bn+relu+pool backward", N, flops, bytes};
  r.time_ours(bwd, [&] {
    std::vector<Var> outputs;
    for (const Tensor& xs_set : x) outputs.push_back(fused(xs_set));
    return backward_only(outputs, dp);
  });
  r.time_library(bwd, bwd_variants);
  rows.push_back(bwd);
}

// CAM-guided attention and pool2 as the fast path runs them (kernels/cuda/attention_pool.cu:
// never writing the channel-gated input, the attention's output or the pooling's dense gradient)
// against braincam's own per-op kernels in turn (channel_attention, spatial_attention, maxpool4):
// no library has these ops. The forward as in inference (nothing recorded); the backward from P
// to F and the attention's weights. Bytes: the fused minimum, F read and P written (forward); F
// and dP read and dF written (backward). The work is a few flops per element: no FLOP rate.
void attention_rows(Runner& r, int N, std::vector<Row>& rows) {
  const int H = kSize / 4, hidden = kK / 8, cells = (H / 4) * (H / 4);
  const Shape f_shape{N, kK, H, H}, p_shape{N, kK, H / 4, H / 4};
  const int sets = rotation_sets(2 * bytes_of(f_shape));
  const auto F = r.random_sets(f_shape, sets, 110, 0.0f, 3.0f),
             dP = r.random_sets(p_shape, sets, 120);
  const Tensor s = r.random({N, cells}, 130, 0.0f, 2.0f / cells);
  const Var w1(r.random({hidden, kK}, 131, -0.2f, 0.2f), true),
      b1(r.random({hidden}, 132, -0.2f, 0.2f), true),
      w2(r.random({kK, hidden}, 133, -0.5f, 0.5f), true),
      b2(r.random({kK}, 134, -0.5f, 0.5f), true),
      ws(r.random({1, 2, 7, 7}, 135, -0.1f, 0.1f), true);
  auto fused = [&](const Tensor& f, bool grad) {
    return attention_pool(Var(f, grad), s, w1, b1, w2, b2, ws);
  };
  auto per_op = [&](const Tensor& f, bool grad) {
    return maxpool4(spatial_attention(channel_attention(Var(f, grad), s, w1, b1, w2, b2), ws));
  };
  const std::string per_op_name =
      "braincam per-op kernels: channel_attention, spatial_attention, maxpool4";
  auto per_op_call = [&](std::function<void(int)> run) {
    return LibraryCall{std::move(run), per_op_name};
  };

  Row fwd{"attention+pool2 forward, fused", N, 0,
          static_cast<double>(bytes_of(f_shape) + bytes_of(p_shape))};
  r.time_ours(fwd, [&] {
    return [&](int rep) {
      NoGradScope no_grad;
      fused(F[rep % sets], false);
    };
  });
  r.time_library(fwd, {[&] {
                   return per_op_call([&](int rep) {
                     NoGradScope no_grad;
                     per_op(F[rep % sets], false);
                   });
                 }});
  rows.push_back(fwd);

  Row bwd{"attention+pool2 backward, fused", N, 0,
          static_cast<double>(2 * bytes_of(f_shape) + bytes_of(p_shape))};
  auto backward_of = [&](auto&& op) {
    std::vector<Var> outputs;
    for (const Tensor& f : F) outputs.push_back(op(f, true));
    return backward_only(outputs, dP);
  };
  r.time_ours(bwd, [&] { return backward_of(fused); });
  r.time_library(bwd, {[&] { return per_op_call(backward_of(per_op)); }});
  rows.push_back(bwd);
}

void linear_rows(Runner& r, int N, std::vector<Row>& rows) {
  const int In = kK * (kSize / 16) * (kSize / 16);
  const Shape x_shape{N, In}, w_shape{1, In}, z_shape{N, 1};
  const int sets = rotation_sets(bytes_of(x_shape));
  const auto x = r.random_sets(x_shape, sets, 70, 0.0f, 3.0f),
             dz = r.random_sets(z_shape, sets, 80);
  auto z = empty_sets(z_shape, sets), dx = empty_sets(x_shape, sets);
  const Tensor w = r.random(w_shape, 7, -0.01f, 0.01f), b = r.random({1}, 8, -0.01f, 0.01f);
  Tensor dw(w_shape, DType::F32, Device::CUDA);

  Row fwd{"linear forward", N, 2.0 * N * In,
          static_cast<double>(bytes_of(x_shape) + bytes_of(w_shape))};
  r.time_ours(fwd, [&] {
    return [&](int rep) {
      NoGradScope no_grad;
      linear(Var(x[rep % x.size()]), Var(w), Var(b));
    };
  });
  r.time_library(fwd,
                 {[&] { return linear_forward(r.blas(), N, In, in(x), w.data<float>(), out(z)); }});
  rows.push_back(fwd);

  Row bwd{"linear backward", N, 4.0 * N * In,
          static_cast<double>(2 * bytes_of(x_shape) + 2 * bytes_of(w_shape))};
  r.time_ours(bwd, [&] {
    std::vector<Var> outputs;
    const Var wv(w, true), bv(b, true);
    for (const Tensor& xs : x) outputs.push_back(linear(Var(xs, true), wv, bv));
    return backward_only(outputs, dz);
  });
  r.time_library(bwd, {[&] {
                   return linear_backward(r.blas(), N, In, in(x), w.data<float>(), in(dz), out(dx),
                                          dw.data<float>());
                 }});
  rows.push_back(bwd);
}

// The rows of an op no library has: ours is timed alone.
const char* const kTimedAlone = "timed alone: no library counterpart";

// ReLU after the first batchnorm (the per-op path), at conv1's output, against cuDNN's activation.
void relu_rows(Runner& r, int N, std::vector<Row>& rows) {
  const Shape shape{N, kK, kSize, kSize};
  const double bytes = static_cast<double>(bytes_of(shape));
  const int sets = rotation_sets(3 * bytes_of(shape));
  const auto x = r.random_sets(shape, sets, 140), dy = r.random_sets(shape, sets, 150);
  auto y = empty_sets(shape, sets), dx = empty_sets(shape, sets);

  Row fwd{"relu forward", N, 0, 2 * bytes};
  r.time_ours(fwd, [&] {
    return [&](int rep) {
      NoGradScope no_grad;
      relu(Var(x[rep % x.size()]));
    };
  });
  r.time_library(fwd, {[&] { return relu_forward(r.dnn(), nchw(shape), in(x), out(y)); }});
  rows.push_back(fwd);

  // The backward reads y where the gradient passes; x stands in for it on the library's side.
  Row bwd{"relu backward", N, 0, 3 * bytes};
  r.time_ours(bwd, [&] {
    std::vector<Var> outputs;
    for (const Tensor& xs : x) outputs.push_back(relu(Var(xs, true)));
    return backward_only(outputs, dy);
  });
  r.time_library(bwd,
                 {[&] { return relu_backward(r.dnn(), nchw(shape), in(x), in(dy), out(dx)); }});
  rows.push_back(bwd);
}

// Gradient accumulation (dst += src) at the largest tensor it meets, conv1's output gradient,
// against cuDNN's tensor addition. Ours is the launcher the autograd calls.
void add_inplace_rows(Runner& r, int N, std::vector<Row>& rows) {
  const Shape shape{N, kK, kSize, kSize};
  const int sets = rotation_sets(2 * bytes_of(shape));
  const auto src = r.random_sets(shape, sets, 160), dst = r.random_sets(shape, sets, 170);
  const double n = static_cast<double>(shape_numel(shape));
  Row row{"add_inplace (gradient accumulation)", N, n, 3 * n * sizeof(float)};
  r.time_ours(row, [&] {
    return [&](int rep) {
      const std::size_t i = rep % sets;
      cuda::add_inplace<cuda::Gpu>(dst[i].data<float>(), src[i].data<float>(), static_cast<long>(n),
                                   gpu::stream());
    };
  });
  r.time_library(row, {[&] { return add_tensor(r.dnn(), nchw(shape), in(src), out(dst)); }});
  rows.push_back(row);
}

// The CAM maps: cam_guidance (pool1's 4x4 maxima of F weighted by fc's weights, then a softmax
// over the 15x15 cells) and cam_reduce (P weighted by fc's weights), both constants of the step.
void cam_rows(Runner& r, int N, std::vector<Row>& rows) {
  const int H = kSize / 4, cells = (H / 4) * (H / 4);
  const Shape f_shape{N, kK, H, H}, p_shape{N, kK, H / 4, H / 4}, w_shape{1, kK * cells};
  const double products = 2.0 * N * kK * cells;
  const int sets = rotation_sets(bytes_of(f_shape));
  const auto F = r.random_sets(f_shape, sets, 180, 0.0f, 3.0f),
             P = r.random_sets(p_shape, sets, 190, 0.0f, 3.0f);
  const Tensor w = r.random(w_shape, 200, -0.01f, 0.01f);

  Row guidance{"cam_guidance", N, products,
               static_cast<double>(bytes_of(f_shape) + bytes_of(w_shape)) + N * cells * 4.0};
  r.time_ours(guidance, [&] { return [&](int rep) { cam_guidance(F[rep % sets], w); }; });
  guidance.library = kTimedAlone;
  rows.push_back(guidance);

  Row reduce{"cam_reduce", N, products,
             static_cast<double>(bytes_of(p_shape) + bytes_of(w_shape)) + N * cells * 4.0};
  r.time_ours(reduce, [&] { return [&](int rep) { cam_reduce(P[rep % sets], w); }; });
  reduce.library = kTimedAlone;
  rows.push_back(reduce);
}

// The attention's inputs at pool1's output: F, the CAM guidance and the weights.
struct AttentionInputs {
  std::vector<Tensor> F, dy;
  Tensor guidance;
  Var w1, b1, w2, b2, ws;
};

AttentionInputs attention_inputs(Runner& r, int N, unsigned seed) {
  const int H = kSize / 4, hidden = kK / 8, cells = (H / 4) * (H / 4);
  const Shape f_shape{N, kK, H, H};
  const int sets = rotation_sets(3 * bytes_of(f_shape));
  return {r.random_sets(f_shape, sets, seed, 0.0f, 3.0f),
          r.random_sets(f_shape, sets, seed + 10),
          r.random({N, cells}, seed + 20, 0.0f, 2.0f / cells),
          Var(r.random({hidden, kK}, seed + 21, -0.2f, 0.2f), true),
          Var(r.random({hidden}, seed + 22, -0.2f, 0.2f), true),
          Var(r.random({kK, hidden}, seed + 23, -0.5f, 0.5f), true),
          Var(r.random({kK}, seed + 24, -0.5f, 0.5f), true),
          Var(r.random({1, 2, 7, 7}, seed + 25, -0.1f, 0.1f), true)};
}

// One attention op alone (the per-op path), forward as in inference and backward to F and its
// weights. Bytes: F read and y written (forward); F and dy read and dF written (backward). A few
// flops per element: no FLOP rate.
void attention_op_rows(Runner& r, int N, const std::string& name, const AttentionInputs& a,
                       const std::function<Var(const Var&)>& op, std::vector<Row>& rows) {
  const double plane_bytes = static_cast<double>(bytes_of(a.F[0].shape()));
  Row fwd{name + " forward", N, 0, 2 * plane_bytes};
  r.time_ours(fwd, [&] {
    return [&](int rep) {
      NoGradScope no_grad;
      op(Var(a.F[rep % a.F.size()]));
    };
  });
  fwd.library = kTimedAlone;
  rows.push_back(fwd);

  Row bwd{name + " backward", N, 0, 3 * plane_bytes};
  r.time_ours(bwd, [&] {
    std::vector<Var> outputs;
    for (const Tensor& f : a.F) outputs.push_back(op(Var(f, true)));
    return backward_only(outputs, a.dy);
  });
  bwd.library = kTimedAlone;
  rows.push_back(bwd);
}

void channel_attention_rows(Runner& r, int N, std::vector<Row>& rows) {
  const AttentionInputs a = attention_inputs(r, N, 210);
  attention_op_rows(
      r, N, "channel_attention", a,
      [&](const Var& x) { return channel_attention(x, a.guidance, a.w1, a.b1, a.w2, a.b2); }, rows);
}

void spatial_attention_rows(Runner& r, int N, std::vector<Row>& rows) {
  const AttentionInputs a = attention_inputs(r, N, 240);
  attention_op_rows(
      r, N, "spatial_attention", a, [&](const Var& x) { return spatial_attention(x, a.ws); }, rows);
}

// The loss over the batch's logits: a few hundred bytes, so the launch is what is timed.
void bce_rows(Runner& r, int N, std::vector<Row>& rows) {
  const int sets = 2;
  const auto z = r.random_sets({N}, sets, 270, -3.0f, 3.0f),
             dloss = r.random_sets({}, sets, 280, 1.0f, 1.0f);
  Tensor labels({N}, DType::F32, Device::CUDA);
  labels.fill(1.0);
  const double bytes = 2.0 * N * sizeof(float);

  Row fwd{"bce_with_logits forward", N, 0, bytes};
  r.time_ours(fwd, [&] {
    return [&](int rep) {
      NoGradScope no_grad;
      bce_with_logits(Var(z[rep % sets]), labels);
    };
  });
  fwd.library = kTimedAlone;
  rows.push_back(fwd);

  Row bwd{"bce_with_logits backward", N, 0, 1.5 * bytes};
  r.time_ours(bwd, [&] {
    std::vector<Var> outputs;
    for (const Tensor& zs : z) outputs.push_back(bce_with_logits(Var(zs, true), labels));
    return backward_only(outputs, dloss);
  });
  bwd.library = kTimedAlone;
  rows.push_back(bwd);
}

// One Adam step of the model's 11 parameters (the descriptors' store and the update: two
// launches). The batch does not change it. Bytes: p, m, v and g read, p, m and v written.
void adam_rows(Runner& r, int N, std::vector<Row>& rows) {
  const int K = kK, hidden = kK / 8, fc_inputs = kK * (kSize / 16) * (kSize / 16);
  const std::vector<std::pair<std::string, Shape>> shapes{{"conv1.weight", {K, kC, 5, 5}},
                                                          {"conv1.bias", {K}},
                                                          {"bn1.weight", {K}},
                                                          {"bn1.bias", {K}},
                                                          {"mlp.0.weight", {hidden, K}},
                                                          {"mlp.0.bias", {hidden}},
                                                          {"mlp.2.weight", {K, hidden}},
                                                          {"mlp.2.bias", {K}},
                                                          {"spatial", {1, 2, 7, 7}},
                                                          {"fc.weight", {1, fc_inputs}},
                                                          {"fc.bias", {1}}};
  ParameterList params;
  double elements = 0;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const auto& [name, shape] = shapes[i];
    params.push_back({name, Var(r.random(shape, 300 + i, -0.1f, 0.1f), true)});
    params.back().var.accumulate_grad(r.random(shape, 320 + i, -0.01f, 0.01f));
    elements += static_cast<double>(shape_numel(shape));
  }
  Adam adam(params, AdamOptions{});
  Row row{"adam update, 11 parameters", N, 0, 7 * elements * sizeof(float)};
  r.time_ours(row, [&] { return [&](int) { adam.step(); }; });
  row.library = kTimedAlone;
  rows.push_back(row);
}

// Stored images (uint8, HWC) on the device, as the trainer keeps a training set, every value 7
// (the values do not matter for timing).
Tensor stored_images(int count) {
  Tensor images({count, kSize, kSize, kC}, DType::U8, Device::CUDA);
  images.fill(7.0);
  return images;
}

// The model input of a batch gathered from the stored images, each repetition another batch:
// at least 512 images (88 MB, more than the L2 cache holds) gathered in turn.
void gather_images_rows(Runner& r, int N, std::vector<Row>& rows) {
  const int stored = std::max(512, 2 * N), sets = stored / N;
  const Tensor images = stored_images(stored);
  std::vector<Tensor> index;
  for (int i = 0; i < sets; ++i) {
    std::vector<double> entries;
    for (int b = 0; b < N; ++b) entries.push_back((i * N + b) % stored);
    index.push_back(Tensor::from_vector({N}, entries, DType::I32).to(Device::CUDA));
  }
  const double pixels = static_cast<double>(N) * kC * kSize * kSize;
  Row row{"gather_images", N, 0, pixels * (1 + sizeof(float))};
  r.time_ours(row, [&] { return [&](int rep) { gather_images(images, index[rep % sets]); }; });
  row.library = kTimedAlone;
  rows.push_back(row);
}

// The patch moments of N stored images (kernels/cuda/patch_statistics.cu), which the trainer
// computes once per training image and a training batch without a cache computes in every step.
// Bytes: the images read and their moments (P·P + P doubles each, P = 75) written.
void patch_moment_cache_rows(Runner& r, int N, std::vector<Row>& rows) {
  const int P = kC * 25, sets = rotation_sets(static_cast<std::size_t>(N) * kSize * kSize * kC);
  std::vector<Tensor> images;
  for (int i = 0; i < sets; ++i) images.push_back(stored_images(N));
  const double bytes = static_cast<double>(N) * (kSize * kSize * kC + (P * P + P) * 8.0);
  Row row{"patch moments (patch_moment_cache)", N, 0, bytes};
  r.time_ours(row, [&] { return [&](int rep) { patch_moment_cache(images[rep % sets]); }; });
  row.library = kTimedAlone;
  rows.push_back(row);
}

// Tensor::fill on the GPU (kernels/cuda/fill.cu) at conv1's output, against cudaMemsetAsync,
// which can only write a repeated byte (zeros here).
void fill_rows(Runner& r, int N, std::vector<Row>& rows) {
  const Shape shape{N, kK, kSize, kSize};
  const int sets = rotation_sets(bytes_of(shape));
  auto t = empty_sets(shape, sets);
  Row row{"fill (Tensor::fill)", N, 0, static_cast<double>(bytes_of(shape))};
  r.time_ours(row, [&] { return [&](int rep) { t[rep % sets].fill(0.0); }; });
  r.time_library(row, {[&] {
                   return LibraryCall{
                       [&](int rep) {
                         BRAINCAM_CUDA_CHECK(cudaMemsetAsync(t[rep % sets].data<float>(), 0,
                                                             bytes_of(shape), r.stream()));
                       },
                       "cudaMemsetAsync (zeros)"};
                 }});
  rows.push_back(row);
}

// The rows of each op, by the name `--op` takes.
struct RowGroup {
  const char* op;
  std::function<void(Runner&, int N, std::vector<Row>&)> add;
};

// maxpool4 at both poolings: pool1 (240 -> 60) and pool2 (60 -> 15).
void pooling_rows(Runner& r, int N, std::vector<Row>& rows) {
  maxpool_rows(r, N, kSize, "pool1", rows);
  maxpool_rows(r, N, kSize / 4, "pool2", rows);
}

const std::vector<RowGroup>& row_groups() {
  static const std::vector<RowGroup> groups{
      {"conv5x5", conv_rows},
      {"batchnorm", batchnorm_rows},
      {"maxpool4", pooling_rows},
      {"linear", linear_rows},
      {"conv_bn_relu_pool", first_layer_rows},
      {"attention_pool", attention_rows},
      {"relu", relu_rows},
      {"add_inplace", add_inplace_rows},
      {"cam", cam_rows},
      {"channel_attention", channel_attention_rows},
      {"spatial_attention", spatial_attention_rows},
      {"bce", bce_rows},
      {"adam", adam_rows},
      {"gather_images", gather_images_rows},
      {"patch_moment_cache", patch_moment_cache_rows},
      {"fill", fill_rows},
  };
  return groups;
}

std::vector<std::string> group_names() {
  std::vector<std::string> names;
  for (const RowGroup& g : row_groups()) names.push_back(g.op);
  return names;
}

std::string ms_text(const std::optional<double>& ms) {
  if (!ms) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", *ms);
  return b;
}

nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

int run(int argc, char** argv) {
  CLI::App app{
      "braincam's CUDA kernels at the model's shapes, against cuDNN, cuBLAS or the CUDA runtime "
      "where they have a counterpart"};
  int reps = 50, warmup = 5;
  std::vector<int> batches{32, 1};
  std::string json_file;
  std::vector<std::string> ops;
  app.add_option("--reps", reps, "timed repetitions (the median is reported)")
      ->check(CLI::Range(50, 100000));
  app.add_option("--warmup", warmup, "untimed repetitions first")->check(CLI::NonNegativeNumber);
  app.add_option("--batch", batches, "batch sizes (default 32 and 1)")->check(CLI::PositiveNumber);
  app.add_option("--json", json_file, "also write the rows and ceilings as JSON");
  app.add_option("--op", ops, "only this op's rows (may be given more than once; default: all)")
      ->check(CLI::IsMember(group_names()));
  CLI11_PARSE(app, argc, argv);

  if (!gpu::available()) {
    std::printf("braincam_gpu_benchmarks: skipped, no usable GPU (%s)\n",
                gpu::unavailable_reason().c_str());
    return 77;
  }
  cudaDeviceProp prop{};
  int device = 0;
  BRAINCAM_CUDA_CHECK(cudaGetDevice(&device));
  BRAINCAM_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  Runner r(warmup, reps);
  const DeviceCeilings ceilings = measure_ceilings(r.stream(), reps);
  std::printf("%s (sm_%d%d, %d SMs, L2 %d MiB): measured FP32 FMA %.0f GFLOP/s, copy %.0f GB/s\n",
              prop.name, prop.major, prop.minor, prop.multiProcessorCount, prop.l2CacheSize >> 20,
              ceilings.fma_gflop_per_s, ceilings.copy_gb_per_s);

  std::vector<Row> rows;
  for (const int N : batches)
    for (const RowGroup& group : row_groups())
      if (ops.empty() || std::find(ops.begin(), ops.end(), group.op) != ops.end())
        group.add(r, N, rows);

  std::printf("\n%-42s %5s %10s %10s %7s %9s %8s %7s %7s  %s\n", "kernel", "batch", "ours ms",
              "library ms", "ratio", "GFLOP/s", "GB/s", "%FMA", "%copy", "library / status");
  nlohmann::json json_rows = nlohmann::json::array();
  for (const Row& row : rows) {
    std::optional<double> ratio, gflops, gbs;
    if (row.ours_ms && row.library_ms) ratio = *row.ours_ms / *row.library_ms;
    if (row.ours_ms && row.flops > 0) gflops = row.flops / (*row.ours_ms * 1e6);
    if (row.ours_ms) gbs = row.bytes / (*row.ours_ms * 1e6);
    auto fmt = [](const std::optional<double>& v, const char* f) {
      char b[32] = "-";
      if (v) std::snprintf(b, sizeof b, f, *v);
      return std::string(b);
    };
    std::printf(
        "%-42s %5d %10s %10s %7s %9s %8s %7s %7s  %s%s\n", row.name.c_str(), row.batch,
        ms_text(row.ours_ms).c_str(), ms_text(row.library_ms).c_str(), fmt(ratio, "%.2f").c_str(),
        fmt(gflops, "%.0f").c_str(), fmt(gbs, "%.0f").c_str(),
        fmt(gflops ? std::optional(100 * *gflops / ceilings.fma_gflop_per_s) : std::nullopt, "%.1f")
            .c_str(),
        fmt(gbs ? std::optional(100 * *gbs / ceilings.copy_gb_per_s) : std::nullopt, "%.1f")
            .c_str(),
        row.library.c_str(), row.ours_status == "ok" ? "" : ("; ours: " + row.ours_status).c_str());
    json_rows.push_back(
        {{"name", row.name},
         {"batch", row.batch},
         {"ours_ms", optional_json(row.ours_ms)},
         {"library_ms", optional_json(row.library_ms)},
         {"ratio", optional_json(ratio)},
         {"gflop_per_s", optional_json(gflops)},
         {"gb_per_s", optional_json(gbs)},
         {"fraction_of_fma_peak",
          gflops ? nlohmann::json(*gflops / ceilings.fma_gflop_per_s) : nlohmann::json()},
         {"fraction_of_copy_bandwidth",
          gbs ? nlohmann::json(*gbs / ceilings.copy_gb_per_s) : nlohmann::json()},
         {"flops", row.flops},
         {"bytes", row.bytes},
         {"library", row.library},
         {"ours_status", row.ours_status}});
  }
  std::printf(
      "ratio = ours / library (above 1: slower than the library); GFLOP/s and GB/s are ours, "
      "from nominal flops and minimum bytes\n");
  if (!json_file.empty()) {
    std::ofstream f(json_file);
    f << nlohmann::json{{"card", prop.name},
                        {"compute_capability",
                         std::to_string(prop.major) + "." + std::to_string(prop.minor)},
                        {"reps", reps},
                        {"warmup", warmup},
                        {"ceilings",
                         {{"fma_gflop_per_s", ceilings.fma_gflop_per_s},
                          {"copy_gb_per_s", ceilings.copy_gb_per_s}}},
                        {"rows", json_rows}}
             .dump(2)
      << "\n";
    if (!f) throw std::runtime_error("cannot write " + json_file);
  }
  return 0;
}

}  // namespace

}  // namespace braincam::bench

int main(int argc, char** argv) {
  try {
    return braincam::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "braincam_gpu_benchmarks: error: %s\n", e.what());
    return 1;
  }
}
