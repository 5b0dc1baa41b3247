// The job's c10d process group: a TCP (or file) store for the rendezvous, Gloo or NCCL for the
// collectives. tkeras adds no communication of its own: it calls c10d, as torch.distributed does.
#include "distribute/process_group.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if TKERAS_WITH_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "distribute/joined.h"
#include "tkeras/core/error.h"

namespace tkeras::distribute::detail {

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;
  std::string rendezvous;  // where the processes met, for messages
};

namespace {

std::mutex joined_mutex;
std::shared_ptr<ProcessGroup> joined;  // NOLINT: one process group per process, as torch.distributed's default group

// Gloo writes to its sockets with writev, which raises SIGPIPE once the peer is gone (a process
// of the job died): its default action ends this process at once and in silence, before it can
// name the rank it lost. Ignored, as Python ignores it (so PyTorch's jobs never see it), the write
// fails with EPIPE and Gloo raises an error instead. A handler the program installed is kept.
void ignore_broken_pipes() {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) return;
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);
}

std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}

}  // namespace

ProcessGroup* ProcessGroup::current() {
  const std::lock_guard<std::mutex> lock(joined_mutex);
  return joined.get();
}

std::shared_ptr<ProcessGroup> ProcessGroup::join(const DataParallel& options, const torch::Device& device) {
  if (!(options.timeout > 0.0)) {
    throw Error(fmt::format("DataParallel: expected a timeout above 0 seconds, received {}", options.timeout));
  }
  if (options.backend != "auto" && options.backend != "gloo" && options.backend != "nccl") {
    throw Error(
        fmt::format("DataParallel: unknown backend \"{}\"; expected one of: auto, gloo, nccl", options.backend));
  }
  LaunchEnvironment env = resolve_launch(options);
  // One process needs no group, unless a backend was named (to run its collectives, as a check).
  if (env.world_size == 1 && options.backend == "auto") return nullptr;
  const std::lock_guard<std::mutex> lock(joined_mutex);
  if (joined) {
    if (joined->rank() != env.rank || joined->size() != env.world_size) {
      throw Error(
          fmt::format("DataParallel: this process already joined a job as rank {} of {}; it cannot join "
                      "another as rank {} of {}",
                      joined->rank(), joined->size(), env.rank, env.world_size));
    }
    return joined;
  }
  joined = std::shared_ptr<ProcessGroup>(new ProcessGroup(std::move(env), options, device));
  return joined;
}

ProcessGroup::ProcessGroup(LaunchEnvironment env, const DataParallel& options, const torch::Device& device)
    : env_(std::move(env)), device_(device), timeout_(options.timeout), impl_(std::make_unique<Impl>()) {
  const bool wants_nccl = options.backend == "nccl" || (options.backend == "auto" && device.is_cuda());
  if (wants_nccl && !device.is_cuda()) {
    throw Error(
        fmt::format("DataParallel: the NCCL backend needs training on CUDA, received device {}; use "
                    "backend \"gloo\" on the CPU",
                    device.str()));
  }
#if !TKERAS_WITH_NCCL
  if (wants_nccl) {
    throw Error(
        "DataParallel: this tkeras was built without NCCL (a LibTorch without CUDA, or no nccl.h at build "
        "time); use backend \"gloo\", which also reduces CUDA tensors");
  }
#endif
  nccl_ = wants_nccl;
  ignore_broken_pipes();
  const auto timeout = milliseconds(options.timeout);
  impl_->rendezvous = options.store_path.empty() ? fmt::format("{}:{}", env_.master_addr, env_.master_port)
                                                 : fmt::format("file {}", options.store_path);
  try {
    c10::intrusive_ptr<c10d::Store> store;
    if (!options.store_path.empty()) {
      store = c10::make_intrusive<c10d::FileStore>(options.store_path, env_.world_size);
      store->setTimeout(timeout);
    } else {
      c10d::TCPStoreOptions tcp;
      tcp.port = static_cast<std::uint16_t>(env_.master_port);
      // torchrun's agent hosts the store when it says so; otherwise rank 0 does, as
      // torch.distributed's env:// rendezvous.
      tcp.isServer = env_.rank == 0 && !env_.agent_store;
      tcp.numWorkers = env_.agent_store ? std::nullopt : std::optional<std::size_t>(env_.world_size);
      tcp.waitWorkers = false;
      tcp.timeout = timeout;
      tcp.multiTenant = true;
      store = c10::make_intrusive<c10d::TCPStore>(env_.master_addr, tcp);
    }
    impl_->store = c10::make_intrusive<c10d::PrefixStore>("tkeras", store);
    if (nccl_) {
#if TKERAS_WITH_NCCL
      c10::cuda::set_device(device.index());
      auto nccl = c10d::ProcessGroupNCCL::Options::create();
      nccl->timeout = timeout;
      impl_->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, env_.rank, env_.world_size, nccl);
#endif
    } else {
      auto gloo = c10d::ProcessGroupGloo::Options::create_default(timeout);
      // GLOO_SOCKET_IFNAME picks the network interfaces, as in torch.distributed.
      if (const char* interfaces = std::getenv("GLOO_SOCKET_IFNAME"); interfaces != nullptr && *interfaces != 0) {
        gloo->devices.clear();
        std::string_view names(interfaces);
        while (!names.empty()) {
          const size_t comma = std::min(names.find(','), names.size());
          gloo->devices.push_back(
              c10d::ProcessGroupGloo::createDeviceForInterface(std::string(names.substr(0, comma))));
          names.remove_prefix(std::min(comma + 1, names.size()));
        }
      }
      impl_->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env_.rank, env_.world_size, gloo);
    }
    // Every process has joined once a first collective completes.
    torch::Tensor probe = torch::ones({1}, torch::TensorOptions().device(nccl_ ? device : torch::kCPU));
    std::vector<torch::Tensor> tensors{probe};
    impl_->backend->allreduce(tensors)->wait();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& error) {
    std::string cause = error.what();
    if (const size_t newline = cause.find('\n'); newline != std::string::npos) cause.resize(newline);
    throw Error(
        fmt::format("distribute: rank {} of {} could not join the job at {} within {} s (launched by {}): "
                    "{}",
                    env_.rank, env_.world_size, impl_->rendezvous, options.timeout, env_.launcher, cause));
  }
}

