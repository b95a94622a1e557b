#pragma once
// Tensor: a shape, an element type, a device and shared contiguous (row-major, NCHW) storage.
// Copies share storage; clone() copies the data.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/storage.h"

namespace braincam {

using Shape = std::vector<std::int64_t>;

std::string shape_str(const Shape& s);
std::int64_t shape_numel(const Shape& s);

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor: defined() is false
  Tensor(Shape shape, DType dtype, Device device = Device::CPU);  // uninitialized memory

  static Tensor zeros(Shape shape, DType dtype, Device device = Device::CPU);
  static Tensor full(Shape shape, double value, DType dtype, Device device = Device::CPU);
  static Tensor from_vector(Shape shape, const std::vector<double>& values, DType dtype);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  std::int64_t dim(int i) const { return shape_.at(i < 0 ? shape_.size() + i : i); }
  int ndim() const { return static_cast<int>(shape_.size()); }
  std::int64_t numel() const { return shape_numel(shape_); }
  std::size_t bytes() const { return numel() * element_size(dtype_); }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  bool on_host() const { return device_ != Device::CUDA; }

  void* raw() const { return storage_ ? storage_->data() : nullptr; }
  // Typed access; throws if T does not match the tensor's dtype.
  template <class T>
  T* data() const;

  // Same storage, new shape with the same number of elements.
  Tensor reshape(Shape shape) const;
  // A copy with its own storage.
  Tensor clone() const;
  // A copy on `device` / of `dtype` (returns *this when nothing changes).
  Tensor to(Device device) const;
  Tensor to(DType dtype) const;
  // Copies the values of `src` (same shape; any device; same dtype) into this tensor.
  void copy_from(const Tensor& src);
  // A copy of entries [first, first + count) along the first dimension, on the same device (on a
  // GPU a copy queued on the device, which the host does not wait for).
  Tensor rows(std::int64_t first, std::int64_t count) const;
  // Copies entries [first, first + dim(0)) along the first dimension of `src` (same device and
  // dtype, the same shape past the first dimension) into this tensor, as rows() does.
  void copy_rows_from(const Tensor& src, std::int64_t first);
  void fill(double value);

  // Host-side element access for tests and tools (any float dtype, converted to double).
  double item(std::int64_t flat_index = 0) const;
  std::vector<double> to_vector() const;

 private:
  Shape shape_;
  DType dtype_ = DType::F32;
  Device device_ = Device::CPU;
  std::shared_ptr<Storage> storage_;
};

// Throws std::invalid_argument naming `what` when the shape differs from `expected`.
void check_shape(const Tensor& t, const Shape& expected, const char* what);

}  // namespace braincam
