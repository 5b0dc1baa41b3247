// Where a data-parallel job's rank, size and rendezvous come from: options, then torchrun, Open
// MPI or SLURM's environment (internal).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tkeras/distribute/data_parallel.h"

namespace tkeras::distribute::detail {

/// This process's place in the job and how to meet the others.
struct LaunchEnvironment {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  /// Who said so: "options", "torchrun", "mpirun", "slurm", or "none" (a single process).
  std::string launcher = "none";
  /// torchrun's agent hosts the TCP store: every process is a client of it.
  bool agent_store = false;
};

/// An environment variable's value, or nothing when unset.
using Getenv = std::function<std::optional<std::string>(const char*)>;

/// The process's own environment.
std::optional<std::string> process_getenv(const char* name);

/// Resolves `options` field by field, then the first launcher whose variables are set (torchrun,
/// Open MPI, SLURM). Throws `tkeras::Error` naming the variable for a value that is not a number,
/// a rank outside 0..world_size-1, or a port outside 1..65535.
LaunchEnvironment resolve_launch(const DataParallel& options, const Getenv& getenv = process_getenv);

/// The first host of a SLURM node list: "node[07-09,12],gpu3" -> "node07".
std::string first_slurm_host(std::string_view nodelist);

}  // namespace tkeras::distribute::detail
