// The built-in layer classes: adding a layer to tkeras adds one line here.
#include "layers/registry.h"

#include "tkeras/layers/activation.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/bidirectional.h"
#include "tkeras/layers/center_crop.h"
#include "tkeras/layers/conv1d.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/gru.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/lstm.h"
#include "tkeras/layers/normalization.h"
#include "tkeras/layers/pooling1d.h"
#include "tkeras/layers/pooling2d.h"
#include "tkeras/layers/random_brightness.h"
#include "tkeras/layers/random_contrast.h"
#include "tkeras/layers/random_flip.h"
#include "tkeras/layers/random_rotation.h"
#include "tkeras/layers/random_translation.h"
#include "tkeras/layers/random_zoom.h"
#include "tkeras/layers/rescaling.h"
#include "tkeras/layers/reshape.h"
#include "tkeras/layers/resizing.h"
#include "tkeras/layers/simple_rnn.h"
#include "tkeras/layers/text_vectorization.h"

namespace tkeras::layers::registry {

const std::map<std::string, FromConfig, std::less<>>& builtin() {
  static const std::map<std::string, FromConfig, std::less<>> classes = {
      {"Activation", Activation::from_config},
      {"AveragePooling1D", AveragePooling1D::from_config},
      {"AveragePooling2D", AveragePooling2D::from_config},
      {"BatchNormalization", BatchNormalization::from_config},
      {"Bidirectional", Bidirectional::from_config},
      {"CenterCrop", CenterCrop::from_config},
      {"Conv1D", Conv1D::from_config},
      {"Conv2D", Conv2D::from_config},
      {"Dense", Dense::from_config},
      {"Dropout", Dropout::from_config},
      {"Embedding", Embedding::from_config},
      {"Flatten", Flatten::from_config},
      {"GRU", GRU::from_config},
      {"GlobalAveragePooling1D", GlobalAveragePooling1D::from_config},
      {"GlobalAveragePooling2D", GlobalAveragePooling2D::from_config},
      {"GlobalMaxPooling1D", GlobalMaxPooling1D::from_config},
      {"InputLayer", Input::from_config},
      {"LSTM", LSTM::from_config},
      {"MaxPooling1D", MaxPooling1D::from_config},
      {"MaxPooling2D", MaxPooling2D::from_config},
      {"Normalization", Normalization::from_config},
      {"RandomBrightness", RandomBrightness::from_config},
      {"RandomContrast", RandomContrast::from_config},
      {"RandomFlip", RandomFlip::from_config},
      {"RandomRotation", RandomRotation::from_config},
      {"RandomTranslation", RandomTranslation::from_config},
      {"RandomZoom", RandomZoom::from_config},
      {"Rescaling", Rescaling::from_config},
      {"Reshape", Reshape::from_config},
      {"Resizing", Resizing::from_config},
      {"SimpleRNN", SimpleRNN::from_config},
      {"TextVectorization", TextVectorization::from_config},
  };
  return classes;
}

}  // namespace tkeras::layers::registry