ProcessGroup::~ProcessGroup() = default;

template <typename Collective>
void ProcessGroup::run(torch::Tensor& tensor, std::string_view what, Collective&& collective) {
  // NCCL reduces device tensors only; Gloo takes CPU and CUDA tensors alike.
  const bool staged = nccl_ && !tensor.is_cuda();
  std::vector<torch::Tensor> tensors{staged ? tensor.to(device_) : tensor};
  try {
    collective(tensors)->wait();
  } catch (const std::exception& error) {
    fail(what, error);
  }
  if (staged) tensor.copy_(tensors.front());
}

void ProcessGroup::all_reduce_sum(torch::Tensor& tensor, std::string_view what) {
  run(tensor, what, [&](std::vector<torch::Tensor>& tensors) {
    return impl_->backend->allreduce(tensors, c10d::AllreduceOptions{});
  });
}

void ProcessGroup::broadcast(torch::Tensor& tensor, std::string_view what) {
  run(tensor, what, [&](std::vector<torch::Tensor>& tensors) {
    c10d::BroadcastOptions options;
    options.rootRank = 0;
    return impl_->backend->broadcast(tensors, options);
  });
}

// After a failed collective the survivors find out who is gone: each writes a key to the store
// and looks for the others' for a few seconds. The ranks without one died or stalled.
void ProcessGroup::fail(std::string_view what, const std::exception& cause) {
  std::string reason = cause.what();
  if (const size_t newline = reason.find('\n'); newline != std::string::npos) reason.resize(newline);
  const int round = failures_++;
  std::vector<int> silent;
  std::string store_note;
  try {
    const auto grace = std::chrono::milliseconds(static_cast<int64_t>(std::min(3.0, timeout_) * 1000.0));
    impl_->store->setTimeout(grace);
    const auto key = [&](int rank) { return fmt::format("failure/{}/{}", round, rank); };
    impl_->store->set(key(env_.rank), std::vector<uint8_t>{1});
    const auto deadline = std::chrono::steady_clock::now() + grace;
    do {
      silent.clear();
      for (int rank = 0; rank < env_.world_size; ++rank) {
        if (rank != env_.rank && !impl_->store->check({key(rank)})) silent.push_back(rank);
      }
      if (silent.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (std::chrono::steady_clock::now() < deadline);
  } catch (const std::exception&) {
    silent.clear();
    store_note = fmt::format("; the rendezvous store at {} is unreachable too{}", impl_->rendezvous,
                             env_.agent_store || impl_->rendezvous.starts_with("file") ? "" : " (rank 0 hosts it)");
  }
  const std::string who = silent.empty()
                              ? std::string("another process failed")
                              : fmt::format("rank{} {} stopped answering (died, or stalled past the {} s timeout)",
                                            silent.size() > 1 ? "s" : "", fmt::join(silent, ", "), timeout_);
  throw Error(fmt::format("distribute: rank {} of {} stopped in the {}: {}{} ({})", env_.rank, env_.world_size, what,
                          who, store_note, reason));
}

bool in_job() { return ProcessGroup::current() != nullptr; }

bool writes_files() {
  const ProcessGroup* group = ProcessGroup::current();
  return group == nullptr || group->rank() == 0;
}

}  // namespace tkeras::distribute::detail

namespace tkeras::distribute {
namespace {

detail::LaunchEnvironment launched() {
  try {
    return detail::resolve_launch({});
  } catch (const Error&) {
    return {};  // a malformed environment is reported when compile joins; alone, it is no job
  }
}

}  // namespace

int rank() {
  const detail::ProcessGroup* group = detail::ProcessGroup::current();
  return group != nullptr ? group->rank() : launched().rank;
}

int world_size() {
  const detail::ProcessGroup* group = detail::ProcessGroup::current();
  return group != nullptr ? group->size() : launched().world_size;
}

int local_rank() {
  const detail::ProcessGroup* group = detail::ProcessGroup::current();
  return group != nullptr ? group->local_rank() : launched().local_rank;
}

bool is_chief() { return rank() == 0; }

}  // namespace tkeras::distribute
