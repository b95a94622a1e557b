// Tensor basics: shapes, reshaping, shared versus copied storage, dtype conversion, checks.
#include "engine/tensor.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>

using namespace braincam;

TEST_CASE("a tensor knows its shape", "[tensor]") {
  const Tensor t = Tensor::zeros({2, 3, 4}, DType::F32);
  CHECK(t.defined());
  CHECK(t.ndim() == 3);
  CHECK(t.numel() == 24);
  CHECK(t.bytes() == 24 * 4);
  CHECK(t.dim(0) == 2);
  CHECK(t.dim(-1) == 4);
  CHECK(t.dtype() == DType::F32);
  CHECK(t.device() == Device::CPU);
  CHECK(shape_str(t.shape()) == "[2x3x4]");
  CHECK_FALSE(Tensor().defined());

  const Tensor scalar = Tensor::full({}, 2.5, DType::F64);
  CHECK(scalar.ndim() == 0);
  CHECK(scalar.numel() == 1);
  CHECK(scalar.item() == 2.5);
  CHECK_THROWS_AS(scalar.item(1), std::out_of_range);
  CHECK_THROWS_AS(Tensor::zeros({2, -1}, DType::F32), std::invalid_argument);
}

TEST_CASE("from_vector, fill and typed access", "[tensor]") {
  const Tensor t = Tensor::from_vector({2, 2}, {1, 2, 3, 4}, DType::F64);
  CHECK(t.to_vector() == std::vector<double>{1, 2, 3, 4});
  CHECK(t.data<double>()[3] == 4);
  CHECK_THROWS_AS(t.data<float>(), std::logic_error);
  CHECK_THROWS_AS(Tensor::from_vector({2, 2}, {1, 2, 3}, DType::F64), std::invalid_argument);
  Tensor f = Tensor::full({3}, 7, DType::I32);
  CHECK(f.data<std::int32_t>()[2] == 7);
  f.fill(-2);
  CHECK(f.to_vector() == std::vector<double>{-2, -2, -2});
}

TEST_CASE("reshape shares storage and refuses a different element count", "[tensor]") {
  const Tensor t = Tensor::from_vector({2, 3}, {0, 1, 2, 3, 4, 5}, DType::F32);
  const Tensor r = t.reshape({3, 2});
  CHECK(r.shape() == Shape{3, 2});
  CHECK(r.raw() == t.raw());
  r.data<float>()[0] = 42;
  CHECK(t.item(0) == 42);
  CHECK(t.reshape({6}).shape() == Shape{6});
  CHECK_THROWS_AS(t.reshape({4, 2}), std::invalid_argument);
  CHECK_THROWS_AS(t.reshape({7}), std::invalid_argument);
}

TEST_CASE("clone copies; copy_from fills in place", "[tensor]") {
  const Tensor t = Tensor::from_vector({3}, {1, 2, 3}, DType::F32);
  const Tensor c = t.clone();
  CHECK(c.raw() != t.raw());
  c.data<float>()[0] = -1;
  CHECK(t.item(0) == 1);
  CHECK(c.to_vector() == std::vector<double>{-1, 2, 3});

  Tensor dst = Tensor::zeros({3}, DType::F32);
  const void* storage = dst.raw();
  dst.copy_from(t);
  CHECK(dst.raw() == storage);
  CHECK(dst.to_vector() == t.to_vector());
  CHECK_THROWS_AS(dst.copy_from(Tensor::zeros({4}, DType::F32)), std::invalid_argument);
  CHECK_THROWS_AS(dst.copy_from(Tensor::zeros({3, 1}, DType::F32)), std::invalid_argument);
  CHECK_THROWS_AS(dst.copy_from(Tensor::zeros({3}, DType::F64)), std::invalid_argument);
}

TEST_CASE("to(dtype) converts values; the same dtype shares storage", "[tensor]") {
  const Tensor f = Tensor::from_vector({4}, {1.5, -2.25, 0.1, 3e10}, DType::F32);
  const Tensor d = f.to(DType::F64);
  CHECK(d.dtype() == DType::F64);
  CHECK(d.raw() != f.raw());
  CHECK(d.item(1) == -2.25);
  CHECK(d.item(2) == static_cast<double>(0.1f));  // exactly the float value
  CHECK(d.to(DType::F32).to_vector() == f.to_vector());
  CHECK(f.to(DType::F32).raw() == f.raw());
  CHECK(f.to(Device::CPU).raw() == f.raw());

  const Tensor i = Tensor::from_vector({3}, {-2.75, 2.75, 9e15}, DType::F64).to(DType::I64);
  CHECK(i.data<std::int64_t>()[0] == -2);  // truncation toward zero, as a C++ cast
  CHECK(i.data<std::int64_t>()[1] == 2);
  CHECK(i.data<std::int64_t>()[2] == 9'000'000'000'000'000);

  const Tensor bytes = Tensor::from_vector({3}, {0, 128, 255}, DType::U8);
  CHECK(bytes.bytes() == 3);
  CHECK(bytes.data<std::uint8_t>()[2] == 255);
  CHECK(bytes.to(DType::F32).to_vector() == std::vector<double>{0, 128, 255});
  const Tensor saturated =
      Tensor::from_vector({4}, {-3.5, 7.9, 300, std::nan("")}, DType::F64).to(DType::U8);
  CHECK(saturated.to_vector() == std::vector<double>{0, 7, 255, 0});
}

TEST_CASE("rows copies a range of the first dimension", "[tensor]") {
  const Tensor t = Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6}, DType::F32);
  for (Device device : {Device::CPU, Device::Emulator}) {
    const Tensor r = t.to(device).rows(1, 2);
    CHECK(r.device() == device);
    CHECK(r.shape() == Shape{2, 2});
    CHECK(r.to_vector() == std::vector<double>{3, 4, 5, 6});
  }
  CHECK(t.rows(3, 0).shape() == Shape{0, 2});
  CHECK_THROWS_AS(t.rows(2, 2), std::out_of_range);
  CHECK_THROWS_AS(t.rows(-1, 1), std::out_of_range);
}

TEST_CASE("check_shape names the tensor", "[tensor]") {
  const Tensor t = Tensor::zeros({2, 3}, DType::F32);
  CHECK_NOTHROW(check_shape(t, {2, 3}, "thing"));
  CHECK_THROWS_WITH(check_shape(t, {3, 2}, "thing"), Catch::Contains("thing") &&
                                                         Catch::Contains("[3x2]") &&
                                                         Catch::Contains("[2x3]"));
  CHECK_THROWS_AS(check_shape(Tensor(), {2, 3}, "thing"), std::invalid_argument);
}
