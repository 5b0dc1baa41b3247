// HDF5 files in memory with libhdf5's core driver: written as h5py writes Keras's weights, read
// with the checks a file from elsewhere needs.
#include "io/hdf5_file.h"

#include <hdf5.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::io {
namespace {

constexpr int kMaxAxes = 16;
constexpr size_t kMaxDatasets = 1'000'000;

// An HDF5 identifier, closed by the function of its kind when it goes out of scope.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  ~Handle() {
    if (id_ < 0) return;
    switch (H5Iget_type(id_)) {
      case H5I_FILE:
        H5Fclose(id_);
        break;
      case H5I_GROUP:
        H5Gclose(id_);
        break;
      case H5I_DATASET:
        H5Dclose(id_);
        break;
      case H5I_DATASPACE:
        H5Sclose(id_);
        break;
      case H5I_DATATYPE:
        H5Tclose(id_);
        break;
      case H5I_ATTR:
        H5Aclose(id_);
        break;
      case H5I_GENPROP_LST:
        H5Pclose(id_);
        break;
      default:
        H5Oclose(id_);
        break;
    }
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// libhdf5 prints its error stack to stderr unless told not to; tkeras reports errors itself.
void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Handle checked(hid_t id, std::string_view doing) {
  if (id < 0) throw Error(fmt::format("HDF5: {} failed", doing));
  return Handle(id);
}

void check(herr_t status, std::string_view doing) {
  if (status < 0) throw Error(fmt::format("HDF5: {} failed", doing));
}

// The HDF5 memory type of a tensor's dtype.
hid_t memory_type(c10::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat32:
      return H5T_NATIVE_FLOAT;
    case torch::kFloat64:
      return H5T_NATIVE_DOUBLE;
    case torch::kInt32:
      return H5T_NATIVE_INT32;
    case torch::kInt64:
      return H5T_NATIVE_INT64;
    case torch::kUInt8:
      return H5T_NATIVE_UINT8;
    case torch::kInt8:
      return H5T_NATIVE_INT8;
    case torch::kInt16:
      return H5T_NATIVE_INT16;
    default:
      return H5I_INVALID_HID;
  }
}

// A file access property list of the core (in-memory) driver, without a backing file.
Handle memory_access() {
  Handle access = checked(H5Pcreate(H5P_FILE_ACCESS), "making a file access list");
  check(H5Pset_fapl_core(access.get(), 1 << 16, /*backing_store=*/0), "choosing the in-memory driver");
  return access;
}

void write_name(hid_t group, const std::string& name) {
  // A variable-length UTF-8 string, as h5py writes a str attribute.
  const Handle type = checked(H5Tcopy(H5T_C_S1), "making a string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "sizing a string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "setting a string type's character set");
  const Handle space = checked(H5Screate(H5S_SCALAR), "making a scalar dataspace");
  const Handle attribute =
      checked(H5Acreate2(group, "name", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), "making an attribute");
  const char* value = name.c_str();
  check(H5Awrite(attribute.get(), type.get(), &value), "writing an attribute");
}

struct Visit {
  std::string what;
  std::vector<std::string> datasets;
  std::string problem;
};

// Each link of the file, recursively: only hard links, and the paths of the datasets.
template <typename Info>
herr_t visit_link(hid_t group, const char* name, const Info* info, void* data) {
  auto& visit = *static_cast<Visit*>(data);
  if (info->type != H5L_TYPE_HARD) {
    visit.problem = fmt::format("\"{}\": expected only plain links inside the file, received {} at \"{}\"", visit.what,
                                info->type == H5L_TYPE_SOFT ? "a soft link" : "an external or user-defined link", name);
    return -1;
  }
  const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
  if (object < 0) {
    visit.problem = fmt::format("\"{}\": cannot open the object at \"{}\"", visit.what, name);
    return -1;
  }
  const Handle closing(object);
  if (H5Iget_type(object) == H5I_DATASET) {
    if (visit.datasets.size() >= kMaxDatasets) {
      visit.problem = fmt::format("\"{}\": expected at most {} datasets", visit.what, kMaxDatasets);
      return -1;
    }
    visit.datasets.emplace_back(name);
  }
  return 0;
}

