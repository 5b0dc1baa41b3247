// Sample weights: checked as fit and evaluate take them, or made from class weights (internal).
#pragma once

#include <cstdint>
#include <map>
#include <string_view>

#include <torch/types.h>

namespace tkeras::training {

/// `sample_weight` checked against `samples` samples and returned as float32 `[N]` on `device`.
/// Takes `[N]` or `[N, 1]` of a real dtype. Throws `tkeras::Error` naming `entry` otherwise.
torch::Tensor prepare_sample_weight(const torch::Tensor& sample_weight, int64_t samples, torch::Device device,
                                    std::string_view entry);

/// Keras's `class_weight_to_sample_weights`: the weight of each sample's class in
/// `class_weight` (1 for a class it does not list), as float32 `[N]` on `y`'s device. The class
/// of a sample is its label rounded half to even (`y` of shape `[N]` or `[N, 1]`), or the
/// position of the largest value in its row (`[N, C]`, one-hot). `labels`: `y` holds the sparse
/// loss's class labels, so `[N, T]` is a label per position, not a one-hot row. Throws
/// `tkeras::Error` naming `entry` for targets without one class per sample.
torch::Tensor class_weight_to_sample_weights(const torch::Tensor& y, const std::map<int64_t, double>& class_weight,
                                             bool labels, std::string_view entry);

}  // namespace tkeras::training
