// Tests for DataParallel: jobs of 2 and 3 processes of this very binary (its --worker mode), met
// through a FileStore, torchrun's TCP store, or two network namespaces, checked against one
// process on the same global batch; a killed, a stalled and a missing process.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "distribute/launch_environment.h"
#include "support.h"
#include "tkeras/tkeras.h"

extern char** environ;

namespace fs = std::filesystem;
namespace layers = tkeras::layers;
namespace callbacks = tkeras::callbacks;
using tkeras::testing::TempDir;

namespace {

// ---------------------------------------------------------------------------------------------
// The worker: one process of a job. It trains a small classifier on seeded blobs and writes its
// History and weights under <out>/results; its callbacks write under <out>/rank<R>.

struct WorkerOptions {
  std::string out;
  std::optional<int> rank, world;
  std::string store;
  std::string optimizer = "sgd";
  int64_t batch = 16;
  int epochs = 3;
  int64_t samples = 33;
  double timeout = 60.0;
  int die_epoch = -1, die_batch = -1;      // rank 1 kills itself (SIGKILL) there
  int stall_epoch = -1, stall_batch = -1;  // rank 1 sleeps there for stall_seconds
  double stall_seconds = 0.0;
  bool backup = false, batch_norm = false, dataset = false, nan = false;
  std::string master_addr;
  std::optional<int> master_port;
  std::string device = "cpu", backend = "auto";
  bool jit = false;
};

WorkerOptions parse_worker(int argc, char** argv) {
  WorkerOptions options;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&] { return std::string(argv[++i]); };
    if (arg == "--out")
      options.out = value();
    else if (arg == "--rank")
      options.rank = std::stoi(value());
    else if (arg == "--world")
      options.world = std::stoi(value());
    else if (arg == "--store")
      options.store = value();
    else if (arg == "--optimizer")
      options.optimizer = value();
    else if (arg == "--batch")
      options.batch = std::stoll(value());
    else if (arg == "--epochs")
      options.epochs = std::stoi(value());
    else if (arg == "--samples")
      options.samples = std::stoll(value());
    else if (arg == "--timeout")
      options.timeout = std::stod(value());
    else if (arg == "--die-at")
      std::sscanf(value().c_str(), "%d:%d", &options.die_epoch, &options.die_batch);
    else if (arg == "--stall-at") {
      std::sscanf(value().c_str(), "%d:%d:%lf", &options.stall_epoch, &options.stall_batch, &options.stall_seconds);
    } else if (arg == "--backup")
      options.backup = true;
    else if (arg == "--batch-norm")
      options.batch_norm = true;
    else if (arg == "--dataset")
      options.dataset = true;
    else if (arg == "--nan")
      options.nan = true;
    else if (arg == "--master-addr")
      options.master_addr = value();
    else if (arg == "--master-port")
      options.master_port = std::stoi(value());
    else if (arg == "--device")
      options.device = value();
    else if (arg == "--backend")
      options.backend = value();
    else if (arg == "--jit")
      options.jit = true;
    else
      throw tkeras::Error("worker: unknown argument " + arg);
  }
  return options;
}

std::shared_ptr<tkeras::Sequential> small_model(bool batch_norm) {
  if (batch_norm) {
    return std::make_shared<tkeras::Sequential>(
        std::vector<layers::AnyLayer>{layers::Input({4}), layers::Dense(8), layers::BatchNormalization(),
                                      layers::Activation("relu"), layers::Dense(3, "softmax")});
  }
  // A weight penalty, an activity penalty over each process's rows and a constraint, which must
  // come out as one process's.
  return std::make_shared<tkeras::Sequential>(std::vector<layers::AnyLayer>{
      layers::Input({4}),
      layers::Dense(8, "relu",
                    {.kernel_regularizer = tkeras::regularizers::L2(0.01),
                     .activity_regularizer = tkeras::regularizers::L1(0.001),
                     .kernel_constraint = tkeras::constraints::MaxNorm({.max_value = 1.5})}),
      layers::Dense(3, "softmax")});
}

