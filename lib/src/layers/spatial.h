// Shared arithmetic of the 2-D layers: window counts, Keras's "same" padding, layout views (internal).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <torch/torch.h>

#include "io/onnx_graph.h"
#include "tkeras/core/shape.h"
#include "tkeras/layers/layer.h"
#include "tkeras/layers/size2.h"

namespace tkeras::layers::spatial {

/// Throws unless `padding` is "valid" or "same".
void check_padding(std::string_view layer, std::string_view padding);
/// Throws unless both sizes are positive.
void check_positive(std::string_view layer, std::string_view what, const Size2& size);

/// A layer's input shape `{H, W, C}`, checked: anything else throws `tkeras::Error`, as Keras refuses it.
Shape image_shape(const Layer& layer, const Shape& input_shape);

/// Throws unless `dilation_rate` is positive and, as Keras, not above 1 together with `strides`
/// above 1.
void check_dilation(std::string_view layer, const Size2& strides, const Size2& dilation_rate);
/// A size option of a config (`strides`, `dilation_rate`): `fallback` when absent.
Size2 read_size2(const ConfigReader& read, std::string_view key, Size2 fallback);

/// The output height and width of windows of `window` taps, spaced `dilation` apart (a window
/// spans `(window - 1) * dilation + 1`), moved by `strides` over `image`, and the padding Keras
/// adds for "same" (more at the end when odd, as TensorFlow): {left, right, top, bottom}. Throws,
/// naming the layer and the shapes, when a "valid" window is larger than the image.
struct Windows {
  int64_t height;
  int64_t width;
  std::array<int64_t, 4> padding;
};
Windows windows(const Layer& layer, const Shape& image, const Size2& window, const Size2& strides,
                std::string_view padding, std::string_view what, const Size2& dilation = 1);

/// A 1-D size option (`kernel_size`, `strides`, `pool_size`) from a config: Keras writes a list of
/// one number (`[3]`); a plain number is read too. `fallback` when absent.
int64_t read_size_1d(const ConfigReader& read, std::string_view key, int64_t fallback);
/// Throws `tkeras::Error` naming `class_name` unless the config's `data_format` is absent or
/// "channels_last" (tkeras's layers are channels-last, as Keras's default).
void refuse_channels_first(const ConfigReader& read, std::string_view class_name);

/// A 1-D layer's input shape `{steps, channels}`, checked: anything else throws `tkeras::Error`.
Shape sequence_shape(const Layer& layer, const Shape& input_shape);

/// The output length of windows of `window` taps spaced `dilation` apart moved by `strides` over
/// `steps`, and the padding Keras adds before and after: for "same" as `windows` (more at the
/// end), for "causal" all before. Throws, naming the layer, when a "valid" window is longer than
/// the sequence.
struct Windows1D {
  int64_t steps;
  int64_t before;
  int64_t after;
};
Windows1D windows_1d(const Layer& layer, int64_t steps, int64_t window, int64_t strides, int64_t dilation,
                     std::string_view padding, std::string_view what);

/// `[N, H, W, C]` as LibTorch's `[N, C, H, W]`: a view, no copy.
torch::Tensor channels_first(const torch::Tensor& images);
/// `[N, C, H, W]` back as `[N, H, W, C]`: a view, no copy.
torch::Tensor channels_last(const torch::Tensor& images);
/// Pads `[N, C, H, W]` by {left, right, top, bottom} with `value` (nothing when all are 0).
torch::Tensor pad(const torch::Tensor& images, const std::array<int64_t, 4>& padding, double value);

/// A convolution's kernel as LibTorch's CPU kernels take it with channels-last images, without
/// copying the images or the kernel at each call: `to_torch(weight)` (the Keras-layout weight
/// viewed in LibTorch's `[out, in / groups, kh, kw]`) in channels-last memory. While the weight is
/// trained (grad mode on and it requires grad) it is converted at each call, for autograd; else
/// the conversion is kept in `kept` and made again only when the weight changed (an optimizer
/// step, set_weights, a move to another device): predict and a frozen backbone convert once.
template <class ToTorch>
torch::Tensor torch_kernel(detail::ConvertedWeight& kept, const torch::Tensor& weight, ToTorch to_torch) {
  if (torch::GradMode::is_enabled() && weight.requires_grad()) {
    return to_torch(weight).contiguous(at::MemoryFormat::ChannelsLast);
  }
  if (!kept.value.defined() || kept.source != weight.data_ptr() || kept.version != weight._version()) {
    const torch::NoGradGuard no_grad;
    const c10::InferenceMode normal_tensors(false);  // usable in autograd later (a frozen layer in fit)
    kept.value = to_torch(weight).contiguous(at::MemoryFormat::ChannelsLast);
    kept.source = weight.data_ptr();
    kept.version = weight._version();
  }
  return kept.value;
}

/// A 2-D convolution of channels-last images `[N, H, W, C]`, as Keras's torch backend runs it:
/// LibTorch's conv2d on their channels-first view, with `weight` in LibTorch's layout `[out, C /
/// groups, kh, kw]`, `bias` (undefined for none) and the `padding` of `windows` ({left, right,
/// top, bottom}: LibTorch's own when symmetric, else a pad first). Returns `[N, H', W', out]`, a
/// view of LibTorch's output.
torch::Tensor conv2d(const torch::Tensor& images, const torch::Tensor& weight, const torch::Tensor& bias,
                     const Size2& strides, const std::array<int64_t, 4>& padding, const Size2& dilation = 1,
                     int64_t groups = 1);

/// A convolution (`spatial` 1 or 2) as ONNX's Conv between channels-first transposes, with its
/// activation after it; Keras's causal padding as a Pad before. A grouped convolution gives its
/// kernel in ONNX's layout `[out, in / groups, k...]` and its `groups`; by default the layer's
/// `kernel` in Keras's layout, one group. `pads`, in ONNX's order (the begins, then the ends),
/// are explicit pads, which a dilated "same" convolution needs (onnxruntime refuses SAME_UPPER
/// with dilation); empty (the default): `auto_pad` of the config's padding.
io::onnx::Value conv_to_onnx(const Layer& layer, io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs,
                             int spatial, const torch::Tensor& grouped_kernel = {}, int64_t groups = 1,
                             const std::vector<int64_t>& pads = {});
/// ONNX's 2-D `pads` {top, left, bottom, right} of `windows`'s {left, right, top, bottom}.
std::vector<int64_t> onnx_pads(const std::array<int64_t, 4>& padding);
/// A pooling layer as ONNX's `type` (MaxPool, AveragePool) between channels-first transposes.
io::onnx::Value pool_to_onnx(const Layer& layer, io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs,
                             int spatial, const std::string& type);
/// A global pooling layer as ONNX's `type` (ReduceMean, ReduceMax) over the steps or pixels.
io::onnx::Value global_pool_to_onnx(const Layer& layer, io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs,
                                    int spatial, const std::string& type, bool keepdims);

}  // namespace tkeras::layers::spatial
