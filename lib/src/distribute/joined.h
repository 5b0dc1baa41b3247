// Whether this process trains in a data-parallel job, for the callbacks (internal; no LibTorch).
#pragma once

namespace tkeras::distribute::detail {

/// Whether `compile` joined a data-parallel job of more than one process.
bool in_job();
/// Whether this process writes files and prints progress: rank 0 of its job, or any process not
/// in a job.
bool writes_files();

}  // namespace tkeras::distribute::detail
