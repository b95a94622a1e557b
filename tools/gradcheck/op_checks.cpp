#include "tools/gradcheck/op_checks.h"

#include <cmath>

#include "engine/adam.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "kernels/bounds/adam.h"
#include "kernels/bounds/attention_pool.h"
#include "kernels/bounds/batchnorm.h"
#include "kernels/bounds/bce.h"
#include "kernels/bounds/cam.h"
#include "kernels/bounds/channel_attention.h"
#include "kernels/bounds/conv5x5.h"
#include "kernels/bounds/conv_bn_relu_pool.h"
#include "kernels/bounds/linear.h"
#include "kernels/bounds/maxpool4.h"
#include "kernels/bounds/relu.h"
#include "kernels/bounds/softmax_cross_entropy.h"
#include "kernels/bounds/spatial_attention.h"

namespace braincam::gradcheck {

namespace {

using Kind = InputSpec::Kind;

// PyTorch's default initialization range of a layer with `fan_in` inputs.
double init_bound(int fan_in) { return 1.0 / std::sqrt(static_cast<double>(fan_in)); }

InputSpec weight(std::string name, Shape shape, int fan_in) {
  const double b = init_bound(fan_in);
  return {std::move(name), std::move(shape), Kind::Uniform, -b, b};
}

// Activations after a ReLU and a max pooling: non-negative, of order one.
InputSpec activation(std::string name, Shape shape) {
  return {std::move(name), std::move(shape), Kind::Uniform, 0.0, 3.0};
}

InputSpec gradient(std::string name, Shape shape) { return {std::move(name), std::move(shape)}; }

// Outputs that share one bound.
std::vector<CheckedOutput> held_to(const bounds::Bound& bound,
                                   const std::vector<std::string>& names) {
  std::vector<CheckedOutput> outputs;
  for (const std::string& name : names) outputs.push_back({name, bound});
  return outputs;
}

Var grad_var(const Inputs& in, const std::string& name) { return Var(in.at(name), true); }

// The model's parameters and their fan-in, for the optimizer check.
std::vector<std::pair<std::string, Shape>> parameter_shapes(const CheckShape& s) {
  const int K = s.K, hidden = s.K / 8;
  return {{"conv1.weight", {K, s.C, 5, 5}},
          {"conv1.bias", {K}},
          {"bn1.weight", {K}},
          {"bn1.bias", {K}},
          {"att.mlp.0.weight", {hidden, K}},
          {"att.mlp.0.bias", {hidden}},
          {"att.mlp.2.weight", {K, hidden}},
          {"att.mlp.2.bias", {K}},
          {"att.spatial.weight", {1, 2, 7, 7}},
          {"fc.weight", {1, s.fc_inputs()}},
          {"fc.bias", {1}}};
}

// The tensors of `parts`, flattened one after another into one float64 tensor on the CPU.
Tensor concatenated(const std::vector<Tensor>& parts) {
  std::int64_t total = 0;
  for (const Tensor& t : parts) total += t.numel();
  Tensor out({total}, DType::F64);
  double* p = out.data<double>();
  for (const Tensor& t : parts) {
    const Tensor host = t.to(Device::CPU).to(DType::F64);
    p = std::copy(host.data<double>(), host.data<double>() + host.numel(), p);
  }
  return out;
}

// The check of an op of one input x: its output y and, from the gradient dy, dx.
OpCheck unary_check(std::string name, Var (*op)(const Var&), const Shape& x_shape,
                    const Shape& y_shape, const bounds::Bound& bound) {
  return {std::move(name),
          {gradient("x", x_shape), gradient("dy", y_shape)},
          held_to(bound, {"y", "dx"}),
          [op](const Inputs& in, const Emit& emit) {
            const Var x = grad_var(in, "x");
            const Var y = op(x);
            emit("y", y.value());
            backward(y, in.at("dy"));
            emit("dx", x.grad());
          }};
}

// One Adam step of every model parameter from a state three steps in; its parameters, exp_avg and
// exp_avg_sq all held to `bound`.
OpCheck adam_check(std::string op, const std::vector<std::pair<std::string, Shape>>& params,
                   AdamOptions options, const bounds::Bound& bound) {
  std::vector<InputSpec> inputs;
  for (const auto& [param, shape] : params) {
    inputs.push_back(gradient("param." + param, shape));
    inputs.push_back({"grad." + param, shape, Kind::Uniform, -1e-2, 1e-2});
    inputs.push_back({"exp_avg." + param, shape, Kind::Uniform, -1e-3, 1e-3});
    inputs.push_back({"exp_avg_sq." + param, shape, Kind::Uniform, 0.0, 1e-5});
  }
  return {std::move(op), inputs, held_to(bound, {"param", "exp_avg", "exp_avg_sq"}),
          [params, options](const Inputs& in, const Emit& emit) {
            ParameterList list;
            StateDict state;
            for (const auto& [name, shape] : params) {
              const Tensor& value = in.at("param." + name);
              list.push_back({name, Var(value, true)});
              list.back().var.accumulate_grad(in.at("grad." + name));
              state["optim.exp_avg." + name] = in.at("exp_avg." + name);
              state["optim.exp_avg_sq." + name] = in.at("exp_avg_sq." + name);
              state["optim.step." + name] = Tensor::full({}, 3.0, DType::F32);
            }
            Adam adam(list, options);
            adam.load_state_dict(state, "gradcheck");
            adam.step();
            const StateDict after = adam.state_dict();
            std::vector<Tensor> values, avg, avg_sq;
            for (const auto& [name, var] : list) {
              values.push_back(var.value());
              avg.push_back(after.at("optim.exp_avg." + name));
              avg_sq.push_back(after.at("optim.exp_avg_sq." + name));
            }
            emit("param", concatenated(values));
            emit("exp_avg", concatenated(avg));
            emit("exp_avg_sq", concatenated(avg_sq));
          }};
}

// The fc layer with `outputs` outputs (1: the binary model's, s.classes: the multiclass one's).
OpCheck linear_check(std::string name, const CheckShape& s, int outputs) {
  const Shape x_shape{s.N, s.K, s.H / 16, s.W / 16}, w_shape{outputs, s.fc_inputs()};
  return {std::move(name),
          {activation("x", x_shape), weight("w", w_shape, s.fc_inputs()),
           weight("b", {outputs}, s.fc_inputs()), gradient("dy", {s.N, outputs})},
          {{"z", bounds::linear::forward(s.fc_inputs())},
           {"dx", bounds::linear::input_gradient(outputs)},
           {"dw", bounds::linear::weight_gradient(s.N)},
           {"db", bounds::linear::weight_gradient(s.N)}},
          [](const Inputs& in, const Emit& emit) {
            const Var x = grad_var(in, "x"), w = grad_var(in, "w"), b = grad_var(in, "b");
            const Var z = linear(x, w, b);
            emit("z", z.value());
            backward(z, in.at("dy"));
            emit("dx", x.grad());
            emit("dw", w.grad());
            emit("db", b.grad());
          }};
}

}  // namespace

std::vector<OpCheck> op_checks(const CheckShape& s) {
  const std::int64_t N = s.N, C = s.C, K = s.K, H = s.H, W = s.W;
  const Shape image{N, C, H, W}, conv_out{N, K, H, W}, pool1{N, K, H / 4, W / 4},
      pool2{N, K, H / 16, W / 16}, fc_weight{1, s.fc_inputs()};
  const std::int64_t cells = (H / 16) * (W / 16);
  std::vector<OpCheck> checks;

  checks.push_back({"conv5x5",
                    {{"x", image, Kind::Uniform, 0.0, 1.0},
                     weight("w", {K, C, 5, 5}, 25 * s.C),
                     weight("b", {K}, 25 * s.C),
                     gradient("dy", conv_out)},
                    // One band of rows per image: see kernels/bounds/conv5x5.h.
                    {{"y", bounds::conv5x5::forward(s.C)},
                     {"dw", bounds::conv5x5::weight_gradient(s.pixels(), s.N, 1)},
                     {"db", bounds::conv5x5::weight_gradient(s.pixels(), s.N, 1)},
                     {"dx", bounds::conv5x5::input_gradient(s.K)}},
                    [](const Inputs& in, const Emit& emit) {
                      const Var x = grad_var(in, "x"), w = grad_var(in, "w"), b = grad_var(in, "b");
                      const Var y = conv5x5(x, w, b);
                      emit("y", y.value());
                      backward(y, in.at("dy"));
                      emit("dw", w.grad());
                      emit("db", b.grad());
                      emit("dx", x.grad());
                    }});

  const std::vector<InputSpec> batchnorm_inputs{{"x", conv_out, Kind::Uniform, -1.0, 3.0},
                                                {"gamma", {K}, Kind::Uniform, 0.5, 1.5},
                                                {"beta", {K}, Kind::Uniform, -0.5, 0.5},
                                                {"running_mean", {K}, Kind::Uniform, -0.1, 0.1},
                                                {"running_var", {K}, Kind::Uniform, 0.5, 1.5}};
  std::vector<InputSpec> train_inputs = batchnorm_inputs;
  train_inputs.push_back(gradient("dy", conv_out));
  const bounds::Bound batch_output = bounds::batchnorm::train_output(s.pixels(), s.N);
  checks.push_back({"batchnorm_train",
                    train_inputs,
                    {{"y", batch_output},
                     {"running_mean", batch_output},
                     {"running_var", batch_output},
                     {"dx", bounds::batchnorm::train_input_gradient(s.pixels(), s.N)},
                     {"dgamma", batch_output},
                     {"dbeta", batch_output}},
                    [](const Inputs& in, const Emit& emit) {
                      const Var x = grad_var(in, "x"), gamma = grad_var(in, "gamma"),
                                beta = grad_var(in, "beta");
                      const Var y = batchnorm_train(x, gamma, beta, in.at("running_mean"),
                                                    in.at("running_var"), 0.1, 1e-5);
                      emit("y", y.value());
                      emit("running_mean", in.at("running_mean"));
                      emit("running_var", in.at("running_var"));
                      backward(y, in.at("dy"));
                      emit("dx", x.grad());
                      emit("dgamma", gamma.grad());
                      emit("dbeta", beta.grad());
                    }});
  checks.push_back({"batchnorm_eval",
                    batchnorm_inputs,
                    {{"y", bounds::batchnorm::kEvalOutput}},
                    [](const Inputs& in, const Emit& emit) {
                      NoGradScope no_grad;
                      emit("y",
                           batchnorm_eval(Var(in.at("x")), Var(in.at("gamma")), Var(in.at("beta")),
                                          in.at("running_mean"), in.at("running_var"), 1e-5)
                               .value());
                    }});

  // The fused first layer (on the CPU its fast path) against the reference composition
  // maxpool4(relu(batchnorm_train(conv5x5(x)))) in float64. Inputs of 8 bits (weights within
  // PyTorch's range, 29/256 < 1/sqrt(75)): every convolution output is exact in both, so both
  // pick the same pooling winners; with continuous inputs a near-tie among the millions of
  // windows may go the other way and move a whole window's gradient
  // (see tests/parity/step_device_agreement.py). conv1.bias's gradient is exactly 0 in the fused
  // backward and rounding noise around 0 in the reference: not compared.
  const bounds::Bound layer_statistic = bounds::conv_bn_relu_pool::statistic(s.pixels(), s.N);
  checks.push_back(
      {"conv_bn_relu_pool",
       {{"x", image, Kind::EightBit, 0.0, 255.0 / 256},
        {"w", {K, C, 5, 5}, Kind::EightBit, -29.0 / 256, 29.0 / 256},
        {"b", {K}, Kind::EightBit, -29.0 / 256, 29.0 / 256},
        {"gamma", {K}, Kind::Uniform, 0.5, 1.5},
        {"beta", {K}, Kind::Uniform, -0.5, 0.5},
        {"running_mean", {K}, Kind::Uniform, -0.1, 0.1},
        {"running_var", {K}, Kind::Uniform, 0.5, 1.5},
        gradient("dy", pool1)},
       {{"F", bounds::conv_bn_relu_pool::kOutput},
        {"running_mean", layer_statistic},
        {"running_var", layer_statistic},
        {"dw", bounds::conv_bn_relu_pool::weight_gradient(s.pixels(), s.N)},
        {"dgamma", layer_statistic},
        {"dbeta", layer_statistic}},
       [](const Inputs& in, const Emit& emit) {
         const Var x(in.at("x")), w = grad_var(in, "w"), b = grad_var(in, "b"),
                                  gamma = grad_var(in, "gamma"), beta = grad_var(in, "beta");
         const Tensor &running_mean = in.at("running_mean"), &running_var = in.at("running_var");
         // The float64 run is the reference composition: the fused op has no float64 path.
         const Var F = x.value().dtype() == DType::F64
                           ? maxpool4(relu(batchnorm_train(conv5x5(x, w, b), gamma, beta,
                                                           running_mean, running_var, 0.1, 1e-5)))
                           : conv_bn_relu_pool(x, w, b, gamma, beta, running_mean, running_var,
                                               true, 0.1, 1e-5);
         emit("F", F.value());
         emit("running_mean", running_mean);
         emit("running_var", running_var);
         backward(F, in.at("dy"));
         emit("dw", w.grad());
         emit("dgamma", gamma.grad());
         emit("dbeta", beta.grad());
       }});

  checks.push_back(unary_check("relu", relu, conv_out, conv_out, bounds::relu::kBound));
  checks.push_back(unary_check("maxpool4", maxpool4, conv_out, pool1, bounds::maxpool4::kBound));

  checks.push_back({"cam_guidance",
                    {activation("F", pool1), weight("fc_weight", fc_weight, s.fc_inputs())},
                    {{"s", bounds::cam::guidance(s.K, s.pool1_pixels() / 16)}},
                    [](const Inputs& in, const Emit& emit) {
                      emit("s", cam_guidance(in.at("F"), in.at("fc_weight")));
                    }});

  checks.push_back({"cam_reduce",
                    {activation("P", pool2), weight("fc_weight", fc_weight, s.fc_inputs())},
                    {{"cam", bounds::cam::reduce(s.K)}},
                    [](const Inputs& in, const Emit& emit) {
                      emit("cam", cam_reduce(in.at("P"), in.at("fc_weight")));
                    }});

  const std::int64_t hidden = K / 8;
  const bounds::Bound channel_output = bounds::channel_attention::output(s.pool1_pixels(), s.K),
                      channel_weights =
                          bounds::channel_attention::weight_gradient(s.pool1_pixels(), s.K, s.N);
  checks.push_back({"channel_attention",
                    {activation("x", pool1),
                     {"guidance", {N, cells}, Kind::Simplex},
                     weight("w1", {hidden, K}, s.K),
                     weight("b1", {hidden}, s.K),
                     weight("w2", {K, hidden}, s.K / 8),
                     weight("b2", {K}, s.K / 8),
                     gradient("dy", pool1)},
                    {{"y", channel_output},
                     {"dx", channel_output},
                     {"dw1", channel_weights},
                     {"db1", channel_weights},
                     {"dw2", channel_weights},
                     {"db2", channel_weights}},
                    [](const Inputs& in, const Emit& emit) {
                      const Var x = grad_var(in, "x"), w1 = grad_var(in, "w1"),
                                b1 = grad_var(in, "b1"), w2 = grad_var(in, "w2"),
                                b2 = grad_var(in, "b2");
                      const Var y = channel_attention(x, in.at("guidance"), w1, b1, w2, b2);
                      emit("y", y.value());
                      backward(y, in.at("dy"));
                      emit("dx", x.grad());
                      emit("dw1", w1.grad());
                      emit("db1", b1.grad());
                      emit("dw2", w2.grad());
                      emit("db2", b2.grad());
                    }});

  checks.push_back({"spatial_attention",
                    {activation("x", pool1), weight("w", {1, 2, 7, 7}, 98), gradient("dy", pool1)},
                    {{"y", bounds::spatial_attention::output(s.K)},
                     {"dx", bounds::spatial_attention::output(s.K)},
                     {"dw", bounds::spatial_attention::weight_gradient(s.pool1_pixels(), s.N)}},
                    [](const Inputs& in, const Emit& emit) {
                      const Var x = grad_var(in, "x"), w = grad_var(in, "w");
                      const Var y = spatial_attention(x, w);
                      emit("y", y.value());
                      backward(y, in.at("dy"));
                      emit("dx", x.grad());
                      emit("dw", w.grad());
                    }});

  // Attention and pool2 as one op. Its pooling must pick the reference's winners: a winner that
  // a rounding moves to another pixel of its window moves a whole gradient, and among the 230 K
  // windows of a batch of 32 some would hold near-ties. So F is on a grid of 1/256 and the
  // spatial taps are 0 (every spatial gate 1/2): within a plane A is F times one factor, and
  // windows hold exact ties, settled by position on both sides, or gaps far above any rounding.
  // The spatial gates with nonzero taps are checked by the spatial_attention row, and the fused
  // kernels against the per-op ones, bit for bit, by tests/kernels/attention_pool_test.cpp.
  const bounds::Bound attention_output = bounds::attention_pool::output(s.pool1_pixels(), s.K),
                      attention_weights = bounds::attention_pool::channel_weight_gradient(
                          s.pool1_pixels(), s.K, s.N);
  checks.push_back(
      {"attention_pool",
       {{"F", pool1, Kind::EightBit, 0.0, 3.0},
        {"guidance", {N, cells}, Kind::Simplex},
        weight("w1", {hidden, K}, s.K),
        weight("b1", {hidden}, s.K),
        weight("w2", {K, hidden}, s.K / 8),
        weight("b2", {K}, s.K / 8),
        {"ws", {1, 2, 7, 7}, Kind::EightBit, 0.0, 0.0},
        gradient("dP", pool2)},
       {{"P", attention_output},
        {"dF", attention_output},
        {"dw1", attention_weights},
        {"db1", attention_weights},
        {"dw2", attention_weights},
        {"db2", attention_weights},
        {"dws", bounds::attention_pool::spatial_weight_gradient(s.pool1_pixels(), s.K, s.N)}},
       [](const Inputs& in, const Emit& emit) {
         const Var F = grad_var(in, "F"), w1 = grad_var(in, "w1"), b1 = grad_var(in, "b1"),
                   w2 = grad_var(in, "w2"), b2 = grad_var(in, "b2"), ws = grad_var(in, "ws");
         const Var P = attention_pool(F, in.at("guidance"), w1, b1, w2, b2, ws);
         emit("P", P.value());
         backward(P, in.at("dP"));
         emit("dF", F.grad());
         emit("dw1", w1.grad());
         emit("db1", b1.grad());
         emit("dw2", w2.grad());
         emit("db2", b2.grad());
         emit("dws", ws.grad());
       }});

  checks.push_back(linear_check("linear", s, 1));

  checks.push_back({"bce",
                    {{"z", {N}, Kind::Uniform, -3.0, 3.0}, {"labels", {N}, Kind::Binary}},
                    {{"loss", bounds::bce::loss(s.N)}, {"dz", bounds::bce::kLogitGradient}},
                    [](const Inputs& in, const Emit& emit) {
                      const Var z = grad_var(in, "z");
                      const Var loss = bce_with_logits(z, in.at("labels"));
                      emit("loss", loss.value());
                      backward(loss);
                      emit("dz", z.grad());
                    }});

  checks.push_back(adam_check("adam", parameter_shapes(s), AdamOptions{}, bounds::adam::kUpdate));
  checks.push_back(adam_check("adamw", parameter_shapes(s), AdamOptions{.weight_decay = 0.1},
                              bounds::adam::kDecayedUpdate));

  // The multiclass model's own ops come last, so that every earlier check draws the inputs it
  // drew before they were added.
  // The guidance of each image's class, given (drawn) rather than found: a near-tie of z0 may
  // pick another class on another device (kernels/cpu/cam.h's guidance_classes).
  checks.push_back({"class_guidance",
                    {activation("F", pool1),
                     weight("fc_weight", {s.classes, s.fc_inputs()}, s.fc_inputs()),
                     {"classes", {N}, Kind::Classes, 0.0, static_cast<double>(s.classes)}},
                    {{"s", bounds::cam::guidance(s.K, s.pool1_pixels() / 16)}},
                    [](const Inputs& in, const Emit& emit) {
                      emit("s", cam_guidance(in.at("F"), in.at("fc_weight"), in.at("classes")));
                    }});
  checks.push_back(linear_check("linear_classes", s, s.classes));
  checks.push_back({"cross_entropy",
                    {{"z", {N, s.classes}, Kind::Uniform, -3.0, 3.0},
                     {"labels", {N}, Kind::Classes, 0.0, static_cast<double>(s.classes)}},
                    {{"loss", bounds::softmax_cross_entropy::loss(s.N, s.classes)},
                     {"dz", bounds::softmax_cross_entropy::logit_gradient(s.classes)}},
                    [](const Inputs& in, const Emit& emit) {
                      const Var z = grad_var(in, "z");
                      const Var loss = softmax_cross_entropy(z, in.at("labels"));
                      emit("loss", loss.value());
                      backward(loss);
                      emit("dz", z.grad());
                    }});
  return checks;
}

}  // namespace braincam::gradcheck
