// HDF5 files as Keras 3 writes its weights (model.weights.h5): groups of datasets, read and written
// in memory with Debian's libhdf5 (internal).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "io/safetensors.h"

namespace tkeras::io {

/// The bytes of an HDF5 file holding `datasets` (each at its path, `layers/dense/vars/0`, its
/// groups made as needed), contiguous and uncompressed as h5py writes them, with a string
/// attribute `name` on each group of `group_names` (path -> name), as Keras's weights files have.
/// Supports float32, float64, int32, int64, uint8 and bool tensors. Throws `tkeras::Error` for
/// other dtypes, or if libhdf5 fails.
std::string write_hdf5(const NamedTensors& datasets, const std::map<std::string, std::string>& group_names);

/// Every dataset of the HDF5 file `bytes`, by path (`layers/dense/vars/0`), in path order. `what`
/// names the file in errors. Before reading a dataset's values it checks, and throws
/// `tkeras::Error` for: bytes that are not an HDF5 file, a link that is not a plain (hard) link
/// inside the file (soft and external links), a dataset of more than 16 axes, of a type other than
/// little- or big-endian IEEE floats of 32 or 64 bits and integers of 8 to 64 bits, or whose
/// stored bytes are not exactly its values' (compressed, chunked with fill values, or cut short),
/// so that no dataset can claim more memory than the file holds.
///
/// libhdf5 parses the bytes in a child process (fork), with its memory capped at 1 GiB and 8
/// times the file's size above the parent's and 120 s to finish, and sends the datasets back
/// through a pipe: libhdf5 1.10 can crash, ask for terabytes or loop on a damaged file, which then
/// gives a `tkeras::Error` saying how its reader ended, not a crash of the program.
NamedTensors read_hdf5(std::string_view bytes, const std::string& what);

}  // namespace tkeras::io
