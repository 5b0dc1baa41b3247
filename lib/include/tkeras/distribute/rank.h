// rank, world_size, is_chief: this process's place in a data-parallel job, for user code.
#pragma once

namespace tkeras::distribute {

/// This process's rank: the joined process group's once `compile` has joined one
/// (`DataParallel`), else what the launcher's environment says (torchrun, Open MPI, SLURM), else 0.
int rank();
/// The number of processes, found as `rank()` is; 1 when not launched as a job.
int world_size();
/// The rank within this machine, found as `rank()` is; 0 when not launched as a job.
int local_rank();
/// Whether this process is rank 0, the one that writes files and prints, as Keras's "chief".
bool is_chief();

}  // namespace tkeras::distribute
