// Whether the current CUDA stream is capturing a graph, for code that must not sync the host then (internal).
#pragma once

namespace tkeras::detail {

/// Whether the current CUDA stream is capturing a graph, when host syncs (`item()`) must not run.
/// False in a tkeras built without CUDA.
bool cuda_stream_capturing();

}  // namespace tkeras::detail
