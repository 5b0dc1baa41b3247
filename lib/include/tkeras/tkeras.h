// tkeras: Keras-style deep learning in C++ on LibTorch. Include this one header.
//
// Example:
// ```
// #include <tkeras/tkeras.h>
// namespace tk = tkeras;
// tk::Sequential model({tk::layers::Input({28, 28}), tk::layers::Flatten(),
//                       tk::layers::Dense(128, "relu"), tk::layers::Dense(10, "softmax")});
// model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
// tk::History history = model.fit(x_train, y_train, {.epochs = 5, .validation_split = 0.1});
// ```
#pragma once

#include <torch/torch.h>  // users write torch::Tensor, torch::kFloat32... beside tkeras

#include "tkeras/callbacks/backup_and_restore.h"
#include "tkeras/callbacks/callback.h"
#include "tkeras/callbacks/callback_list.h"
#include "tkeras/callbacks/csv_logger.h"
#include "tkeras/callbacks/early_stopping.h"
#include "tkeras/callbacks/history.h"
#include "tkeras/callbacks/lambda_callback.h"
#include "tkeras/callbacks/learning_rate_scheduler.h"
#include "tkeras/callbacks/model_checkpoint.h"
#include "tkeras/callbacks/monitor_callback.h"
#include "tkeras/callbacks/plot_history.h"
#include "tkeras/callbacks/progbar_logger.h"
#include "tkeras/callbacks/reduce_lr_on_plateau.h"
#include "tkeras/callbacks/terminate_on_nan.h"
#include "tkeras/core/config.h"
#include "tkeras/core/device.h"
#include "tkeras/core/error.h"
#include "tkeras/core/logs.h"
#include "tkeras/core/random.h"
#include "tkeras/core/shape.h"
#include "tkeras/core/version.h"
#include "tkeras/data/dataset.h"
#include "tkeras/data/decode_image.h"
#include "tkeras/data/directory_dataset.h"
#include "tkeras/data/train_test_split.h"
#include "tkeras/data/fashion_mnist.h"
#include "tkeras/data/idx.h"
#include "tkeras/data/image_dataset_from_directory.h"
#include "tkeras/data/mnist.h"
#include "tkeras/data/read_csv.h"
#include "tkeras/data/text_dataset_from_directory.h"
#include "tkeras/data/timeseries_dataset_from_array.h"
#include "tkeras/layers/activation.h"
#include "tkeras/layers/activations.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/center_crop.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/custom_objects.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/lambda.h"
#include "tkeras/layers/layer.h"
#include "tkeras/layers/normalization.h"
#include "tkeras/layers/pooling2d.h"
#include "tkeras/layers/random_factor.h"
#include "tkeras/layers/random_brightness.h"
#include "tkeras/layers/random_contrast.h"
#include "tkeras/layers/random_flip.h"
#include "tkeras/layers/random_rotation.h"
#include "tkeras/layers/random_translation.h"
#include "tkeras/layers/random_zoom.h"
#include "tkeras/layers/rescaling.h"
#include "tkeras/layers/reshape.h"
#include "tkeras/layers/resizing.h"
#include "tkeras/layers/size2.h"
#include "tkeras/layers/torch_module.h"
#include "tkeras/models/load_model.h"
#include "tkeras/models/model.h"
#include "tkeras/models/options.h"
#include "tkeras/models/sequential.h"
#include "tkeras/training/losses.h"
#include "tkeras/training/optimizers.h"