// The dtype a dataset's values are read as, or a problem.
c10::ScalarType dataset_dtype(hid_t dataset, const std::string& where) {
  const Handle type = checked(H5Dget_type(dataset), fmt::format("reading the type of {}", where));
  const size_t size = H5Tget_size(type.get());
  switch (H5Tget_class(type.get())) {
    case H5T_FLOAT:
      if (size == 4) return torch::kFloat32;
      if (size == 8) return torch::kFloat64;
      break;
    case H5T_INTEGER: {
      const bool is_signed = H5Tget_sign(type.get()) == H5T_SGN_2;
      if (size == 1) return is_signed ? torch::kInt8 : torch::kUInt8;
      if (is_signed && size == 2) return torch::kInt16;
      if (is_signed && size == 4) return torch::kInt32;
      if (is_signed && size == 8) return torch::kInt64;
      break;
    }
    default:
      break;
  }
  throw Error(
      fmt::format("{}: expected a dataset of 32- or 64-bit floats or of 8- to 64-bit signed integers (or "
                  "unsigned bytes), received another type ({} bytes, class {})",
                  where, size, static_cast<int>(H5Tget_class(type.get()))));
}

torch::Tensor read_dataset(hid_t file, const std::string& path, const std::string& what) {
  const std::string where = fmt::format("\"{}\": dataset \"{}\"", what, path);
  const Handle dataset = checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), fmt::format("opening {}", where));
  const c10::ScalarType dtype = dataset_dtype(dataset.get(), where);
  const Handle space = checked(H5Dget_space(dataset.get()), fmt::format("reading the shape of {}", where));
  if (H5Sget_simple_extent_type(space.get()) == H5S_NULL) {
    throw Error(fmt::format("{}: expected values, received an empty (null) dataspace", where));
  }
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > kMaxAxes) {
    throw Error(fmt::format("{}: expected at most {} axes, received {}", where, kMaxAxes, rank));
  }
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), fmt::format("reading the shape of {}", where));
  Shape shape;
  uint64_t count = 1;
  for (const hsize_t dim : dims) {
    shape.push_back(static_cast<int64_t>(dim));
    count = dim == 0 ? 0 : (count > UINT64_MAX / dim ? UINT64_MAX : count * dim);
  }
  // The values must be stored as they are: no filter (compression), and as many bytes as they
  // take, so that a small file cannot make a large tensor.
  const Handle create = checked(H5Dget_create_plist(dataset.get()), fmt::format("reading the layout of {}", where));
  if (H5Pget_nfilters(create.get()) != 0) {
    throw Error(
        fmt::format("{}: expected uncompressed values (as Keras writes them), received a filtered dataset", where));
  }
  const uint64_t element_size = c10::elementSize(dtype);
  const uint64_t stored = H5Dget_storage_size(dataset.get());
  if (count > UINT64_MAX / element_size || stored != count * element_size) {
    throw Error(fmt::format("{}: expected {} stored bytes for its shape {}, received {}", where,
                            count > UINT64_MAX / element_size ? UINT64_MAX : count * element_size, format_shape(shape),
                            stored));
  }
  torch::Tensor tensor = torch::empty(shape, torch::TensorOptions().dtype(dtype));
  if (count > 0) {
    check(H5Dread(dataset.get(), memory_type(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data_ptr()),
          fmt::format("reading {}", where));
  }
  return tensor;
}

}  // namespace

