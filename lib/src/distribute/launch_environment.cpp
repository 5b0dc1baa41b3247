// The job's rank, size and rendezvous, from options, torchrun, Open MPI or SLURM.
#include "distribute/launch_environment.h"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::distribute::detail {
namespace {

struct LauncherVariables {
  const char* name;
  const char* rank;
  const char* world_size;
  const char* local_rank;
};

// In the order they are looked up. torchrun's MASTER_ADDR and MASTER_PORT serve the others too,
// as mpirun -x and SLURM scripts pass them.
constexpr LauncherVariables kLaunchers[] = {
    {"torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK"},
    {"mpirun", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"},
    {"slurm", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"},
};

std::optional<int> read_int(const Getenv& getenv, const char* name) {
  const std::optional<std::string> text = getenv(name);
  if (!text || text->empty()) return std::nullopt;
  int value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) {
    throw Error(fmt::format("distribute: expected the environment variable {} to be a whole number, received \"{}\"",
                            name, *text));
  }
  return value;
}

}  // namespace

std::optional<std::string> process_getenv(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before any thread starts
  return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
}

std::string first_slurm_host(std::string_view nodelist) {
  // A list of hosts separated by commas, where a host may carry a bracketed range list:
  // "a[01-03,7]b,c" (the brackets' own commas do not separate hosts).
  const size_t comma = [&] {
    int depth = 0;
    for (size_t i = 0; i < nodelist.size(); ++i) {
      if (nodelist[i] == '[') ++depth;
      if (nodelist[i] == ']') --depth;
      if (nodelist[i] == ',' && depth == 0) return i;
    }
    return nodelist.size();
  }();
  const std::string_view host = nodelist.substr(0, comma);
  const size_t open = host.find('[');
  if (open == std::string_view::npos) return std::string(host);
  const size_t close = host.find(']', open);
  if (close == std::string_view::npos) {
    throw Error(fmt::format("distribute: expected SLURM_NODELIST like \"node[01-04]\", received \"{}\"", nodelist));
  }
  // The first entry of the range list: "07-09" or "07", digits kept as written (zero-padded).
  std::string_view ranges = host.substr(open + 1, close - open - 1);
  std::string_view first = ranges.substr(0, std::min(ranges.find(','), ranges.find('-')));
  return fmt::format("{}{}{}", host.substr(0, open), first, host.substr(close + 1));
}

LaunchEnvironment resolve_launch(const DataParallel& options, const Getenv& getenv) {
  LaunchEnvironment env;
  const LauncherVariables* launcher = nullptr;
  for (const LauncherVariables& candidate : kLaunchers) {
    if (getenv(candidate.rank) && getenv(candidate.world_size)) {
      launcher = &candidate;
      break;
    }
  }
  if (launcher != nullptr) {
    env.launcher = launcher->name;
    env.rank = *read_int(getenv, launcher->rank);
    env.world_size = *read_int(getenv, launcher->world_size);
    env.local_rank = read_int(getenv, launcher->local_rank).value_or(env.rank);
  }
  if (options.rank || options.world_size) env.launcher = "options";
  if (options.rank) env.rank = *options.rank;
  if (options.world_size) env.world_size = *options.world_size;
  if (options.local_rank) {
    env.local_rank = *options.local_rank;
  } else if (launcher == nullptr) {
    env.local_rank = env.rank;
  }

  if (!options.master_addr.empty()) {
    env.master_addr = options.master_addr;
  } else if (auto addr = getenv("MASTER_ADDR"); addr && !addr->empty()) {
    env.master_addr = *addr;
  } else if (auto nodes = getenv("SLURM_NODELIST"); nodes && !nodes->empty() && env.launcher == "slurm") {
    env.master_addr = first_slurm_host(*nodes);
  }
  if (options.master_port) {
    env.master_port = *options.master_port;
  } else if (auto port = read_int(getenv, "MASTER_PORT")) {
    env.master_port = *port;
  }
  env.agent_store = env.launcher == "torchrun" && getenv("TORCHELASTIC_USE_AGENT_STORE") == std::string("True");

  if (env.world_size < 1) {
    throw Error(fmt::format("distribute: expected a world size of at least 1, received {} (from {})", env.world_size,
                            env.launcher));
  }
  if (env.rank < 0 || env.rank >= env.world_size) {
    throw Error(fmt::format("distribute: expected a rank in 0..{} for a world of {}, received {} (from {})",
                            env.world_size - 1, env.world_size, env.rank, env.launcher));
  }
  if (env.local_rank < 0) {
    throw Error(fmt::format("distribute: expected a local rank of at least 0, received {}", env.local_rank));
  }
  if (env.master_port < 1 || env.master_port > 65535) {
    throw Error(fmt::format("distribute: expected a rendezvous port in 1..65535, received {}", env.master_port));
  }
  return env;
}

}  // namespace tkeras::distribute::detail
