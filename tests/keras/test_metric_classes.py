"""Keras parity: Keras's metric classes, with their options (thresholds, top_k, class_id, curves,
averages, class ids), as compile's metrics and weighted_metrics, in evaluate (with and without
sample weights), in training (train and validation history), and in .keras files both ways.

tkeras gets each metric as Keras serializes it in a compile_config (module, class name and
get_config()), so that the options are the ones Keras used. A metric of several values (Precision
with a list of thresholds, F1Score without an average) is an array in Keras's logs and one entry
per value (`name[i]`) in tkeras's."""
from parity import L, check_close, run_tkeras, seeded_data, sequential, weights   # noqa: I001 (first: it selects Keras's torch backend)
import os
import tempfile
import unittest

import keras
import numpy as np
from keras import layers, metrics, optimizers

EVALUATE_TOLERANCE = 1e-5  # on the same weights, as test_losses.py
TRAINING_TOLERANCE = 1e-4  # per epoch value and weight tensor, as test_training.py
N = 40

rng = np.random.default_rng(11)
REAL = rng.standard_normal((N, 3)).astype(np.float32)
TARGETS = rng.standard_normal((N, 3)).astype(np.float32)
POSITIVE = np.abs(rng.standard_normal((N, 3))).astype(np.float32)
LOGITS = (rng.standard_normal((N, 4)) * 2).astype(np.float32)
LABELS = rng.integers(0, 4, N)
ONE_HOT = np.eye(4, dtype=np.float32)[LABELS]
BINARY = rng.integers(0, 2, (N, 3)).astype(np.float32)
SAMPLE_WEIGHT = rng.uniform(0.2, 2.0, N).astype(np.float32)
SAMPLE_WEIGHT[::7] = 0.0

# group: (output activation, inputs of the output, targets, loss, metrics)
GROUPS = {
    "binary outputs": ("sigmoid", REAL, BINARY, "binary_crossentropy", [
        "accuracy", metrics.BinaryAccuracy(threshold=0.6), metrics.Precision(), metrics.Recall(thresholds=[0.3, 0.7]),
        metrics.Precision(top_k=2, name="precision_top2"), metrics.Recall(class_id=1, name="recall_1"),
        metrics.TruePositives(thresholds=[0.2, 0.5, 0.8]), metrics.FalsePositives(), metrics.TrueNegatives(),
        metrics.FalseNegatives(thresholds=0.4), metrics.AUC(), metrics.AUC(curve="PR", name="pr_auc"),
        metrics.AUC(num_thresholds=50, summation_method="minoring", name="auc_minoring"),
        metrics.AUC(multi_label=True, num_labels=3, name="auc_multi"),
        metrics.AUC(multi_label=True, label_weights=[0.2, 0.3, 0.5], name="auc_weighted"),
        metrics.PrecisionAtRecall(0.5), metrics.RecallAtPrecision(0.6), metrics.SensitivityAtSpecificity(0.4),
        metrics.SpecificityAtSensitivity(0.7, class_id=2), metrics.F1Score(threshold=0.5),
        metrics.FBetaScore(beta=2.0, average="micro", threshold=0.4), metrics.BinaryIoU(target_class_ids=[1], dtype="float32"),
        metrics.BinaryCrossentropy(label_smoothing=0.1), metrics.Hinge(), metrics.SquaredHinge(),
    ]),
    "binary logits": ("linear", REAL, BINARY, keras.losses.BinaryCrossentropy(from_logits=True), [
        metrics.AUC(from_logits=True), metrics.BinaryCrossentropy(from_logits=True),
    ]),
    "one-hot classes": ("softmax", LOGITS, ONE_HOT, "categorical_crossentropy", [
        "accuracy", metrics.CategoricalAccuracy(), metrics.TopKCategoricalAccuracy(k=2),
        metrics.CategoricalCrossentropy(label_smoothing=0.1), metrics.KLDivergence(), metrics.CategoricalHinge(),
        metrics.OneHotIoU(num_classes=4, target_class_ids=[0, 2], dtype="float32"),
        metrics.OneHotMeanIoU(num_classes=4, dtype="float32"),
        metrics.F1Score(average="macro"), metrics.FBetaScore(beta=0.5, average="weighted"),
        metrics.Precision(class_id=3, name="precision_3"),
    ]),
    "class labels": ("softmax", LOGITS, LABELS, "sparse_categorical_crossentropy", [
        "accuracy", "acc", metrics.SparseCategoricalAccuracy(), metrics.SparseTopKCategoricalAccuracy(k=2),
        metrics.SparseCategoricalCrossentropy(), metrics.MeanIoU(num_classes=4, sparse_y_pred=False, dtype="float32"),
        metrics.IoU(num_classes=4, target_class_ids=[1, 3], sparse_y_pred=False, dtype="float32"),
    ]),
    "regression": ("linear", REAL, TARGETS, "mse", [
        "mse", "mae", metrics.MeanSquaredError(), metrics.RootMeanSquaredError(), metrics.MeanAbsoluteError(),
        metrics.MeanAbsolutePercentageError(), metrics.CosineSimilarity(), metrics.LogCoshError(), metrics.R2Score(),
        metrics.R2Score(class_aggregation="variance_weighted_average", name="r2_variance"),
        metrics.R2Score(class_aggregation=None, num_regressors=1, name="r2_units"),
        metrics.PearsonCorrelation(), metrics.ConcordanceCorrelation(),
    ]),
    "positive regression": ("softplus", REAL, POSITIVE, "poisson", [
        metrics.Poisson(), metrics.MeanSquaredLogarithmicError(), "msle",
    ]),
}
# Keras's IoUs count in int by default, truncating fractional sample weights (tkeras counts in
# float64): the cases above ask Keras for float32. Keras 3.15 cannot weigh BinaryIoU's values by
# [N] sample weights (it fails on the shapes); tkeras weighs each sample's values.
NOT_WEIGHTED_IN_KERAS = ("binary_io_u",)


