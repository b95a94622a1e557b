#include "engine/tensor.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>

#include "engine/device_memory.h"
#include "engine/gpu_runtime.h"
#include "engine/recording_hooks.h"
#include "kernels/cuda/fill.h"

namespace braincam {

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::CPU;
  if (name == "emulator") return Device::Emulator;
  if (name == "cuda") return Device::CUDA;
  throw std::invalid_argument("unknown device '" + name + "' (expected cpu, emulator or cuda)");
}

std::string shape_str(const Shape& s) {
  std::ostringstream os;
  os << '[';
  for (std::size_t i = 0; i < s.size(); ++i) os << (i ? "x" : "") << s[i];
  os << ']';
  return os.str();
}

std::int64_t shape_numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) {
    if (d < 0) throw std::invalid_argument("negative dimension in shape " + shape_str(s));
    n *= d;
  }
  return n;
}

namespace {
// Reads / writes element i of a host buffer of dtype t as a double.
double read_element(const void* data, DType t, std::int64_t i) {
  switch (t) {
    case DType::F32:
      return static_cast<const float*>(data)[i];
    case DType::F64:
      return static_cast<const double*>(data)[i];
    case DType::I32:
      return static_cast<const std::int32_t*>(data)[i];
    case DType::I64:
      return static_cast<double>(static_cast<const std::int64_t*>(data)[i]);
    case DType::U8:
      return static_cast<const std::uint8_t*>(data)[i];
  }
  return 0;
}
void write_element(void* data, DType t, std::int64_t i, double v) {
  switch (t) {
    case DType::F32:
      static_cast<float*>(data)[i] = static_cast<float>(v);
      break;
    case DType::F64:
      static_cast<double*>(data)[i] = v;
      break;
    case DType::I32:
      static_cast<std::int32_t*>(data)[i] = static_cast<std::int32_t>(v);
      break;
    case DType::I64:
      static_cast<std::int64_t*>(data)[i] = static_cast<std::int64_t>(v);
      break;
    case DType::U8:  // toward zero, as the other integer types, saturated to 0..255 (NaN: 0)
      static_cast<std::uint8_t*>(data)[i] = v >= 255 ? 255
                                            : v > 0  ? static_cast<std::uint8_t>(v)
                                                     : 0;
      break;
  }
}

// n bytes from src to dst, both on `device`: a memcpy on the CPU, on the emulator one that a graph
// being recorded stores instead, on the GPU a copy queued on the engine's stream.
void copy_within(Device device, void* dst, const void* src, std::size_t n) {
  if (device == Device::Emulator)
    run_emulated([dst, src, n] { std::memcpy(dst, src, n); });
  else if (device == Device::CPU)
    std::memcpy(dst, src, n);
  else
    gpu::copy_on_device(dst, src, n);
}
}  // namespace

// ---- Tensor -----------------------------------------------------------------------------------

