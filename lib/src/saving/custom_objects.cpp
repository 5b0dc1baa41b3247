// CustomObjects split by kind, for the floors that make layers, losses and metrics.
#include "tkeras/saving/custom_objects.h"

namespace tkeras::saving {

layers::CustomObjects layer_factories(const CustomObjects& custom_objects) {
  layers::CustomObjects factories;
  for (const auto& [name, object] : custom_objects) {
    if (object.layer()) factories.emplace(name, *object.layer());
  }
  return factories;
}

losses::LossFactories loss_factories(const CustomObjects& custom_objects) {
  losses::LossFactories factories;
  for (const auto& [name, object] : custom_objects) {
    if (object.loss()) factories.emplace(name, *object.loss());
  }
  return factories;
}

metrics::MetricFactories metric_factories(const CustomObjects& custom_objects) {
  metrics::MetricFactories factories;
  for (const auto& [name, object] : custom_objects) {
    if (object.metric()) factories.emplace(name, *object.metric());
  }
  return factories;
}

}  // namespace tkeras::saving