int run_worker_job(const WorkerOptions& options) {
  // Each rank seeds differently, so that only rank 0's broadcast weights can make them agree.
  const int launched_rank = options.rank.value_or(tkeras::distribute::rank());
  tkeras::utils::set_random_seed(7 + 1000 * static_cast<uint64_t>(launched_rank));
  const auto data = tkeras::testing::blobs(options.samples, 3, 4, 11);
  const auto validation = tkeras::testing::blobs(7, 3, 4, 12);
  auto model = small_model(options.batch_norm);
  tkeras::distribute::DataParallel parallel{.rank = options.rank,
                                            .world_size = options.world,
                                            .master_addr = options.master_addr,
                                            .master_port = options.master_port,
                                            .store_path = options.store,
                                            .backend = options.backend,
                                            .timeout = options.timeout};
  tkeras::optimizers::Optimizer optimizer =
      options.optimizer == "adam" ? tkeras::optimizers::Optimizer(tkeras::optimizers::Adam({.learning_rate = 0.01}))
                                  : tkeras::optimizers::Optimizer(tkeras::optimizers::SGD(
                                        {.learning_rate = options.nan ? 1e12 : 0.1, .momentum = 0.9}));
  model->compile({.optimizer = optimizer,
                  .loss = "sparse_categorical_crossentropy",
                  // MeanIoU's confusion matrix is summed over the processes before its result.
                  .metrics = {"accuracy", tkeras::metrics::MeanIoU(3, {.sparse_y_pred = false})},
                  .device = options.device,
                  .jit = options.jit,
                  .distribute = parallel});
  const int rank = tkeras::distribute::rank();

  const fs::path own = fs::path(options.out) / fmt::format("rank{}", rank);
  fs::create_directories(own);  // as a user's program makes its output directory, on every process
  std::vector<std::shared_ptr<callbacks::Callback>> hooks{
      std::make_shared<callbacks::CSVLogger>(own / "history.csv"),
      std::make_shared<callbacks::ModelCheckpoint>(
          callbacks::ModelCheckpointOptions{.filepath = (own / "checkpoint.tkeras").string()}),
      std::make_shared<callbacks::TerminateOnNaN>(),
  };
  if (options.backup) {
    hooks.push_back(std::make_shared<callbacks::BackupAndRestore>(
        callbacks::BackupAndRestoreOptions{.backup_dir = (own / "backup").string()}));
  } else {
    // Decisions from the logs, which must come out alike on every process. (Not with a backup:
    // as in Keras, a resumed run starts these callbacks afresh, so it would decide otherwise.)
    hooks.push_back(std::make_shared<callbacks::ReduceLROnPlateau>(
        callbacks::ReduceLROnPlateauOptions{.monitor = "loss", .factor = 0.5, .patience = 0, .min_delta = 1e-3}));
    hooks.push_back(std::make_shared<callbacks::EarlyStopping>(
        callbacks::EarlyStoppingOptions{.monitor = "val_loss", .min_delta = 1e-2, .patience = 2}));
  }
  int epoch_now = 0;
  hooks.push_back(std::make_shared<callbacks::LambdaCallback>(callbacks::LambdaCallbackOptions{
      .on_epoch_begin = [&](int epoch, const tkeras::Logs&) { epoch_now = epoch; },
      .on_train_batch_end =
          [&](int64_t batch, const tkeras::Logs&) {
            if (rank != 1) return;
            if (epoch_now == options.die_epoch && batch == options.die_batch) {
              std::fprintf(stderr, "worker: rank 1 kills itself at epoch %d, batch %lld\n", epoch_now,
                           static_cast<long long>(batch));
              std::fflush(stderr);
              ::raise(SIGKILL);
            }
            if (epoch_now == options.stall_epoch && batch == options.stall_batch) {
              std::fprintf(stderr, "worker: rank 1 stalls for %.1f s\n", options.stall_seconds);
              std::fflush(stderr);
              std::this_thread::sleep_for(std::chrono::duration<double>(options.stall_seconds));
            }
          }}));

  tkeras::History history;
  if (options.dataset) {
    const auto train = tkeras::data::Dataset::from_tensor_slices(data.x, data.y).batch(options.batch);
    const auto val = tkeras::data::Dataset::from_tensor_slices(validation.x, validation.y).batch(options.batch);
    history = model->fit(train, {.epochs = options.epochs, .validation_data = val, .verbose = 0, .callbacks = hooks});
  } else {
    history = model->fit(data.x, data.y,
                         {.epochs = options.epochs,
                          .batch_size = options.batch,
                          .validation_data = {validation.x, validation.y},
                          .verbose = 0,
                          .callbacks = hooks});
  }
  const fs::path results = fs::path(options.out) / "results";
  fs::create_directories(results);
  model->save_weights((results / fmt::format("rank{}.safetensors", rank)).string());
  std::ofstream out(results / fmt::format("rank{}.history", rank));
  for (const auto& [key, values] : history.history) {
    out << key;
    for (const double value : values) out << fmt::format(" {:.17g}", value);
    out << '\n';
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The driver: starts workers, waits for them, reads what they wrote.

struct Process {
  pid_t pid = -1;
  int status = 0;
  bool done = false;
  double seconds = 0.0;  // when it exited, from the job's start
  fs::path log;
  std::string output() const { return tkeras::testing::read_bytes(log); }
  bool ok() const { return done && WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

std::string self_path() { return fs::read_symlink("/proc/self/exe").string(); }

Process spawn(const std::vector<std::string>& args, const fs::path& log, const std::vector<std::string>& env = {}) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) environment.emplace_back(*entry);
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<char*> argv, envp;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  Process process;
  process.log = log;
  const int error = posix_spawnp(&process.pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(error == 0, "could not start " << args[0]);
  return process;
}

// Waits for all, at most `limit` seconds from `start`; then kills what is left.
void wait_all(std::vector<Process>& processes, std::chrono::steady_clock::time_point start, double limit) {
  while (true) {
    bool all_done = true;
    for (Process& process : processes) {
      if (process.done) continue;
      if (waitpid(process.pid, &process.status, WNOHANG) == process.pid) {
        process.done = true;
        process.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      } else {
        all_done = false;
      }
    }
    if (all_done) return;
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > limit) {
      for (Process& process : processes) {
        if (!process.done) {
          kill(process.pid, SIGKILL);
          waitpid(process.pid, &process.status, 0);
        }
      }
      FAIL("the job did not end within " << limit << " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A job of `world` workers through a FileStore in `out`, each with `args`.
std::vector<Process> run_job(const fs::path& out, int world, const std::vector<std::string>& args, double limit = 240) {
  fs::create_directories(out);
  // A fresh store for each job: a killed job's keys must not meet the next one.
  const fs::path store = out / "store";
  fs::remove(store);
  std::vector<Process> processes;
  const auto start = std::chrono::steady_clock::now();
  for (int rank = 0; rank < world; ++rank) {
    std::vector<std::string> argv{self_path(), "--worker",           "--out",   out.string(),
                                  "--rank",    std::to_string(rank), "--world", std::to_string(world),
                                  "--store",   store.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    processes.push_back(spawn(argv, out / fmt::format("log{}.txt", rank)));
  }
  wait_all(processes, start, limit);
  return processes;
}

void require_ok(const std::vector<Process>& processes) {
  for (size_t rank = 0; rank < processes.size(); ++rank) {
    INFO("rank " << rank << " printed:\n" << processes[rank].output());
    REQUIRE(processes[rank].ok());
  }
}

using HistoryValues = std::map<std::string, std::vector<double>>;

HistoryValues read_history(const fs::path& out, int rank) {
  HistoryValues history;
  std::ifstream in(out / "results" / fmt::format("rank{}.history", rank));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    std::string value;  // std::strtod, unlike operator>>, reads "nan" and "inf"
    while (fields >> value) history[key].push_back(std::strtod(value.c_str(), nullptr));
  }
  return history;
}

std::vector<torch::Tensor> read_weights(const fs::path& file, bool batch_norm) {
  auto model = small_model(batch_norm);
  model->build({4});
  model->load_weights(file.string());
  return model->get_weights();
}

std::vector<torch::Tensor> read_weights(const fs::path& out, int rank, bool batch_norm = false) {
  return read_weights(out / "results" / fmt::format("rank{}.safetensors", rank), batch_norm);
}

// Every value of `got` within `tolerance` of `want`, relative to the largest of `want`.
void check_close(const HistoryValues& got, const HistoryValues& want, double tolerance) {
  REQUIRE(got.size() == want.size());
  for (const auto& [key, values] : want) {
    INFO("History's " << key);
    REQUIRE(got.count(key) == 1);
    REQUIRE(got.at(key).size() == values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      CHECK(std::abs(got.at(key)[i] - values[i]) <= tolerance * std::max(std::abs(values[i]), 1e-3));
    }
  }
}

// Returns the largest deviation relative to its weight's scale.
double check_close(const std::vector<torch::Tensor>& got, const std::vector<torch::Tensor>& want, double tolerance) {
  REQUIRE(got.size() == want.size());
  double largest = 0.0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double scale = std::max(want[i].abs().max().item<double>(), 1e-3);
    const double deviation = (got[i] - want[i]).abs().max().item<double>();
    INFO("weight " << i << ": deviation " << deviation << ", scale " << scale);
    CHECK(deviation <= tolerance * scale);
    largest = std::max(largest, deviation / scale);
  }
  return largest;
}

void check_identical(const std::vector<torch::Tensor>& got, const std::vector<torch::Tensor>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(torch::equal(got[i], want[i]));
}

// What the data-parallel job's processes all must show against the one-process run `reference`.
void check_job(const fs::path& out, int world, const fs::path& reference, double tolerance, bool batch_norm = false) {
  const HistoryValues want = read_history(reference, 0);
  const auto want_weights = read_weights(reference, 0, batch_norm);
  REQUIRE(want.count("val_loss") == 1);
  for (int rank = 0; rank < world; ++rank) {
    INFO("rank " << rank);
    check_close(read_history(out, rank), want, tolerance);
    const double deviation = check_close(read_weights(out, rank, batch_norm), want_weights, tolerance);
    if (rank == 0) MESSAGE(world << " processes against 1: largest weight deviation " << deviation << " of scale");
    // Bit for bit the same on every process.
    CHECK(read_history(out, rank) == read_history(out, 0));
    check_identical(read_weights(out, rank, batch_norm), read_weights(out, 0, batch_norm));
  }
  // Only rank 0 wrote files, and its last checkpoint holds every process's weights.
  CHECK(fs::exists(out / "rank0" / "history.csv"));
  for (int rank = 1; rank < world; ++rank) {
    INFO("rank " << rank << "'s own directory");
    CHECK((!fs::exists(out / fmt::format("rank{}", rank)) || fs::is_empty(out / fmt::format("rank{}", rank))));
  }
  const auto checkpoint = tkeras::models::load_model((out / "rank0" / "checkpoint.tkeras").string());
  check_identical(checkpoint->get_weights(), read_weights(out, 0, batch_norm));
}

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

int shell(const std::string& command) { return std::system(command.c_str()); }  // NOLINT(cert-env33-c)

}  // namespace

// The test binary's other mode: one worker of a job (tests/main.cpp calls it for --worker).
int run_worker(int argc, char** argv) {
  try {
    return run_worker_job(parse_worker(argc, argv));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "worker: %s\n", error.what());
    return 1;
  }
}

TEST_CASE("the launcher's environment gives rank, world size and rendezvous, after the options") {
  namespace detail = tkeras::distribute::detail;
  std::map<std::string, std::string> env;
  const detail::Getenv getenv = [&](const char* name) -> std::optional<std::string> {
    const auto found = env.find(name);
    return found == env.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
  SUBCASE("none: one process") {
    const auto launch = detail::resolve_launch({}, getenv);
    CHECK(launch.world_size == 1);
    CHECK(launch.rank == 0);
    CHECK(launch.launcher == "none");
  }
  SUBCASE("torchrun, with its agent's store") {
    env = {{"RANK", "3"},
           {"WORLD_SIZE", "4"},
           {"LOCAL_RANK", "1"},
           {"MASTER_ADDR", "10.0.0.5"},
           {"MASTER_PORT", "1234"},
           {"TORCHELASTIC_USE_AGENT_STORE", "True"},
           {"OMPI_COMM_WORLD_RANK", "0"},
           {"OMPI_COMM_WORLD_SIZE", "9"}};
    const auto launch = detail::resolve_launch({}, getenv);
    CHECK(launch.launcher == "torchrun");
    CHECK(launch.rank == 3);
    CHECK(launch.world_size == 4);
    CHECK(launch.local_rank == 1);
    CHECK(launch.master_addr == "10.0.0.5");
    CHECK(launch.master_port == 1234);
    CHECK(launch.agent_store);
    // Options come first, field by field.
    const auto told = detail::resolve_launch({.rank = 0, .master_port = 999}, getenv);
    CHECK(told.rank == 0);
    CHECK(told.world_size == 4);
    CHECK(told.master_port == 999);
  }
  SUBCASE("Open MPI") {
    env = {{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "3"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "0"}};
    const auto launch = detail::resolve_launch({}, getenv);
    CHECK(launch.launcher == "mpirun");
    CHECK(launch.rank == 2);
    CHECK(launch.local_rank == 0);
    CHECK(launch.master_addr == "127.0.0.1");
    CHECK(launch.master_port == 29500);
  }
  SUBCASE("SLURM, its first host as the rendezvous") {
    env = {
        {"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"}, {"SLURM_NODELIST", "gpu[07-09,12],cpu1"}};
    const auto launch = detail::resolve_launch({}, getenv);
    CHECK(launch.launcher == "slurm");
    CHECK(launch.rank == 5);
    CHECK(launch.world_size == 8);
    CHECK(launch.local_rank == 1);
    CHECK(launch.master_addr == "gpu07");
    CHECK(detail::first_slurm_host("node1,node2") == "node1");
    CHECK(detail::first_slurm_host("a[3]b") == "a3b");
  }
  SUBCASE("bad values are errors naming the variable") {
    env = {{"RANK", "one"}, {"WORLD_SIZE", "2"}};
    CHECK_THROWS_WITH_AS(detail::resolve_launch({}, getenv), doctest::Contains("RANK to be a whole number"),
                         tkeras::Error);
    env = {{"RANK", "2"}, {"WORLD_SIZE", "2"}};
    CHECK_THROWS_WITH_AS(detail::resolve_launch({}, getenv), doctest::Contains("expected a rank in 0..1"),
                         tkeras::Error);
  }
}

TEST_CASE("rank, world_size and is_chief read the launcher's environment before compile joins a job") {
  CHECK(tkeras::distribute::world_size() == 1);
  CHECK(tkeras::distribute::is_chief());
  setenv("RANK", "1", 1);
  setenv("WORLD_SIZE", "2", 1);
  CHECK(tkeras::distribute::rank() == 1);
  CHECK(tkeras::distribute::world_size() == 2);
  CHECK_FALSE(tkeras::distribute::is_chief());
  unsetenv("RANK");
  unsetenv("WORLD_SIZE");
  CHECK(tkeras::distribute::rank() == 0);
}

TEST_CASE("compile with DataParallel in a one-process world trains exactly as without it") {
  tkeras::utils::set_random_seed(3);
  const auto data = tkeras::testing::blobs(20, 3, 4, 5);
  auto plain = small_model(false);
  auto parallel = small_model(false);
  parallel->set_weights(plain->get_weights());
  plain->compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  parallel->compile({.optimizer = "sgd",
                     .loss = "sparse_categorical_crossentropy",
                     .device = "cpu",
                     .distribute = tkeras::distribute::DataParallel{}});
  tkeras::utils::set_random_seed(4);
  const auto a = plain->fit(data.x, data.y, {.epochs = 2, .batch_size = 8, .verbose = 0});
  tkeras::utils::set_random_seed(4);
  const auto b = parallel->fit(data.x, data.y, {.epochs = 2, .batch_size = 8, .verbose = 0});
  CHECK(a.history == b.history);
  check_identical(parallel->get_weights(), plain->get_weights());
}

TEST_CASE("two processes train as one does on the same global batch, with an empty shard in the last batch") {
  TempDir dir;
  for (const auto& run : {std::pair<std::string, double>{"sgd", 1e-5}, {"adam", 1e-4}}) {
    const std::string optimizer = run.first;
    const double tolerance = run.second;
    INFO(optimizer);
    const std::vector<std::string> args{"--optimizer", optimizer, "--batch", "16", "--epochs", "3"};
    require_ok(run_job(dir.path() / (optimizer + "-1"), 1, args));
    require_ok(run_job(dir.path() / (optimizer + "-2"), 2, args));
    check_job(dir.path() / (optimizer + "-2"), 2, dir.path() / (optimizer + "-1"), tolerance);
  }
}

TEST_CASE("three processes train as one does, with two empty shards in the last batch") {
  TempDir dir;
  // 33 samples in batches of 15: the last batch's 3 rows are all rank 0's.
  const std::vector<std::string> args{"--optimizer", "adam", "--batch", "15", "--epochs", "3"};
  require_ok(run_job(dir.path() / "one", 1, args));
  require_ok(run_job(dir.path() / "three", 3, args));
  check_job(dir.path() / "three", 3, dir.path() / "one", 1e-4);
}

TEST_CASE("a dataset's batches are split across the processes as tensors' are") {
  TempDir dir;
  const std::vector<std::string> args{"--dataset", "--batch", "16", "--epochs", "2"};
  require_ok(run_job(dir.path() / "one", 1, args));
  require_ok(run_job(dir.path() / "two", 2, args));
  check_job(dir.path() / "two", 2, dir.path() / "one", 1e-5);
}

TEST_CASE("BatchNormalization's moving statistics end identical on every process") {
  TempDir dir;
  require_ok(run_job(dir.path(), 2, {"--batch-norm", "--batch", "16", "--epochs", "2"}));
  check_identical(read_weights(dir.path(), 1, true), read_weights(dir.path(), 0, true));
  // They moved (the moving variance starts at ones).
  CHECK_FALSE(torch::equal(read_weights(dir.path(), 0, true)[5], torch::ones({8})));
}

TEST_CASE("TerminateOnNaN stops every process at the same batch") {
  TempDir dir;
  require_ok(run_job(dir.path(), 2, {"--nan", "--batch", "16", "--epochs", "3"}));
  const HistoryValues history = read_history(dir.path(), 0);
  REQUIRE(history.count("loss") == 1);
  CHECK(history.at("loss").size() == 1);
  CHECK(std::isnan(history.at("loss").back()));
  // NaN is not equal to itself: the files are compared.
  CHECK(tkeras::testing::read_bytes(dir.path() / "results" / "rank1.history") ==
        tkeras::testing::read_bytes(dir.path() / "results" / "rank0.history"));
}

TEST_CASE("a global batch size that does not divide across the processes is an error that says so") {
  TempDir dir;
  const auto processes = run_job(dir.path(), 2, {"--batch", "15"});
  for (const Process& process : processes) {
    CHECK_FALSE(process.ok());
    CHECK(process.output().find("split evenly across the 2 processes; expected a multiple of 2, received 15") !=
          std::string::npos);
  }
}

TEST_CASE("a killed process makes the others stop naming it, and the full job resumes from the backup") {
  TempDir dir;
  const double timeout = 20;
  const std::vector<std::string> args{"--backup", "--epochs", "4", "--batch", "8", "--timeout", "20"};
  require_ok(run_job(dir.path() / "uninterrupted", 2, args));

  std::vector<std::string> killed = args;
  killed.insert(killed.end(), {"--die-at", "2:1"});
  const auto processes = run_job(dir.path() / "resumed", 2, killed);
  INFO("rank 0 printed:\n" << processes[0].output());
  REQUIRE(WIFSIGNALED(processes[1].status));
  CHECK(WTERMSIG(processes[1].status) == SIGKILL);
  CHECK_FALSE(processes[0].ok());
  // It exits with an error of its own; a write to the dead rank's socket does not kill it
  // (SIGPIPE) before it can say which rank it lost.
  CHECK_MESSAGE(WIFEXITED(processes[0].status),
                "rank 0 ended by signal " << (WIFSIGNALED(processes[0].status) ? WTERMSIG(processes[0].status) : 0));
  CHECK(processes[0].seconds - processes[1].seconds <= timeout + 5);
  CHECK(processes[0].output().find("rank 1 stopped answering") != std::string::npos);
  // The backup of epoch 2 (written before the kill in epoch 3) is whole.
  CHECK(fs::exists(dir.path() / "resumed" / "rank0" / "backup" / "latest.tkeras"));

  // The whole job again, without a kill: it resumes and ends where the uninterrupted run ended.
  require_ok(run_job(dir.path() / "resumed", 2, args));
  check_identical(read_weights(dir.path() / "resumed", 0), read_weights(dir.path() / "uninterrupted", 0));
  check_identical(read_weights(dir.path() / "resumed", 1), read_weights(dir.path() / "uninterrupted", 0));
}

TEST_CASE("a stalled process makes the others stop after the timeout, naming it") {
  TempDir dir;
  const double timeout = 4;
  const auto start = std::chrono::steady_clock::now();
  std::vector<Process> processes;
  const fs::path store = dir.path() / "store";
  for (int rank = 0; rank < 2; ++rank) {
    processes.push_back(
        spawn({self_path(), "--worker", "--out", dir.path().string(), "--rank", std::to_string(rank), "--world", "2",
               "--store", store.string(), "--timeout", "4", "--batch", "8", "--stall-at", "1:1:60"},
              dir.path() / fmt::format("log{}.txt", rank)));
  }
  // Rank 0 must give up; rank 1 sleeps on, and is killed once rank 0 has exited.
  while (waitpid(processes[0].pid, &processes[0].status, 0) != processes[0].pid) {
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  kill(processes[1].pid, SIGKILL);
  waitpid(processes[1].pid, &processes[1].status, 0);
  processes[0].done = true;
  INFO("rank 0 printed:\n" << processes[0].output());
  CHECK_FALSE(processes[0].ok());
  CHECK(processes[0].output().find("rank 1 stopped answering") != std::string::npos);
  // Its stall began after the job started; rank 0 waited the timeout, then up to 3 s for the roll call.
  CHECK(seconds <= 60);
  CHECK(seconds >= timeout);
}

TEST_CASE("a rendezvous that never completes is an error, not a hang") {
  TempDir dir;
  std::vector<Process> alone{spawn({self_path(), "--worker", "--out", dir.path().string(), "--rank", "0", "--world",
                                    "2", "--store", (dir.path() / "store").string(), "--timeout", "3"},
                                   dir.path() / "log0.txt")};
  wait_all(alone, std::chrono::steady_clock::now(), 60);
  INFO(alone[0].output());
  CHECK_FALSE(alone[0].ok());
  CHECK(alone[0].output().find("rank 0 of 2 could not join the job") != std::string::npos);
}

TEST_CASE("torchrun --no-python starts the job, met through torchrun's TCP store") {
  TempDir dir;
  const std::vector<std::string> args{"--optimizer", "sgd", "--batch", "16", "--epochs", "2"};
  require_ok(run_job(dir.path() / "one", 1, args));
  std::vector<std::string> argv{TKERAS_TORCHRUN,
                                "--no-python",
                                "--nproc-per-node",
                                "2",
                                "--master-port",
                                std::to_string(free_port()),
                                self_path(),
                                "--worker",
                                "--out",
                                (dir.path() / "two").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<Process> job{spawn(argv, dir.path() / "torchrun.txt")};
  wait_all(job, std::chrono::steady_clock::now(), 240);
  require_ok(job);
  check_job(dir.path() / "two", 2, dir.path() / "one", 1e-5);
}

TEST_CASE("two machines, simulated by two network namespaces on a veth pair, train as one process does") {
  if (geteuid() != 0) {
    MESSAGE("skipped: network namespaces need root");
    return;
  }
  TempDir dir;
  // Names unique to this run; the namespaces go away at the end whatever happens.
  const std::string tag = std::to_string(getpid() % 100000);
  const std::string first = "tkA" + tag, second = "tkB" + tag;
  struct Namespaces {
    std::string first, second;
    ~Namespaces() { shell(fmt::format("ip netns del {} 2>/dev/null; ip netns del {} 2>/dev/null", first, second)); }
  } cleanup{first, second};
  REQUIRE(
      shell(fmt::format("ip netns add {0} && ip netns add {1} && "
                        "ip link add va{2} netns {0} type veth peer name vb{2} netns {1} && "
                        "ip -n {0} addr add 10.213.0.1/24 dev va{2} && ip -n {1} addr add 10.213.0.2/24 dev vb{2} && "
                        "ip -n {0} link set va{2} up && ip -n {1} link set vb{2} up && "
                        "ip -n {0} link set lo up && ip -n {1} link set lo up",
                        first, second, tag)) == 0);
  const std::vector<std::string> args{"--batch", "16", "--epochs", "2"};
  require_ok(run_job(dir.path() / "one", 1, args));
  const fs::path out = dir.path() / "two";
  fs::create_directories(out);
  std::vector<Process> job;
  const auto start = std::chrono::steady_clock::now();
  for (int rank = 0; rank < 2; ++rank) {
    const std::string ns = rank == 0 ? first : second;
    const std::string device = (rank == 0 ? "va" : "vb") + tag;
    std::vector<std::string> argv{
        "ip",        "netns",    "exec",          ns,           "env",           "GLOO_SOCKET_IFNAME=" + device,
        self_path(), "--worker", "--out",         out.string(), "--rank",        std::to_string(rank),
        "--world",   "2",        "--master-addr", "10.213.0.1", "--master-port", "29611",
        "--timeout", "60"};
    argv.insert(argv.end(), args.begin(), args.end());
    job.push_back(spawn(argv, out / fmt::format("log{}.txt", rank)));
  }
  wait_all(job, start, 240);
  require_ok(job);
  check_job(out, 2, dir.path() / "one", 1e-5);
}

TEST_CASE("CUDA: a one-process NCCL job and a two-process Gloo job on CUDA tensors train as one process does") {
  if (!torch::cuda::is_available()) {
    MESSAGE("skipped: no CUDA device (scripts/gpu_check.sh runs this on a GPU machine)");
    return;
  }
  TempDir dir;
  for (const bool jit : {false, true}) {
    INFO("jit " << jit);
    // With jit, NCCL's all-reduce is captured inside the step's CUDA graph; Gloo's cannot be, so
    // its steps run on the static buffers without a graph.
    std::vector<std::string> args{"--device", "cuda:0", "--batch", "16", "--epochs", "3"};
    if (jit) args.emplace_back("--jit");
    const fs::path base = dir.path() / (jit ? "jit" : "eager");
    require_ok(run_job(base / "plain", 1, args));
    std::vector<std::string> nccl = args;
    nccl.insert(nccl.end(), {"--backend", "nccl"});
    require_ok(run_job(base / "nccl", 1, nccl));
    check_job(base / "nccl", 1, base / "plain", 1e-5);
    std::vector<std::string> gloo = args;
    gloo.insert(gloo.end(), {"--backend", "gloo"});
    require_ok(run_job(base / "gloo", 2, gloo));
    check_job(base / "gloo", 2, base / "plain", 1e-5);
  }
}
