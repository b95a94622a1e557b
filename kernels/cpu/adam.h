#pragma once
// One Adam step on one parameter, exactly as PyTorch's torch.optim.AdamW (torch.optim.Adam when
// weight_decay is 0):
//   p <- p * (1 - lr*weight_decay)            (decoupled weight decay; skipped when it is 0)
//   m <- b1*m + (1-b1)*g;  v <- b2*v + (1-b2)*g^2
//   p <- p - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
// `step` is the parameter's step count t after this update (1 on the first).
namespace braincam::cpu {

template <class T>
void adam_update(T* param, T* m, T* v, const T* grad, long n, double lr, double beta1, double beta2,
                 double eps, double weight_decay, long step);

}  // namespace braincam::cpu
