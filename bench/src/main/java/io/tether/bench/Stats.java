package io.tether.bench;

import java.util.Arrays;
import java.util.List;

/** Medians and percentiles (nearest rank). */
final class Stats {
  private Stats() {}

  /** The {@code p}-th percentile (0 < p <= 100) of {@code values}, nearest rank. */
  static long percentile(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The median, ignoring NaN (a missing figure); NaN if nothing is left. */
  static double median(List<Double> values) {
    double[] sorted =
        values.stream()
            .mapToDouble(Double::doubleValue)
            .filter(v -> !Double.isNaN(v))
            .sorted()
            .toArray();
    int n = sorted.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static double min(List<Double> values) {
    return values.stream()
        .mapToDouble(Double::doubleValue)
        .filter(v -> !Double.isNaN(v))
        .min()
        .orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return values.stream()
        .mapToDouble(Double::doubleValue)
        .filter(v -> !Double.isNaN(v))
        .max()
        .orElse(Double.NaN);
  }
}
