// Tests for BackupAndRestore: resuming in process, and crash tests that SIGKILL a training
// process mid-epoch and mid-backup-write, then check the resumed run ends as an uninterrupted one.
#include <filesystem>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/callbacks/backup_and_restore.h"
#include "tkeras/callbacks/lambda_callback.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"
#include "tkeras/saving/load_model.h"

extern char** environ;

namespace layers = tkeras::layers;
namespace fs = std::filesystem;
using tkeras::callbacks::BackupAndRestore;
using tkeras::callbacks::BackupAndRestoreOptions;

using tkeras::testing::read_bytes;

namespace {

// The crash trainer's exit: its status from waitpid, and what it printed.
struct Run {
  int status = 0;
  std::string output;
  bool exited_ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
  bool killed() const { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }
};

Run run_trainer(const fs::path& dir, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {TKERAS_CRASH_TRAINER, (dir / "backup").string(),
                                   (dir / "weights.safetensors").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log = (dir / "trainer.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(spawned == 0);
  Run run;
  REQUIRE(waitpid(pid, &run.status, 0) == pid);
  run.output = read_bytes(log);
  return run;
}

tkeras::Sequential small_model() {
  return tkeras::Sequential({layers::Input({4}), layers::Dense(8, "relu"), layers::Dense(3, "softmax")});
}

}  // namespace

TEST_CASE("a run killed with SIGKILL mid-epoch resumes from its backup and ends with the uninterrupted run's weights") {
  const tkeras::testing::TempDir reference_dir;
  const Run reference = run_trainer(reference_dir.path(), {});
  INFO(reference.output);
  REQUIRE(reference.exited_ok());
  CHECK(reference.output.find("first epoch trained: 0, resumed at: -1") != std::string::npos);
  CHECK_FALSE(fs::exists(reference_dir.path() / "backup"));  // removed after a successful fit

  const tkeras::testing::TempDir dir;
  const Run crashed = run_trainer(dir.path(), {"--kill-at-batch", "2", "3"});
  INFO(crashed.output);
  REQUIRE(crashed.killed());
  CHECK_FALSE(fs::exists(dir.path() / "weights.safetensors"));
  // Two epochs were done and backed up before the kill in the third.
  const auto backup = dir.path() / "backup" / "latest.tkeras";
  REQUIRE(fs::exists(backup));

  const Run resumed = run_trainer(dir.path(), {});
  INFO(resumed.output);
  REQUIRE(resumed.exited_ok());
  CHECK(resumed.output.find("first epoch trained: 2, resumed at: 2") != std::string::npos);
  // Same bytes: the same weights, bit for bit.
  CHECK(read_bytes(dir.path() / "weights.safetensors") == read_bytes(reference_dir.path() / "weights.safetensors"));
  CHECK_FALSE(fs::exists(dir.path() / "backup"));
}

TEST_CASE("a run killed with SIGKILL while writing its backup keeps the previous backup whole and resumes from it") {
  const tkeras::testing::TempDir reference_dir;
  REQUIRE(run_trainer(reference_dir.path(), {}).exited_ok());

  const tkeras::testing::TempDir dir;
  const Run crashed = run_trainer(dir.path(), {"--kill-in-backup-write", "2"});
  INFO(crashed.output);
  REQUIRE(crashed.killed());
  // The kill came mid-write: a torn temporary is left beside the backup of epoch 2...
  std::vector<fs::path> temporaries;
  for (const auto& entry : fs::directory_iterator(dir.path() / "backup")) {
    if (entry.path().filename().string().starts_with("latest.tkeras.tmp-")) temporaries.push_back(entry.path());
  }
  REQUIRE(temporaries.size() == 1);
  CHECK_THROWS_AS(tkeras::models::load_model(temporaries.front().string()), tkeras::Error);
  // ...and the backup itself is the previous one, complete: it loads.
  const auto backup = dir.path() / "backup" / "latest.tkeras";
  REQUIRE(fs::exists(backup));
  CHECK_NOTHROW(tkeras::models::load_model(backup.string(), {.device = "cpu"}));

  const Run resumed = run_trainer(dir.path(), {});
  INFO(resumed.output);
  REQUIRE(resumed.exited_ok());
  CHECK(resumed.output.find("first epoch trained: 2, resumed at: 2") != std::string::npos);
  CHECK(read_bytes(dir.path() / "weights.safetensors") == read_bytes(reference_dir.path() / "weights.safetensors"));
  CHECK_FALSE(fs::exists(dir.path() / "backup"));  // the torn temporary went with it
}

TEST_CASE("fit resumes at the epoch after the last backup and trains only the epochs left") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(32, 3, 4, 5);
  const auto backup_dir = (dir.path() / "backup").string();
  tkeras::utils::set_random_seed(3);
  tkeras::Sequential model = small_model();
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  // A first run that stops after 2 of 5 epochs, as a crash would, keeping its backup.
  auto stop = std::make_shared<tkeras::callbacks::LambdaCallback>(
      tkeras::callbacks::LambdaCallbackOptions{.on_epoch_end = [&](int epoch, const tkeras::Logs&) {
        if (epoch == 1) throw std::runtime_error("simulated failure");
      }});
  auto backup = std::make_shared<BackupAndRestore>(BackupAndRestoreOptions{.backup_dir = backup_dir});
  CHECK_THROWS_AS(model.fit(data.x, data.y, {.epochs = 5, .batch_size = 8, .verbose = 0, .callbacks = {backup, stop}}),
                  std::runtime_error);
  REQUIRE(fs::exists(backup->backup_path()));
  const int64_t iterations = model.optimizer_iterations();
  CHECK(iterations == 8);

  tkeras::History history =
      model.fit(data.x, data.y, {.epochs = 5, .batch_size = 8, .verbose = 0, .callbacks = {backup}});
  CHECK(backup->resumed_epoch() == 2);
  CHECK(history.epoch == std::vector<int>{2, 3, 4});
  CHECK(model.optimizer_iterations() == 8 + 3 * 4);
  CHECK_FALSE(fs::exists(backup_dir));
}

TEST_CASE("a backup written by another architecture is refused, naming the file") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(16, 3, 4, 5);
  const auto backup_dir = (dir.path() / "backup").string();
  auto backup =
      std::make_shared<BackupAndRestore>(BackupAndRestoreOptions{.backup_dir = backup_dir, .delete_checkpoint = false});
  tkeras::Sequential first = small_model();
  first.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  first.fit(data.x, data.y, {.epochs = 1, .verbose = 0, .callbacks = {backup}});
  REQUIRE(fs::exists(backup->backup_path()));  // delete_checkpoint = false keeps it

  tkeras::Sequential other({layers::Input({4}), layers::Dense(5, "relu"), layers::Dense(3, "softmax")});
  other.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  CHECK_THROWS_WITH_AS(other.fit(data.x, data.y, {.epochs = 2, .verbose = 0, .callbacks = {backup}}),
                       doctest::Contains("latest.tkeras\": the backup was written by a model of another architecture"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(BackupAndRestore(BackupAndRestoreOptions{}),
                       "BackupAndRestore: expected a backup_dir, received an empty one", tkeras::Error);
}
