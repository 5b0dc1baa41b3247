// The registry of loss classes, filled by each class's Registrar when the library loads, and the
// reading of a reduction.
#include "losses/registry.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/class_registry.h"
#include "tkeras/core/error.h"

namespace tkeras::losses::registry {
namespace {

// Made on first use, so that a Registrar in any source may run before or after any other.
tkeras::detail::ClassRegistry<LossClass>& loss_classes() {
  static tkeras::detail::ClassRegistry<LossClass> all("loss");
  return all;
}

constexpr std::string_view kReductions[] = {"sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"};

}  // namespace

void add(LossClass loss_class) { loss_classes().add(std::move(loss_class)); }

const LossClass* find(std::string_view name) { return loss_classes().find(name); }

std::vector<std::string> names() { return loss_classes().names(); }

void check_reduction(std::string_view reduction) {
  if (std::find(std::begin(kReductions), std::end(kReductions), reduction) == std::end(kReductions)) {
    throw Error(
        fmt::format("expected a loss reduction among sum_over_batch_size, sum, mean, mean_with_sample_weight "
                    "and none, received \"{}\"",
                    reduction));
  }
}

std::string reduction(OptionsReader& read) {
  const Config& value = read.value("reduction");
  if (value.is_null()) return read.has("reduction") ? "none" : std::string(kSumOverBatchSize);
  if (!value.is_string()) {
    throw Error(fmt::format("{}: expected reduction as a string, received {}", read.class_name(), value.dump()));
  }
  return value.get<std::string>();
}

}  // namespace tkeras::losses::registry
