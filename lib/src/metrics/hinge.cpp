// The hinge metrics: the hinge losses' formulas, averaged per sample.
#include "tkeras/metrics/hinge.h"

#include "metrics/common.h"
#include "metrics/registry.h"
#include "tkeras/losses/hinge.h"

namespace tkeras::metrics {
namespace {

const registry::Registrar hinge_registration(registry::plain<Hinge>("Hinge", "hinge"));
const registry::Registrar squared_hinge_registration(registry::plain<SquaredHinge>("SquaredHinge", "squared_hinge"));
const registry::Registrar categorical_hinge_registration(registry::plain<CategoricalHinge>("CategoricalHinge",
                                                                                           "categorical_hinge"));

}  // namespace

Hinge::Hinge(std::string name) : MeanMetricWrapper(detail::loss_formula(losses::Hinge()), std::move(name)) {}
SquaredHinge::SquaredHinge(std::string name)
    : MeanMetricWrapper(detail::loss_formula(losses::SquaredHinge()), std::move(name)) {}
CategoricalHinge::CategoricalHinge(std::string name)
    : MeanMetricWrapper(detail::loss_formula(losses::CategoricalHinge()), std::move(name)) {}

}  // namespace tkeras::metrics
