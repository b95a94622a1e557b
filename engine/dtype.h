#pragma once
// Element types and devices a Tensor can have.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace braincam {

enum class DType { F32, F64, I32, I64, U8 };  // U8: images as stored (0..255)

// Where a tensor's memory lives and which kernels run on it:
//   CPU      host memory, CPU reference (or fast) kernels
//   Emulator host memory, the CUDA kernels run through the SIMT emulator
//   CUDA     device memory, the CUDA kernels on a GPU
enum class Device { CPU, Emulator, CUDA };

inline std::size_t element_size(DType t) {
  return t == DType::U8 ? 1 : t == DType::F32 || t == DType::I32 ? 4 : 8;
}

inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32:
      return "F32";
    case DType::F64:
      return "F64";
    case DType::I32:
      return "I32";
    case DType::I64:
      return "I64";
    case DType::U8:
      return "U8";
  }
  return "?";
}

inline const char* device_name(Device d) {
  switch (d) {
    case Device::CPU:
      return "cpu";
    case Device::Emulator:
      return "emulator";
    case Device::CUDA:
      return "cuda";
  }
  return "?";
}

Device parse_device(const std::string& name);  // "cpu", "emulator", "cuda"; throws otherwise

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::F32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::F64;
}
template <>
constexpr DType dtype_of<std::int32_t>() {
  return DType::I32;
}
template <>
constexpr DType dtype_of<std::int64_t>() {
  return DType::I64;
}
template <>
constexpr DType dtype_of<std::uint8_t>() {
  return DType::U8;
}

// Calls f.template operator()<T>() with T = float or double, matching `t`.
template <class F>
decltype(auto) dispatch_float(DType t, F&& f) {
  switch (t) {
    case DType::F32:
      return std::forward<F>(f).template operator()<float>();
    case DType::F64:
      return std::forward<F>(f).template operator()<double>();
    default:
      throw std::invalid_argument(std::string("expected a float tensor, got ") + dtype_name(t));
  }
}

}  // namespace braincam
