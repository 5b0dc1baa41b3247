// Flushing subnormal floats: SSE's MXCSR bits on x86-64 (per thread), set through LibTorch where
// it checks that the CPU has them, on the calling thread and each thread of LibTorch's pool.
#include "tkeras/core/denormals.h"

#include <atomic>
#include <cstdint>

#include <ATen/Context.h>
#include <ATen/Parallel.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#define TKERAS_MXCSR 1
#endif

namespace tkeras {
namespace {

std::atomic<bool> flush_setting{true};

#ifdef TKERAS_MXCSR
constexpr unsigned kFlushBits = 0x8040;  // FTZ (bit 15) and DAZ (bit 6)
#endif

// Per thread: how many scopes are open on it, the mode it had before the outermost, and (on a pool
// thread) the mode it had before a scope reached it.
thread_local int scope_depth = 0;
thread_local unsigned caller_mode = 0;
thread_local unsigned pool_mode = 0;
thread_local bool pool_saved = false;

// Runs `work` once on each thread of LibTorch's intra-op team, the calling thread among them: with
// OpenMP, `parallel_for` over as many indices as threads, one index each, gives every team member
// one. Inside a parallel region, or with one thread, only the calling thread.
template <typename Work>
void on_each_intra_op_thread(const Work& work) {
  const int64_t threads = at::get_num_threads();
  if (threads <= 1 || at::in_parallel_region()) return;
  at::parallel_for(0, threads, 1, [&](int64_t, int64_t) { work(); });
}

}  // namespace

namespace config {

bool flush_denormal() { return flush_setting.load(); }
void set_flush_denormal(bool flush) { flush_setting.store(flush); }

}  // namespace config

namespace detail {

unsigned flush_mode() {
#ifdef TKERAS_MXCSR
  return _mm_getcsr() & kFlushBits;
#else
  return 0;
#endif
}

void set_flush_mode(unsigned mode) {
#ifdef TKERAS_MXCSR
  _mm_setcsr((_mm_getcsr() & ~kFlushBits) | (mode & kFlushBits));
#else
  (void)mode;
#endif
}

}  // namespace detail

bool flushes_denormals() {
#ifdef TKERAS_MXCSR
  return detail::flush_mode() == kFlushBits;
#else
  return false;
#endif
}

FlushDenormalScope::FlushDenormalScope(bool enabled) {
  if (!enabled || scope_depth++ > 0) {
    active_ = enabled;
    return;
  }
  active_ = true;
  caller_mode = detail::flush_mode();
  // LibTorch sets FTZ and DAZ only where the CPU has them, and says whether it could.
  if (!at::globalContext().setFlushDenormal(true)) return;
  on_each_intra_op_thread([] {
    if (!pool_saved) pool_mode = detail::flush_mode();
    pool_saved = true;
    at::globalContext().setFlushDenormal(true);
  });
}

FlushDenormalScope::~FlushDenormalScope() {
  if (!active_ || --scope_depth > 0) return;
  on_each_intra_op_thread([] {
    if (pool_saved) detail::set_flush_mode(pool_mode);
    pool_saved = false;
  });
  detail::set_flush_mode(caller_mode);
}

}  // namespace tkeras
