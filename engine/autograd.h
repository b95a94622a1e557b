#pragma once
// A small reverse-mode autograd, in the spirit of micrograd.
//
// A Var holds a value (a Tensor), its gradient, and, when it was computed by an op while
// gradients are enabled, the GradFn that made it: the op's inputs and a function that maps the
// gradient of the output to the gradients of the inputs. backward() walks the graph in reverse
// topological order and accumulates gradients into every Var that requires one.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace braincam {

class Var;

// Maps the output's gradient to one gradient per input (an undefined Tensor for "none").
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

struct GradFn {
  const char* op;  // for error messages and debugging
  std::vector<Var> inputs;
  BackwardFn backward;
};

class Var {
 public:
  Var() = default;
  explicit Var(Tensor value, bool requires_grad = false);

  const Tensor& value() const { return node_->value; }
  Tensor& mutable_value() const { return node_->value; }
  const Tensor& grad() const { return node_->grad; }
  bool requires_grad() const { return node_->requires_grad; }
  bool defined() const { return node_ != nullptr; }
  const std::shared_ptr<GradFn>& grad_fn() const { return node_->grad_fn; }

  void set_requires_grad(bool on) { node_->requires_grad = on; }
  void zero_grad() const { node_->grad = Tensor(); }
  // Adds g to the gradient (which starts undefined, meaning zero).
  void accumulate_grad(const Tensor& g) const;

  // Identity of the underlying node (copies of a Var share it).
  const void* id() const { return node_.get(); }

  // The result of an op: requires a gradient when grad mode is on and any input requires one,
  // in which case it records `backward`.
  static Var from_op(Tensor value, const char* op, std::vector<Var> inputs, BackwardFn backward);

 private:
  struct Node {
    Tensor value, grad;
    bool requires_grad = false;
    std::shared_ptr<GradFn> grad_fn;
  };
  std::shared_ptr<Node> node_;
};

// Back-propagates from `root` (a scalar unless `seed` is given) into every Var that requires a
// gradient. Gradients accumulate: call zero_grad() on parameters between steps.
void backward(const Var& root, const Tensor& seed = Tensor());

// Whether ops record the graph. Off inside a NoGradScope.
bool grad_enabled();

class NoGradScope {
 public:
  NoGradScope();
  ~NoGradScope();
  NoGradScope(const NoGradScope&) = delete;
  NoGradScope& operator=(const NoGradScope&) = delete;

 private:
  bool previous_;
};

}  // namespace braincam
