"""The reference side of test/evaluate/sklearn-oracle.test.ts: scikit-learn
(Debian's python3-sklearn) computes, for each fixture read from stdin, the
metrics, curves and bins MLflow's default evaluator computes with it.
Non-finite numbers go out as strings, since JSON has no NaN."""
import json
import math
import sys

import numpy as np
import sklearn
from sklearn import metrics as m
from sklearn.calibration import calibration_curve
from sklearn.preprocessing import label_binarize


def finite(v):
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [finite(x) for x in v]
    if isinstance(v, np.ndarray):
        return finite(v.tolist())
    if isinstance(v, (float, np.floating)) and not math.isfinite(v):
        return str(float(v))
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def curves(y_bin, score):
    fpr, tpr, _ = m.roc_curve(y_bin, score, drop_intermediate=True)
    precision, recall, _ = m.precision_recall_curve(y_bin, score)
    prob_true, prob_pred = calibration_curve(y_bin, score, n_bins=10, strategy="uniform")
    return {
        "fpr": fpr, "tpr": tpr, "precision": precision, "recall": recall,
        "roc_auc": m.roc_auc_score(y_bin, score), "ap": m.average_precision_score(y_bin, score),
        "calibration_true": prob_true, "calibration_pred": prob_pred,
    }


def classifier(case):
    k = len(case["labels"])
    y, y_pred = np.array(case["yTrue"]), np.array(case["yPred"])
    proba = np.array(case["probabilities"], dtype=float)
    labels = list(range(k))
    out = {
        "confusion": m.confusion_matrix(y, y_pred, labels=labels),
        "accuracy_score": m.accuracy_score(y, y_pred),
        "log_loss": m.log_loss(y, proba, labels=labels),
    }
    for name, fn in (("precision_score", m.precision_score), ("recall_score", m.recall_score), ("f1_score", m.f1_score)):
        for average in ("macro", "weighted"):
            out[f"{name}_{average}"] = fn(y, y_pred, labels=labels, average=average, zero_division=0)
        out[f"{name}_per_class"] = fn(y, y_pred, labels=labels, average=None, zero_division=0)
    if k == 2:
        pos = case["positive"]
        tn, fp, fn_, tp = m.confusion_matrix(y == pos, y_pred == pos, labels=[False, True]).ravel()
        out.update(true_negatives=tn, false_positives=fp, false_negatives=fn_, true_positives=tp)
        for name, fn in (("precision_score", m.precision_score), ("recall_score", m.recall_score), ("f1_score", m.f1_score)):
            out[name] = fn(y, y_pred, pos_label=pos, average="binary", zero_division=0)
        c = curves(y == pos, proba[:, pos])
        out.update(roc_auc=c["roc_auc"], precision_recall_auc=c["ap"], curves=[c])
    else:
        average = case["average"]
        for name in ("precision_score", "recall_score", "f1_score"):
            out[name] = out[f"{name}_{average}"]
        # MLflow: roc_auc_score(multi_class="ovr", average=...)
        out["roc_auc"] = m.roc_auc_score(y, proba, labels=labels, multi_class="ovr", average=average)
        # beyond MLflow's per-class values: average precision of the one-vs-rest columns
        out["precision_recall_auc"] = m.average_precision_score(label_binarize(y, classes=labels), proba, average=average)
        out["curves"] = [curves(y == c, proba[:, c]) for c in labels]
    return out


def regressor(case):
    y, p = np.array(case["y"], dtype=float), np.array(case["yPred"], dtype=float)
    return {
        "mean_absolute_error": m.mean_absolute_error(y, p),
        "mean_squared_error": m.mean_squared_error(y, p),
        "root_mean_squared_error": m.mean_squared_error(y, p, squared=False),
        "r2_score": m.r2_score(y, p),
        "max_error": m.max_error(y, p),
        "mean_absolute_percentage_error": m.mean_absolute_percentage_error(y, p),
        "sum_on_target": float(np.sum(y)),
        "mean_on_target": float(np.mean(y)),
    }


def main():
    cases = json.load(sys.stdin)
    results = [classifier(c) if c["kind"] == "classifier" else regressor(c) for c in cases]
    json.dump({"sklearn": sklearn.__version__, "results": finite(results)}, sys.stdout)


if __name__ == "__main__":
    main()
