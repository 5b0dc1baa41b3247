// libFuzzer target: any bytes as an image (JPEG, PNG, BMP, GIF), decoded to any channel count,
// must decode or raise tkeras::Error, never crash, hang or allocate without bound.
#include <cstdint>
#include <span>

#include "tkeras/core/error.h"
#include "tkeras/data/decode_image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The last byte picks the channels; the rest is the file.
  constexpr int kChannels[] = {0, 1, 3, 4};
  const int channels = kChannels[data[size - 1] % 4];
  try {
    (void)tkeras::data::decode_image(std::span<const uint8_t>(data, size - 1), channels);
  } catch (const tkeras::Error&) {
  }
  return 0;
}
