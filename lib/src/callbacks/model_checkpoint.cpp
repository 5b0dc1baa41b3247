// ModelCheckpoint with Keras's semantics: filepath templating, save_best_only, save_freq.
#include "tkeras/callbacks/model_checkpoint.h"

#include <filesystem>
#include <iostream>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "distribute/joined.h"
#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace tkeras::callbacks {
namespace {

// One `{name:spec}` placeholder formatted as Python's str.format would format the value.
std::string format_value(std::string_view filepath, std::string_view name, std::string_view spec, double value,
                         bool integer) {
  const bool float_spec = !spec.empty() && std::string_view("eEfFgG%").find(spec.back()) != std::string_view::npos;
  try {
    const std::string pattern = fmt::format("{{:{}}}", spec);
    if (integer && !float_spec) return fmt::format(fmt::runtime(pattern), static_cast<int64_t>(value));
    if (spec.ends_with('%')) {
      return fmt::format(fmt::runtime(fmt::format("{{:{}f}}", spec.substr(0, spec.size() - 1))), value * 100.0) + "%";
    }
    return fmt::format(fmt::runtime(pattern), value);
  } catch (const fmt::format_error& error) {
    throw Error(fmt::format("ModelCheckpoint: cannot format \"{{{}:{}}}\" in filepath \"{}\" with the {} value {}: {}",
                            name, spec, filepath, integer ? "integer" : "float", value, error.what()));
  }
}

}  // namespace

ModelCheckpoint::ModelCheckpoint(ModelCheckpointOptions options)
    : MonitorCallback("ModelCheckpoint", options.monitor, options.mode),
      options_(std::move(options)),
      best_(options_.initial_value_threshold) {
  if (options_.filepath.empty()) throw Error("ModelCheckpoint: expected a filepath, received an empty one");
  if (options_.save_weights_only && !options_.filepath.ends_with(".safetensors")) {
    throw Error(
        fmt::format("ModelCheckpoint: with save_weights_only, expected a filepath ending in \".safetensors\", "
                    "received \"{}\"",
                    options_.filepath));
  }
  if (!options_.save_weights_only && !options_.filepath.ends_with(".tkeras")) {
    throw Error(
        fmt::format("ModelCheckpoint: expected a filepath ending in \".tkeras\" (a whole model; with "
                    "save_weights_only, \".safetensors\"), received \"{}\"",
                    options_.filepath));
  }
  if (const auto* every = std::get_if<int64_t>(&options_.save_freq)) {
    if (*every <= 0)
      throw Error(fmt::format("ModelCheckpoint: expected save_freq \"epoch\" or >= 1, received {}", *every));
    every_batches_ = *every;
  } else if (std::get<std::string>(options_.save_freq) != "epoch") {
    throw Error(fmt::format("ModelCheckpoint: expected save_freq \"epoch\" or a number of batches, received \"{}\"",
                            std::get<std::string>(options_.save_freq)));
  }
}

double ModelCheckpoint::best() const {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  return best_.value_or(improves_upwards() ? -kInfinity : kInfinity);
}

std::string ModelCheckpoint::file_path(int epoch, std::optional<int64_t> batch, const Logs& logs) const {
  const std::string_view pattern = options_.filepath;
  std::string path;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {  // "{{" and "}}" escape
      path += c;
      ++i;
      continue;
    }
    if (c == '}') throw Error(fmt::format("ModelCheckpoint: a single '}}' in filepath \"{}\"", pattern));
    if (c != '{') {
      path += c;
      continue;
    }
    const size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) {
      throw Error(fmt::format("ModelCheckpoint: an unclosed '{{' in filepath \"{}\"", pattern));
    }
    const std::string_view field = pattern.substr(i + 1, close - i - 1);
    const size_t colon = field.find(':');
    const std::string name(field.substr(0, colon));
    const std::string_view spec = colon == std::string_view::npos ? std::string_view() : field.substr(colon + 1);
    // As Keras: a log named "batch" wins over the batch counter.
    if (name == "epoch") {
      path += format_value(pattern, name, spec, epoch + 1, true);
    } else if (name == "batch" && batch && !logs.contains("batch")) {
      path += format_value(pattern, name, spec, static_cast<double>(*batch + 1), true);
    } else if (const auto found = logs.find(name); found != logs.end()) {
      path += format_value(pattern, name, spec, found->second, false);
    } else {
      std::vector<std::string> keys = {"epoch"};
      if (batch) keys.emplace_back("batch");
      for (const auto& [key, value] : logs) keys.push_back(key);
      throw Error(fmt::format("ModelCheckpoint: failed to format filepath \"{}\": no \"{}\" to fill in; available: {}",
                              pattern, name, fmt::join(keys, ", ")));
    }
    i = close;
  }
  return path;
}

void ModelCheckpoint::on_epoch_begin(int epoch, const Logs& /*logs*/) { current_epoch_ = epoch; }

// As Keras's _should_save_on_batch: a batch index that does not grow starts a new epoch.
int64_t ModelCheckpoint::batches_to_add(int64_t batch) const {
  return batch <= last_batch_seen_ ? batch + 1 : batch - last_batch_seen_;
}

bool ModelCheckpoint::wants_batch_logs_at(int64_t batch) const {
  return every_batches_ && batches_since_saving_ + batches_to_add(batch) >= *every_batches_;
}

void ModelCheckpoint::on_train_batch_end(int64_t batch, const Logs& logs) {
  if (!every_batches_) return;
  batches_since_saving_ += batches_to_add(batch);
  last_batch_seen_ = batch;
  if (batches_since_saving_ < *every_batches_) return;
  batches_since_saving_ = 0;
  save(current_epoch_, batch, logs);
}

void ModelCheckpoint::on_epoch_end(int epoch, const Logs& logs) {
  if (!every_batches_) save(epoch, std::nullopt, logs);
}

void ModelCheckpoint::save(int epoch, std::optional<int64_t> batch, const Logs& logs) {
  // Data-parallel: every process holds the same model; rank 0 saves it.
  if (!distribute::detail::writes_files()) return;
  const std::string path = file_path(epoch, batch, logs);
  const auto found = logs.find(monitor());
  if (options_.save_best_only && found == logs.end()) {
    // As Keras 3: without the value there is nothing to compare, so the model is saved.
    std::cerr << fmt::format("ModelCheckpoint: warning: can save best model only with {} available; saving anyway\n",
                             monitor());
  } else if (options_.save_best_only) {
    const double current = found->second;
    const std::string best_text = best_ ? fmt::format("{:.5f}", *best_) : "None";
    if (!is_improvement(current, best_)) {
      if (options_.verbose > 0) {
        std::cout << fmt::format("\nEpoch {}: {} did not improve from {}\n", epoch + 1, monitor(), best_text);
      }
      return;
    }
    if (options_.verbose > 0) {
      std::cout << fmt::format("\nEpoch {}: {} improved from {} to {:.5f}, saving model to {}\n", epoch + 1, monitor(),
                               best_text, current, path);
    }
    best_ = current;
  } else if (options_.verbose > 0) {
    std::cout << fmt::format("\nEpoch {}: saving model to {}\n", epoch + 1, path);
  }
  const std::filesystem::path directory = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!directory.empty()) std::filesystem::create_directories(directory, error);
  if (error)
    throw Error(
        fmt::format("ModelCheckpoint: cannot create directory \"{}\": {}", directory.string(), error.message()));
  if (options_.save_weights_only) {
    model().save_weights(path);
  } else {
    model().save(path);
  }
  last_saved_ = path;
}

}  // namespace tkeras::callbacks