std::string write_hdf5(const NamedTensors& datasets, const std::map<std::string, std::string>& group_names) {
  silence_hdf5();
  const Handle access = memory_access();
  const Handle file =
      checked(H5Fcreate("tkeras-weights.h5", H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), "creating a file in memory");
  const Handle links = checked(H5Pcreate(H5P_LINK_CREATE), "making a link creation list");
  check(H5Pset_create_intermediate_group(links.get(), 1), "asking for intermediate groups");
  for (const auto& [path, value] : datasets) {
    const hid_t type = memory_type(value.scalar_type());
    if (type == H5I_INVALID_HID) {
      throw Error(fmt::format("HDF5: cannot write \"{}\" of dtype {}; expected float32, float64 or an integer type",
                              path, c10::toString(value.scalar_type())));
    }
    const torch::Tensor values = value.detach().to(torch::kCPU).contiguous();
    std::vector<hsize_t> dims(values.sizes().begin(), values.sizes().end());
    const Handle space =
        checked(values.dim() == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(values.dim(), dims.data(), nullptr),
                "making a dataspace");
    const Handle dataset =
        checked(H5Dcreate2(file.get(), path.c_str(), type, space.get(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
                fmt::format("creating the dataset \"{}\"", path));
    if (values.numel() > 0) {
      check(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data_ptr()),
            fmt::format("writing the dataset \"{}\"", path));
    }
  }
  for (const auto& [path, name] : group_names) {
    Handle group(H5Lexists(file.get(), path.c_str(), H5P_DEFAULT) > 0
                     ? H5Gopen2(file.get(), path.c_str(), H5P_DEFAULT)
                     : H5Gcreate2(file.get(), path.c_str(), links.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!group.valid()) throw Error(fmt::format("HDF5: making the group \"{}\" failed", path));
    write_name(group.get(), name);
  }
  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flushing the file");
  const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
  if (size < 0) throw Error("HDF5: reading the file's image failed");
  std::string bytes(static_cast<size_t>(size), '\0');
  if (H5Fget_file_image(file.get(), bytes.data(), bytes.size()) != size) {
    throw Error("HDF5: reading the file's image failed");
  }
  return bytes;
}

namespace {

// The datasets of the file, read in this process by libhdf5.
NamedTensors parse_hdf5(std::string_view bytes, const std::string& what) {
  silence_hdf5();
  const Handle access = memory_access();
  check(H5Pset_file_image(access.get(), const_cast<char*>(bytes.data()), bytes.size()), "reading the file's image");
  const Handle file(H5Fopen("tkeras-weights.h5", H5F_ACC_RDONLY, access.get()));
  if (!file.valid()) throw Error(fmt::format("\"{}\": expected an HDF5 file, which libhdf5 could not open", what));
  Visit visit{what, {}, {}};
#if H5_VERSION_GE(1, 12, 0)
  const herr_t walked = H5Lvisit2(file.get(), H5_INDEX_NAME, H5_ITER_INC, &visit_link<H5L_info2_t>, &visit);
#else
  const herr_t walked = H5Lvisit(file.get(), H5_INDEX_NAME, H5_ITER_INC, &visit_link<H5L_info_t>, &visit);
#endif
  if (!visit.problem.empty()) throw Error(visit.problem);
  if (walked < 0) throw Error(fmt::format("\"{}\": libhdf5 could not walk the file's groups", what));
  std::sort(visit.datasets.begin(), visit.datasets.end());
  NamedTensors tensors;
  for (const std::string& path : visit.datasets) tensors.emplace_back(path, read_dataset(file.get(), path, what));
  return tensors;
}

// libhdf5 parses the file in a child process, which sends the datasets back through a pipe: a
// file that makes libhdf5 crash, ask for terabytes or loop (libhdf5 1.10 does, on bytes a fuzzer
// makes in seconds) then costs an error, not the program. The records: 'D', the path's length
// and bytes, the dtype, the rank, the sizes, the values' byte count and bytes; 'E' and a message;
// 'Z' at the end.
constexpr int kChildSeconds = 120;

void put(std::string& out, uint64_t value) { out.append(reinterpret_cast<const char*>(&value), sizeof value); }

std::string encode(const NamedTensors& tensors) {
  std::string out;
  for (const auto& [path, tensor] : tensors) {
    out += 'D';
    put(out, path.size());
    out += path;
    put(out, static_cast<uint64_t>(tensor.scalar_type()));
    put(out, static_cast<uint64_t>(tensor.dim()));
    for (const int64_t size : tensor.sizes()) put(out, static_cast<uint64_t>(size));
    const uint64_t size = tensor.numel() * tensor.element_size();
    put(out, size);
    out.append(static_cast<const char*>(tensor.data_ptr()), size);
  }
  out += 'Z';
  return out;
}

// Reads what the child sent, checking every length against what is left.
class Records {
 public:
  Records(std::string_view data, const std::string& what) : data_(data), what_(what) {}
  char tag() { return take(1)[0]; }
  uint64_t number() {
    uint64_t value = 0;
    std::memcpy(&value, take(sizeof value).data(), sizeof value);
    return value;
  }
  std::string_view take(uint64_t count) {
    if (count > data_.size()) {
      throw Error(fmt::format("\"{}\": libhdf5's reader stopped before sending all the datasets", what_));
    }
    const std::string_view part = data_.substr(0, count);
    data_.remove_prefix(count);
    return part;
  }

 private:
  std::string_view data_;
  const std::string& what_;
};

NamedTensors decode(std::string_view data, const std::string& what) {
  Records records(data, what);
  NamedTensors tensors;
  for (char tag = records.tag(); tag != 'Z'; tag = records.tag()) {
    if (tag == 'E') throw Error(std::string(records.take(records.number())));
    if (tag != 'D') throw Error(fmt::format("\"{}\": libhdf5's reader sent an unknown record", what));
    std::string path(records.take(records.number()));
    const auto dtype = static_cast<c10::ScalarType>(records.number());
    const uint64_t rank = records.number();
    if (rank > kMaxAxes || memory_type(dtype) == H5I_INVALID_HID) {
      throw Error(fmt::format("\"{}\": libhdf5's reader sent a bad record", what));
    }
    Shape shape;
    for (uint64_t axis = 0; axis < rank; ++axis) shape.push_back(static_cast<int64_t>(records.number()));
    const uint64_t size = records.number();
    const std::string_view values = records.take(size);
    torch::Tensor tensor = torch::empty(shape, torch::TensorOptions().dtype(dtype));
    if (static_cast<uint64_t>(tensor.numel() * tensor.element_size()) != size) {
      throw Error(fmt::format("\"{}\": libhdf5's reader sent a bad record", what));
    }
    if (size > 0) std::memcpy(tensor.data_ptr(), values.data(), size);
    tensors.emplace_back(std::move(path), std::move(tensor));
  }
  return tensors;
}

// In the child: at most this much more memory than the parent had, so that libhdf5's requests
// for absurd amounts fail (and it reports an error) rather than exhaust the machine.
void limit_memory(uint64_t file_size) {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  if (!(statm >> pages)) return;
  const uint64_t current = pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t budget = (uint64_t{1} << 30) + 8 * file_size;
  const rlimit limit{current + budget, current + budget};
  setrlimit(RLIMIT_AS, &limit);
}

[[noreturn]] void run_child(int fd, std::string_view bytes, const std::string& what) {
  // Die of a crash quietly, by the signal, rather than through the parent's handlers.
  for (const int signal_number : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) std::signal(signal_number, SIG_DFL);
  limit_memory(bytes.size());
  std::string out;
  int status = 0;
  try {
    out = encode(parse_hdf5(bytes, what));
  } catch (const std::exception& error) {
    const std::string message = error.what();
    out.assign(1, 'E');
    put(out, message.size());
    out += message;
    out += 'Z';
    status = 1;
  }
  for (std::string_view rest(out); !rest.empty();) {
    const ssize_t written = ::write(fd, rest.data(), rest.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) _exit(3);
    rest.remove_prefix(static_cast<size_t>(written));
  }
  _exit(status);
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("was killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

}  // namespace

NamedTensors read_hdf5(std::string_view bytes, const std::string& what) {
  // HDF5's signature, at offset 0 (tkeras does not read files with a user block before it).
  constexpr std::string_view kSignature("\x89HDF\r\n\x1a\n", 8);
  if (bytes.substr(0, kSignature.size()) != kSignature) {
    throw Error(
        fmt::format("\"{}\": expected an HDF5 file (as Keras's .weights.h5), received {} bytes without "
                    "HDF5's signature",
                    what, bytes.size()));
  }
  int fds[2];
  if (pipe(fds) != 0) throw Error(fmt::format("\"{}\": cannot make a pipe: {}", what, std::strerror(errno)));
  const pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    throw Error(fmt::format("\"{}\": cannot start libhdf5's reader: {}", what, std::strerror(errno)));
  }
  if (child == 0) {
    close(fds[0]);
    run_child(fds[1], bytes, what);
  }
  close(fds[1]);
  // Everything the child sends: its datasets are no larger than the file (each one's stored
  // bytes are checked), so more than that is refused.
  const uint64_t most = 2 * static_cast<uint64_t>(bytes.size()) + (uint64_t{1} << 20);
  std::string received;
  std::string problem;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kChildSeconds);
  for (std::array<char, 1 << 16> buffer{};;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd poll_fd{fds[0], POLLIN, 0};
    const int ready = left.count() > 0 ? poll(&poll_fd, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      problem = fmt::format("libhdf5 did not finish reading it within {} s", kChildSeconds);
      break;
    }
    const ssize_t count = ::read(fds[0], buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    received.append(buffer.data(), static_cast<size_t>(count));
    if (received.size() > most) {
      problem = "libhdf5's reader sent more than the file holds";
      break;
    }
  }
  close(fds[0]);
  if (!problem.empty()) kill(child, SIGKILL);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!problem.empty()) throw Error(fmt::format("\"{}\": {}", what, problem));
  if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1)) return decode(received, what);
  throw Error(fmt::format("\"{}\": expected an HDF5 file that libhdf5 can read; its reader {} on it", what,
                          describe_exit(status)));
}

}  // namespace tkeras::io
