// DataParallel: compile's option that trains one model on several processes (or machines), each
// on its share of every batch, as Keras's keras.distribution.DataParallel.
#pragma once

#include <optional>
#include <string>

namespace tkeras::distribute {

/// Data-parallel training on PyTorch's c10d: `compile({..., .distribute = DataParallel{}})`
/// joins the job's process group, and `fit` then trains the same model in every process.
///
/// - `batch_size` is the global batch, as in Keras 3: each process takes `batch_size /
///   world_size` rows of every batch (a batch size that does not divide is an error). Every
///   process sees the same shuffled order (rank 0's, broadcast each epoch).
/// - At the start of `fit` rank 0's weights, optimizer state and epoch are broadcast; each step's
///   gradients are summed with one all-reduce over the optimizer's flat gradient buffer, so all
///   processes take the same step (a process with no rows in the last batch still joins it).
/// - Loss and metrics are summed over all processes, so History, the progress bar and every
///   callback see the same global values everywhere, and callbacks decide alike. Only rank 0
///   writes files (checkpoints, backups, CSV, plots) and the progress bar.
/// - A process that dies, or stalls past `timeout`, makes the others throw `tkeras::Error`
///   naming the rank.
///
/// Each field left unset comes, in order, from: torchrun's environment (`RANK`, `WORLD_SIZE`,
/// `LOCAL_RANK`, `MASTER_ADDR`, `MASTER_PORT`; its agent's store when
/// `TORCHELASTIC_USE_AGENT_STORE` is `True`), Open MPI's (`OMPI_COMM_WORLD_RANK`, `_SIZE`,
/// `_LOCAL_RANK`), SLURM's (`SLURM_PROCID`, `SLURM_NTASKS`, `SLURM_LOCALID`, the first host of
/// `SLURM_NODELIST`). With none of them the world has one process, and compile changes nothing.
///
/// Example (run with `torchrun --no-python --nproc-per-node 2 ./train`):
/// ```
/// model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy",
///                .distribute = tkeras::distribute::DataParallel{}});
/// ```
struct DataParallel {
  /// This process's rank, 0 to `world_size - 1`. Default: from the launcher, else 0.
  std::optional<int> rank;
  /// The number of processes. Default: from the launcher, else 1.
  std::optional<int> world_size;
  /// The rank within this machine, which picks the GPU (`cuda:local_rank`). Default: from the
  /// launcher, else `rank`.
  std::optional<int> local_rank;
  /// The host of rank 0's rendezvous store. Default: `MASTER_ADDR`, else SLURM's first host,
  /// else `127.0.0.1`.
  std::string master_addr;
  /// Its port. Default: `MASTER_PORT`, else 29500 (torchrun's).
  std::optional<int> master_port;
  /// A file all processes can reach, used as the rendezvous instead of a TCP store (c10d's
  /// FileStore; a shared filesystem across machines). Default: empty, a TCP store.
  std::string store_path;
  /// The collectives' backend: `"auto"` (NCCL when training on CUDA, else Gloo), `"gloo"` (CPU
  /// or CUDA tensors) or `"nccl"`. A one-process job joins no group with `"auto"`, and a group
  /// of one with a named backend (which runs its collectives: a check of NCCL on one GPU).
  /// Default: `"auto"`.
  std::string backend = "auto";
  /// Seconds the rendezvous and each collective wait for the other processes before giving up
  /// with a `tkeras::Error`. Default: 1800 (PyTorch's).
  double timeout = 1800.0;
};

}  // namespace tkeras::distribute
