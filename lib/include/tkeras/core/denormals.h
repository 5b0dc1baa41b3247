// Subnormal floats flushed to zero while tkeras computes on the CPU, as TensorFlow does.
#pragma once

namespace tkeras {

namespace config {

/// Whether `fit`, `evaluate` and `predict` flush subnormal floats to zero on the CPU while they
/// run, as TensorFlow (Keras's first backend) does by default: the calling thread, LibTorch's
/// intra-op threads and a dataset's worker threads compute with FTZ and DAZ set, and each
/// thread's previous mode comes back afterwards. A number below 1.2e-38 in float32 then becomes
/// 0, which spares the CPU's slow path for subnormals (Adam's moments of weights whose gradients
/// stay 0 decay through that range). Default: true. Flushing needs an x86-64 CPU; elsewhere
/// nothing changes.
bool flush_denormal();
/// Turns that flushing on or off for the calls that start after it; false keeps IEEE
/// subnormals, as PyTorch does.
void set_flush_denormal(bool flush);

}  // namespace config

/// Whether the calling thread now flushes subnormal floats to zero (FTZ and DAZ). Always false
/// on CPUs that cannot.
bool flushes_denormals();

/// While alive, and when `enabled`, flushes subnormal floats to zero on the calling thread and on
/// LibTorch's intra-op threads (its OpenMP team: the mode is per thread), as `fit`, `evaluate`
/// and `predict` do; restores each thread's previous mode on destruction. Scopes nest: only the
/// outermost on a thread changes anything. A disabled scope does nothing.
///
/// Example, for a training loop of one's own: `tkeras::FlushDenormalScope flush(true);`
class FlushDenormalScope {
 public:
  /// Flushes from now on when `enabled`.
  explicit FlushDenormalScope(bool enabled);
  /// Restores the mode each thread had.
  ~FlushDenormalScope();
  FlushDenormalScope(const FlushDenormalScope&) = delete;
  FlushDenormalScope& operator=(const FlushDenormalScope&) = delete;

 private:
  bool active_ = false;
};

namespace detail {
/// The calling thread's flush mode, as bits to hand to `set_flush_mode` (internal).
unsigned flush_mode();
/// Gives the calling thread `mode`, read by `flush_mode` on a thread of this process (a dataset's
/// workers take their creator's).
void set_flush_mode(unsigned mode);
}  // namespace detail

}  // namespace tkeras
