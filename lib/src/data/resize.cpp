// Resizing images as Keras's torch backend does.
#include "data/resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <torch/torch.h>

namespace tkeras::data::resize {

torch::Tensor images(const torch::Tensor& batch, int64_t height, int64_t width, const std::string& interpolation,
                     bool antialias) {
  namespace F = torch::nn::functional;
  using Mode = F::InterpolateFuncOptions::mode_t;
  const torch::Tensor pixels = batch.to(torch::kFloat32);
  if (pixels.size(1) == height && pixels.size(2) == width) return pixels.contiguous();
  auto options = F::InterpolateFuncOptions().size(std::vector<int64_t>{height, width});
  if (interpolation == "nearest") {
    // (LibTorch's C++ interpolate warns unless align_corners is given, which nearest-exact ignores.)
    options.mode(Mode(torch::kNearestExact)).align_corners(false);
  } else {
    options.mode(interpolation == "bicubic" ? Mode(torch::kBicubic) : Mode(torch::kBilinear))
        .align_corners(false)
        .antialias(antialias);
  }
  return F::interpolate(pixels.permute({0, 3, 1, 2}), options).permute({0, 2, 3, 1}).contiguous();
}

namespace {

// One axis of the resize: for each output position, the two input positions it reads and their
// weights, as LibTorch's compute_source_index_and_lambda (align_corners = false) computes them.
struct Taps {
  std::vector<int64_t> index0, index1;
  std::vector<float> lambda0, lambda1;
};

Taps taps(int64_t input_size, int64_t output_size) {
  Taps t;
  t.index0.resize(static_cast<size_t>(output_size));
  t.index1.resize(static_cast<size_t>(output_size));
  t.lambda0.resize(static_cast<size_t>(output_size));
  t.lambda1.resize(static_cast<size_t>(output_size));
  const float scale = static_cast<float>(input_size) / static_cast<float>(output_size);
  for (int64_t o = 0; o < output_size; ++o) {
    const auto i = static_cast<size_t>(o);
    if (input_size == output_size) {
      t.index0[i] = t.index1[i] = o;
      t.lambda0[i] = 1.0F;
      t.lambda1[i] = 0.0F;
      continue;
    }
    float source = scale * (static_cast<float>(o) + 0.5F) - 0.5F;
    if (source < 0.0F) source = 0.0F;
    const int64_t index = std::min(static_cast<int64_t>(std::floor(source)), input_size - 1);
    const float lambda = std::min(std::max(source - static_cast<float>(index), 0.0F), 1.0F);
    t.index0[i] = index;
    t.index1[i] = index + (index < input_size - 1 ? 1 : 0);
    t.lambda1[i] = lambda;
    t.lambda0[i] = 1.0F - lambda;
  }
  return t;
}

// Separable: each input row the output reads is first resized across (two taps per value), then
// each output row blends its two resized input rows (a loop the compiler vectorizes). `kChannels`
// is the channel count when known at compile time (0: `channels`).
template <int kChannels, typename Pixel>
void bilinear_separable(const Pixel* input, int64_t in_width, int64_t channels, const Taps& rows, const Taps& columns,
                        float* output) {
  const int64_t c_count = kChannels > 0 ? kChannels : channels;
  const auto out_height = static_cast<int64_t>(rows.index0.size());
  const auto out_width = static_cast<int64_t>(columns.index0.size());
  const int64_t row_values = out_width * c_count;
  const int64_t first = rows.index0.front();
  const int64_t last = rows.index1.back();
  std::vector<float> across(static_cast<size_t>((last - first + 1) * row_values));
  for (int64_t ih = first; ih <= last; ++ih) {
    const Pixel* source = input + ih * in_width * c_count;
    float* target = across.data() + (ih - first) * row_values;
    for (int64_t ow = 0; ow < out_width; ++ow) {
      const auto w = static_cast<size_t>(ow);
      const Pixel* left = source + columns.index0[w] * c_count;
      const Pixel* right = source + columns.index1[w] * c_count;
      const float lambda0 = columns.lambda0[w];
      const float lambda1 = columns.lambda1[w];
      for (int64_t c = 0; c < c_count; ++c) {
        target[c] = static_cast<float>(left[c]) * lambda0 + static_cast<float>(right[c]) * lambda1;
      }
      target += c_count;
    }
  }
  for (int64_t oh = 0; oh < out_height; ++oh) {
    const auto h = static_cast<size_t>(oh);
    const float* top = across.data() + (rows.index0[h] - first) * row_values;
    const float* bottom = across.data() + (rows.index1[h] - first) * row_values;
    const float lambda0 = rows.lambda0[h];
    const float lambda1 = rows.lambda1[h];
    float* target = output + oh * row_values;
    for (int64_t i = 0; i < row_values; ++i) target[i] = top[i] * lambda0 + bottom[i] * lambda1;
  }
}

template <typename Pixel>
void bilinear_rows(const Pixel* input, int64_t in_width, int64_t channels, const Taps& rows, const Taps& columns,
                   float* output) {
  switch (channels) {
    case 1:
      return bilinear_separable<1>(input, in_width, channels, rows, columns, output);
    case 3:
      return bilinear_separable<3>(input, in_width, channels, rows, columns, output);
    case 4:
      return bilinear_separable<4>(input, in_width, channels, rows, columns, output);
    default:
      return bilinear_separable<0>(input, in_width, channels, rows, columns, output);
  }
}

}  // namespace

torch::Tensor bilinear_image(const torch::Tensor& image, int64_t height, int64_t width) {
  const bool bytes = image.scalar_type() == torch::kUInt8;
  const torch::Tensor input = (bytes ? image : image.to(torch::kFloat32)).contiguous();
  const int64_t in_height = input.size(0);
  const int64_t in_width = input.size(1);
  const int64_t channels = input.size(2);
  if (in_height == height && in_width == width) return input.to(torch::kFloat32);
  torch::Tensor output = torch::empty({height, width, channels}, torch::kFloat32);
  const Taps rows = taps(in_height, height);
  const Taps columns = taps(in_width, width);
  if (bytes) {
    bilinear_rows(input.data_ptr<uint8_t>(), in_width, channels, rows, columns, output.data_ptr<float>());
  } else {
    bilinear_rows(input.data_ptr<float>(), in_width, channels, rows, columns, output.data_ptr<float>());
  }
  return output;
}

torch::Tensor crop_to_aspect(const torch::Tensor& batch, int64_t height, int64_t width) {
  const int64_t h = batch.size(1);
  const int64_t w = batch.size(2);
  const auto crop_height = std::max<int64_t>(
      std::min(h, static_cast<int64_t>(static_cast<double>(w * height) / static_cast<double>(width))), 1);
  const auto crop_width = std::max<int64_t>(
      std::min(w, static_cast<int64_t>(static_cast<double>(h * width) / static_cast<double>(height))), 1);
  const auto top = static_cast<int64_t>(static_cast<double>(h - crop_height) / 2);
  const auto left = static_cast<int64_t>(static_cast<double>(w - crop_width) / 2);
  return batch.narrow(1, top, crop_height).narrow(2, left, crop_width);
}

torch::Tensor pad_to_aspect(const torch::Tensor& batch, int64_t height, int64_t width, double fill_value) {
  const int64_t h = batch.size(1);
  const int64_t w = batch.size(2);
  const int64_t pad_height =
      std::max(h, static_cast<int64_t>(static_cast<double>(w * height) / static_cast<double>(width)));
  const int64_t pad_width =
      std::max(w, static_cast<int64_t>(static_cast<double>(h * width) / static_cast<double>(height)));
  const auto top = static_cast<int64_t>(static_cast<double>(pad_height - h) / 2);
  const auto left = static_cast<int64_t>(static_cast<double>(pad_width - w) / 2);
  // Keras pads the same amount on both sides (the box may come out one short of pad_*).
  torch::Tensor padded =
      torch::full({batch.size(0), h + 2 * top, w + 2 * left, batch.size(3)}, fill_value, batch.options());
  padded.narrow(1, top, h).narrow(2, left, w).copy_(batch);
  return padded;
}

}  // namespace tkeras::data::resize
