// BackupAndRestore: the model, optimizer, epoch count and random state in one atomically written
// file, restored when fit starts again.
#include "tkeras/callbacks/backup_and_restore.h"

#include <charconv>
#include <filesystem>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "distribute/joined.h"
#include "saving/model_file.h"
#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace tkeras::callbacks {
namespace {

namespace fs = std::filesystem;
using saving::detail::ModelFile;

// The random generators whose state decides what training does next: the CPU's (shuffling,
// dropout on the CPU) and the model's device's.
std::vector<std::pair<std::string, at::Generator>> generators(const Model& model) {
  std::vector<std::pair<std::string, at::Generator>> result;
  result.emplace_back("rng.cpu", at::detail::getDefaultCPUGenerator());
  if (model.device().is_cuda()) result.emplace_back("rng.cuda", at::globalContext().defaultGenerator(model.device()));
  return result;
}

}  // namespace

BackupAndRestore::BackupAndRestore(BackupAndRestoreOptions options) : options_(std::move(options)) {
  if (options_.backup_dir.empty()) {
    throw Error("BackupAndRestore: expected a backup_dir, received an empty one");
  }
}

std::string BackupAndRestore::backup_path() const { return (fs::path(options_.backup_dir) / "latest.tkeras").string(); }

void BackupAndRestore::on_train_begin(const Logs& /*logs*/) {
  resumed_epoch_ = -1;
  // Data-parallel: rank 0 reads the backup, and fit gives its state to the other processes.
  if (!distribute::detail::writes_files()) return;
  const std::string path = backup_path();
  if (!fs::exists(path)) return;
  const io::SafetensorsFile file = ModelFile::read(path);
  // The same architecture, whatever the layers' names: the process that wrote the backup may
  // have numbered them differently.
  if (ModelFile::architecture(file.metadata.at("model_config")) !=
      ModelFile::architecture(ModelFile::model_config(model()))) {
    throw Error(
        fmt::format("\"{}\": the backup was written by a model of another architecture; remove it to start "
                    "over",
                    path));
  }
  const auto found = file.metadata.find("epoch");
  int epoch = -1;
  if (found != file.metadata.end()) {
    const std::string& text = found->second;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), epoch);
    if (error != std::errc() || end != text.data() + text.size()) epoch = -1;
  }
  if (epoch < 0) throw Error(fmt::format("\"{}\": expected an \"epoch\" count in the backup's metadata", path));

  const auto tensors = std::map<std::string, torch::Tensor>(file.tensors.begin(), file.tensors.end());
  auto states = generators(model());
  for (const auto& [name, generator] : states) {
    const auto state = tensors.find(name);
    const torch::Tensor current = generator.get_state();
    if (state == tensors.end() || state->second.scalar_type() != current.scalar_type() ||
        state->second.sizes() != current.sizes()) {
      throw Error(fmt::format("\"{}\": expected the random generator's state \"{}\" ({} bytes) in the backup", path,
                              name, current.numel()));
    }
  }
  ModelFile::restore(model(), file, path);
  for (auto& [name, generator] : states) {
    const std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(tensors.at(name));
  }
  resumed_epoch_ = epoch;
  ModelFile::resume_at(model(), epoch);
}

void BackupAndRestore::on_epoch_end(int epoch, const Logs& /*logs*/) {
  if (!distribute::detail::writes_files()) return;
  std::error_code error;
  fs::create_directories(options_.backup_dir, error);
  if (error) {
    throw Error(
        fmt::format("BackupAndRestore: cannot create backup_dir \"{}\": {}", options_.backup_dir, error.message()));
  }
  io::NamedTensors states;
  for (const auto& [name, generator] : generators(model())) states.emplace_back(name, generator.get_state());
  ModelFile::save(model(), backup_path(), {{"epoch", std::to_string(epoch + 1)}}, states);
}

void BackupAndRestore::on_train_end(const Logs& /*logs*/) {
  if (!options_.delete_checkpoint || !distribute::detail::writes_files()) return;
  // The backup, any temporary a killed save left beside it, and the directory once empty; other
  // files in it are the user's and stay.
  std::error_code error;
  const std::string backup = fs::path(backup_path()).filename().string();
  for (const auto& entry : fs::directory_iterator(options_.backup_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name == backup || name.starts_with(backup + ".tmp-")) fs::remove(entry.path(), error);
  }
  if (fs::is_empty(options_.backup_dir, error)) fs::remove(options_.backup_dir, error);
}

}  // namespace tkeras::callbacks