def serialized(metric_list):
    return [m if isinstance(m, str) else keras.saving.serialize_keras_object(m) for m in metric_list]


def fresh(metric_list):
    """New metric objects of the same configs (Keras's hold their state)."""
    return [m if isinstance(m, str) else type(m).from_config(m.get_config()) for m in metric_list]


def output_model(activation, x):
    return sequential(x.shape[1:], L(layers.Dense, x.shape[1], activation=activation))


def check_logs(case, test, ours, theirs, tolerance):
    """Every value Keras logs, array values against tkeras's `name[i]` entries."""
    for key, value in theirs.items():
        value = np.asarray(value, dtype=np.float64)
        if value.ndim == 0:
            case.assertIn(key, ours, f"{test}: tkeras logs no {key}: {sorted(ours)}")
            mine = ours[key]
        else:
            mine = [ours.get(f"{key}[{i}]", np.nan) for i in range(value.size)]
        check_close(case, test, key, mine, value, tolerance)


class MetricClasses(unittest.TestCase):
    def test_every_metric_class_evaluates_as_keras_with_and_without_sample_weights(self):
        for group, (activation, x, y, loss, metric_list) in GROUPS.items():
            for weighted in (False, True):
                with self.subTest(group=group, weighted=weighted):
                    keras.utils.set_random_seed(3)
                    model = output_model(activation, x)
                    optimizer = optimizers.SGD()
                    key = "weighted_metrics" if weighted else "metrics"
                    if weighted:
                        metric_list = [m for m in metric_list
                                       if isinstance(m, str) or m.name not in NOT_WEIGHTED_IN_KERAS]
                    model.compile(optimizer=optimizer, loss=loss, **{key: fresh(metric_list)})
                    data = {"x_eval": x, "y_eval": y}
                    if weighted:
                        data["eval_sample_weight"] = SAMPLE_WEIGHT
                    loss_name = loss if isinstance(loss, str) else type(loss).__name__
                    loss_options = None if isinstance(loss, str) else {"from_logits": True}
                    run = run_tkeras(model, data, optimizer=optimizer, loss=loss_name, loss_options=loss_options,
                                     **{key: serialized(metric_list)})
                    theirs = model.evaluate(x, y, sample_weight=SAMPLE_WEIGHT if weighted else None, batch_size=16,
                                            verbose=0, return_dict=True)
                    check_logs(self, f"metric classes: {group}{', weighted' if weighted else ''}", run.evaluate,
                               theirs, EVALUATE_TOLERANCE)

    def test_training_logs_each_kind_of_metric_per_epoch_as_keras(self):
        x, labels = seeded_data(21, 96, (6,), 3)
        x_val, labels_val = seeded_data(22, 32, (6,), 3)
        metric_list = ["accuracy", metrics.SparseTopKCategoricalAccuracy(k=2), metrics.MeanIoU(3, sparse_y_pred=False),
                       metrics.SparseCategoricalCrossentropy(name="ce")]
        keras.utils.set_random_seed(5)
        model = sequential((6,), L(layers.Dense, 8, activation="relu"), L(layers.Dense, 3, activation="softmax"))
        optimizer = optimizers.Adam(learning_rate=0.01)
        run = run_tkeras(model, {"x": x, "y": labels, "x_val": x_val, "y_val": labels_val}, epochs=3, batch_size=16,
                         optimizer=optimizer, loss="sparse_categorical_crossentropy",
                         metrics=serialized(metric_list))
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=fresh(metric_list))
        history = model.fit(x, labels, validation_data=(x_val, labels_val), batch_size=16, epochs=3, shuffle=False,
                            verbose=0).history
        for key in history:
            check_close(self, "metric classes, training", f"history {key}", run.history[key], history[key],
                        TRAINING_TOLERANCE)
        ours, theirs = run.final_weights, weights(model)
        for weight in theirs:
            check_close(self, "metric classes, training", "final weights", ours[weight], theirs[weight],
                        TRAINING_TOLERANCE)

    def test_metric_objects_travel_in_keras_files_both_ways(self):
        metric_list = ["accuracy", metrics.AUC(curve="PR", num_thresholds=64), metrics.Precision(thresholds=0.3),
                       metrics.F1Score(average="micro", threshold=0.5)]
        model = output_model("sigmoid", REAL)
        model.compile(optimizer=optimizers.SGD(), loss="binary_crossentropy", metrics=fresh(metric_list),
                      weighted_metrics=[metrics.Recall(name="weighted_recall")])
        with tempfile.TemporaryDirectory() as directory:
            # Keras's file: tkeras reads the metrics and evaluates as Keras does.
            path = os.path.join(directory, "keras.keras")
            model.save(path)
            theirs = model.evaluate(REAL, BINARY, sample_weight=SAMPLE_WEIGHT, verbose=0, return_dict=True)
            saved = os.path.join(directory, "tkeras.keras")
            run = run_tkeras(None, {"x_eval": REAL, "y_eval": BINARY, "eval_sample_weight": SAMPLE_WEIGHT},
                             model_file=path, save_model=saved)
            check_logs(self, "metric classes, files", run.evaluate, theirs, EVALUATE_TOLERANCE)
            # tkeras's file: Keras rebuilds the same metric objects.
            loaded = keras.saving.load_model(saved)
            self.assertEqual(loaded.get_compile_config()["metrics"], model.get_compile_config()["metrics"])
            self.assertEqual(loaded.get_compile_config()["weighted_metrics"],
                             model.get_compile_config()["weighted_metrics"])


if __name__ == "__main__":
    unittest.main()
