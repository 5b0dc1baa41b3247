// Which way a monitored log value improves, shared by the callbacks that watch one (internal).
#pragma once

#include <string_view>

namespace tkeras::callbacks {

/// Whether `monitor` improves upwards: `mode` "max" or "min" say so; "auto" infers it as Keras
/// does (accuracy-like metrics go up; losses and errors go down). Throws `tkeras::Error` naming
/// `callback` for an unknown mode, or for "auto" on a name whose direction is unknown.
bool improves_upwards(std::string_view callback, std::string_view monitor, std::string_view mode);

}  // namespace tkeras::callbacks
