#pragma once
// A 64-bit FNV-1a hash for fingerprints: cache validity, duplicate images, settings.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

namespace braincam {

class Hasher {
 public:
  Hasher& bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      state_ ^= p[i];
      state_ *= 0x100000001B3ull;
    }
    return *this;
  }
  Hasher& bytes(std::span<const std::uint8_t> data) { return bytes(data.data(), data.size()); }
  // Strings are length-prefixed so that ("ab","c") and ("a","bc") differ.
  Hasher& text(std::string_view s) { return u64(s.size()).bytes(s.data(), s.size()); }
  Hasher& u64(std::uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    return bytes(b, 8);
  }
  std::uint64_t digest() const { return state_; }

 private:
  std::uint64_t state_ = 0xCBF29CE484222325ull;
};

// 16 lower-case hex digits.
inline std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace braincam
