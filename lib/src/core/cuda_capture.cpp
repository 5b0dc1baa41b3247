// cuda_stream_capturing: LibTorch's capture status of the current stream, where LibTorch has CUDA
// (TKERAS_WITH_CUDA, set by lib/CMakeLists.txt).
#include "core/cuda_capture.h"

#if TKERAS_WITH_CUDA
#include <c10/cuda/CUDAGraphsC10Utils.h>
#endif

namespace tkeras::detail {

#if TKERAS_WITH_CUDA
bool cuda_stream_capturing() {
  return c10::cuda::currentStreamCaptureStatusMayInitCtx() != c10::cuda::CaptureStatus::None;
}
#else
bool cuda_stream_capturing() { return false; }
#endif

}  // namespace tkeras::detail
