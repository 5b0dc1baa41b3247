// A training run that the crash tests kill with SIGKILL at a chosen moment and then run again.
//
//   tkeras-crash-trainer BACKUP_DIR WEIGHTS_OUT [--kill-at-batch EPOCH BATCH | --kill-in-backup-write EPOCH]
//
// It trains a small seeded model (Conv2D, BatchNormalization, Dropout, Dense; Adam; shuffled
// batches, so the random generator's state matters) for 4 epochs with BackupAndRestore, then
// writes the final weights to WEIGHTS_OUT and prints the first epoch it trained.
// --kill-at-batch E B: SIGKILL itself after batch B of epoch E (from 0), mid-epoch.
// --kill-in-backup-write E: SIGKILL itself while the backup of epoch E is being written, after
// half of its bytes reached the temporary file (write() is wrapped below to stop there).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <sys/syscall.h>
#include <unistd.h>

#include <tkeras/tkeras.h>

namespace {

int g_epoch = -1;                // the epoch being trained
int g_kill_in_write_epoch = -1;  // --kill-in-backup-write

[[noreturn]] void die() {
  std::fflush(nullptr);
  ::kill(::getpid(), SIGKILL);
  std::abort();  // not reached
}

bool is_backup_temporary(int fd) {
  char link[64];
  char target[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t length = ::readlink(link, target, sizeof target - 1);
  if (length <= 0) return false;
  target[length] = '\0';
  return std::strstr(target, "latest.tkeras.tmp-") != nullptr;
}

// Records the epoch and kills the process at the chosen batch.
class Killer : public tkeras::callbacks::Callback {
 public:
  Killer(int epoch, int64_t batch) : epoch_(epoch), batch_(batch) {}
  void on_epoch_begin(int epoch, const tkeras::Logs& /*logs*/) override { g_epoch = epoch; }
  void on_train_batch_end(int64_t batch, const tkeras::Logs& /*logs*/) override {
    if (g_epoch == epoch_ && batch == batch_) die();
  }

 private:
  int epoch_;
  int64_t batch_;
};

// Remembers the first epoch this run trained.
class FirstEpoch : public tkeras::callbacks::Callback {
 public:
  int first = -1;
  void on_epoch_begin(int epoch, const tkeras::Logs& /*logs*/) override {
    if (first < 0) first = epoch;
  }
};

}  // namespace

// Every write() of this program (the library's included) comes here: the one that fills the
// chosen backup's temporary file writes half its bytes, then the process is killed.
extern "C" ssize_t write(int fd, const void* buffer, size_t count) {
  if (g_kill_in_write_epoch >= 0 && g_epoch == g_kill_in_write_epoch && count > 1 && is_backup_temporary(fd)) {
    ::syscall(SYS_write, fd, buffer, count / 2);
    die();
  }
  return ::syscall(SYS_write, fd, buffer, count);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr
        << "usage: tkeras-crash-trainer BACKUP_DIR WEIGHTS_OUT [--kill-at-batch E B | --kill-in-backup-write E]\n";
    return 2;
  }
  int kill_epoch = -1;
  int64_t kill_batch = -1;
  if (argc == 6 && std::string(argv[3]) == "--kill-at-batch") {
    kill_epoch = std::atoi(argv[4]);
    kill_batch = std::atoll(argv[5]);
  } else if (argc == 5 && std::string(argv[3]) == "--kill-in-backup-write") {
    g_kill_in_write_epoch = std::atoi(argv[4]);
  } else if (argc != 3) {
    std::cerr << "tkeras-crash-trainer: unknown arguments\n";
    return 2;
  }
  try {
    namespace layers = tkeras::layers;
    tkeras::utils::set_random_seed(42);
    const torch::Tensor x = torch::rand({160, 8, 8, 1});
    const torch::Tensor y = (x.mean({1, 2, 3}) * 4.0).floor().clamp(0, 3).to(torch::kLong);
    tkeras::Sequential model({layers::Input({8, 8, 1}), layers::Conv2D(4, 3, {.activation = "relu"}),
                              layers::BatchNormalization(), layers::Dropout(0.25), layers::Flatten(),
                              layers::Dense(4, "softmax")});
    model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
    auto backup = std::make_shared<tkeras::callbacks::BackupAndRestore>(
        tkeras::callbacks::BackupAndRestoreOptions{.backup_dir = argv[1]});
    auto first = std::make_shared<FirstEpoch>();
    model.fit(x, y,
              {.epochs = 4,
               .batch_size = 16,
               .validation_split = 0.2,
               .verbose = 0,
               .callbacks = {std::make_shared<Killer>(kill_epoch, kill_batch), backup, first}});
    model.save_weights(argv[2]);
    std::cout << "first epoch trained: " << first->first << ", resumed at: " << backup->resumed_epoch() << "\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "tkeras-crash-trainer: " << error.what() << "\n";
    return 1;
  }
}