namespace {
// std::bad_alloc that says what did not fit: a bare "std::bad_alloc" names nothing the user gave.
class TensorAllocationError : public std::bad_alloc {
 public:
  explicit TensorAllocationError(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};
}  // namespace

Tensor::Tensor(Shape shape, DType dtype, Device device)
    : shape_(std::move(shape)), dtype_(dtype), device_(device) {
  const std::size_t bytes = shape_numel(shape_) * element_size(dtype);
  try {
    storage_ = new_storage(bytes, device);
  } catch (const std::bad_alloc&) {
    char size[32];
    std::snprintf(size, sizeof size, "%.1f GB", bytes / 1e9);
    throw TensorAllocationError("out of memory for a tensor of " + shape_str(shape_) + " " +
                                dtype_name(dtype) + " on " + device_name(device) + " (" + size +
                                ")");
  }
}

Tensor Tensor::zeros(Shape shape, DType dtype, Device device) {
  Tensor t(std::move(shape), dtype, device);
  t.fill(0.0);
  return t;
}

Tensor Tensor::full(Shape shape, double value, DType dtype, Device device) {
  Tensor t(std::move(shape), dtype, device);
  t.fill(value);
  return t;
}

Tensor Tensor::from_vector(Shape shape, const std::vector<double>& values, DType dtype) {
  Tensor t(std::move(shape), dtype, Device::CPU);
  if (static_cast<std::int64_t>(values.size()) != t.numel())
    throw std::invalid_argument("from_vector: " + std::to_string(values.size()) +
                                " values for shape " + shape_str(t.shape()));
  for (std::int64_t i = 0; i < t.numel(); ++i) write_element(t.raw(), dtype, i, values[i]);
  return t;
}

template <class T>
T* Tensor::data() const {
  if (dtype_of<T>() != dtype_)
    throw std::logic_error(std::string("tensor of dtype ") + dtype_name(dtype_) + " accessed as " +
                           dtype_name(dtype_of<T>()));
  return static_cast<T*>(raw());
}
template float* Tensor::data<float>() const;
template double* Tensor::data<double>() const;
template std::int32_t* Tensor::data<std::int32_t>() const;
template std::int64_t* Tensor::data<std::int64_t>() const;
template std::uint8_t* Tensor::data<std::uint8_t>() const;

Tensor Tensor::reshape(Shape shape) const {
  if (shape_numel(shape) != numel())
    throw std::invalid_argument("cannot reshape " + shape_str(shape_) + " to " + shape_str(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t(shape_, dtype_, device_);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::to(Device device) const {
  if (device == device_) return *this;
  Tensor t(shape_, dtype_, device);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  // Converted on the host: for a device tensor a copy there and back, which no graph can hold.
  if (device_ != Device::CPU) refuse_while_recording("a dtype conversion of a device tensor");
  if (!on_host()) return to(Device::CPU).to(dtype).to(device_);
  Tensor t(shape_, dtype, device_);
  const std::int64_t n = numel();
  for (std::int64_t i = 0; i < n; ++i)
    write_element(t.raw(), dtype, i, read_element(raw(), dtype_, i));
  return t;
}

void Tensor::copy_from(const Tensor& src) {
  if (src.shape_ != shape_ || src.dtype_ != dtype_)
    throw std::invalid_argument("copy_from: " + shape_str(src.shape_) + " " +
                                dtype_name(src.dtype_) + " into " + shape_str(shape_) + " " +
                                dtype_name(dtype_));
  const std::size_t n = bytes();
  if (n == 0 || raw() == src.raw()) return;
  if (device_ == src.device_) return copy_within(device_, raw(), src.raw(), n);
  refuse_while_recording("a copy between the host and a device");
  if (on_host() && src.on_host())  // the CPU and the emulator
    std::memcpy(raw(), src.raw(), n);
  else if (on_host())
    gpu::copy_to_host(raw(), src.raw(), n);
  else
    gpu::copy_to_device(raw(), src.raw(), n);
}

Tensor Tensor::rows(std::int64_t first, std::int64_t count) const {
  if (ndim() == 0 || first < 0 || count < 0 || first + count > dim(0))
    throw std::out_of_range("rows [" + std::to_string(first) + ", " +
                            std::to_string(first + count) + ") of a tensor of shape " +
                            shape_str(shape_));
  Shape shape = shape_;
  shape[0] = count;
  Tensor out(shape, dtype_, device_);
  out.copy_rows_from(*this, first);
  return out;
}

void Tensor::copy_rows_from(const Tensor& src, std::int64_t first) {
  const bool same_rows = ndim() > 0 && src.ndim() == ndim() &&
                         std::equal(shape_.begin() + 1, shape_.end(), src.shape_.begin() + 1);
  if (!same_rows || src.dtype_ != dtype_ || src.device_ != device_ || first < 0 ||
      first + dim(0) > src.dim(0))
    throw std::invalid_argument("copy_rows_from: rows [" + std::to_string(first) + ", " +
                                std::to_string(first + (ndim() > 0 ? dim(0) : 0)) + ") of " +
                                shape_str(src.shape_) + " " + dtype_name(src.dtype_) + " on " +
                                device_name(src.device_) + " into " + shape_str(shape_) + " " +
                                dtype_name(dtype_) + " on " + device_name(device_));
  const std::size_t n = bytes();
  if (n == 0) return;
  copy_within(device_, raw(),
              static_cast<const char*>(src.raw()) + static_cast<std::size_t>(first) * (n / dim(0)),
              n);
}

void Tensor::fill(double value) {
  const std::int64_t n = numel();
  if (on_host()) {
    auto write = [data = raw(), dtype = dtype_, n, value] {
      for (std::int64_t i = 0; i < n; ++i) write_element(data, dtype, i, value);
    };
    if (device_ == Device::Emulator)
      run_emulated(write);
    else
      write();
    return;
  }
#if BRAINCAM_HAVE_CUDA
  // A kernel, not a copy from the host: that copy could wait for the work queued before it.
  std::uint64_t pattern = 0;  // the element's bytes
  write_element(&pattern, dtype_, 0, value);
  cuda::fill_elements<cuda::Gpu>(raw(), pattern, static_cast<int>(element_size(dtype_)), n,
                                 gpu::stream());
  gpu::check_launch("fill");
#endif
}

double Tensor::item(std::int64_t i) const {
  if (i < 0 || i >= numel()) throw std::out_of_range("item: index out of range");
  if (device_ != Device::CPU) refuse_while_recording("reading a device value on the host");
  if (!on_host()) return to(Device::CPU).item(i);
  return read_element(raw(), dtype_, i);
}

std::vector<double> Tensor::to_vector() const {
  Tensor host = to(Device::CPU).to(DType::F64);
  return std::vector<double>(host.data<double>(), host.data<double>() + host.numel());
}

void check_shape(const Tensor& t, const Shape& expected, const char* what) {
  if (!t.defined()) throw std::invalid_argument(std::string(what) + ": tensor is undefined");
  if (t.shape() != expected)
    throw std::invalid_argument(std::string(what) + ": expected shape " + shape_str(expected) +
                                ", got " + shape_str(t.shape()));
}

}  // namespace braincam
