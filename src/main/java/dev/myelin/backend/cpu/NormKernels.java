package dev.myelin.backend.cpu;

import dev.myelin.backend.DeviceRandom;

/** Dropout and batch normalisation on the CPU; channels are split over the worker pool. */
final class NormKernels {
    private NormKernels() {
    }

    static void dropout(float[] x, float[] y, float[] mask, int n, float p, float scale, long seed) {
        Parallel.forRange(n, 4, (from, to) -> {
            if (VectorSupport.available()) {
                VectorDropout.dropout(x, y, mask, from, to, p, scale, seed);
                return;
            }
            for (int i = from; i < to; i++) {
                float m = DeviceRandom.uniform(seed, i) >= p ? scale : 0f;
                mask[i] = m;
                y[i] = x[i] * m;
            }
        });
    }

    static void batchNorm(float[] x, float[] gamma, float[] beta, float[] y, float[] saveMean, float[] saveInvStd,
                          float[] runningMean, float[] runningVar, int batch, int channels, int spatial,
                          boolean training, float momentum, float eps) {
        int m = batch * spatial;
        int stride = channels * spatial;
        Parallel.forRange(channels, 3L * m, (from, to) -> {
            for (int c = from; c < to; c++) {
                float mean;
                float invStd;
                if (training) {
                    double sum = 0;
                    for (int n = 0; n < batch; n++) {
                        int base = n * stride + c * spatial;
                        float s = 0f;
                        for (int i = 0; i < spatial; i++) {
                            s += x[base + i];
                        }
                        sum += s;
                    }
                    mean = (float) (sum / m);
                    double sq = 0;
                    for (int n = 0; n < batch; n++) {
                        int base = n * stride + c * spatial;
                        float s = 0f;
                        for (int i = 0; i < spatial; i++) {
                            float d = x[base + i] - mean;
                            s += d * d;
                        }
                        sq += s;
                    }
                    float var = (float) (sq / m);
                    invStd = (float) (1.0 / Math.sqrt(var + eps));
                    saveMean[c] = mean;
                    saveInvStd[c] = invStd;
                    if (runningMean != null) {
                        float unbiased = m > 1 ? (float) (sq / (m - 1)) : var;
                        runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean;
                        runningVar[c] = (1 - momentum) * runningVar[c] + momentum * unbiased;
                    }
                } else {
                    mean = runningMean[c];
                    invStd = (float) (1.0 / Math.sqrt(runningVar[c] + eps));
                }
                float a = invStd * gamma[c];
                float b = beta[c] - mean * a;
                for (int n = 0; n < batch; n++) {
                    int base = n * stride + c * spatial;
                    for (int i = 0; i < spatial; i++) {
                        y[base + i] = x[base + i] * a + b;
                    }
                }
            }
        });
    }

    static void batchNormBackward(float[] x, float[] dy, float[] gamma, float[] saveMean, float[] saveInvStd,
                                  float[] dx, float[] dgamma, float[] dbeta, int batch, int channels, int spatial) {
        int m = batch * spatial;
        int stride = channels * spatial;
        Parallel.forRange(channels, 3L * m, (from, to) -> {
            for (int c = from; c < to; c++) {
                float mean = saveMean[c];
                float invStd = saveInvStd[c];
                double sumDy = 0;
                double sumDyXhat = 0;
                for (int n = 0; n < batch; n++) {
                    int base = n * stride + c * spatial;
                    float s = 0f;
                    float sx = 0f;
                    for (int i = 0; i < spatial; i++) {
                        float d = dy[base + i];
                        s += d;
                        sx += d * (x[base + i] - mean) * invStd;
                    }
                    sumDy += s;
                    sumDyXhat += sx;
                }
                float db = (float) sumDy;
                float dg = (float) sumDyXhat;
                if (dbeta != null) {
                    dbeta[c] = db;
                }
                if (dgamma != null) {
                    dgamma[c] = dg;
                }
                if (dx != null) {
                    float k = gamma[c] * invStd / m;
                    for (int n = 0; n < batch; n++) {
                        int base = n * stride + c * spatial;
                        for (int i = 0; i < spatial; i++) {
                            float xhat = (x[base + i] - mean) * invStd;
                            dx[base + i] = k * (m * dy[base + i] - db - xhat * dg);
                        }
                    }
                }
            }
        });
    }

    static void adadelta(float[] p, float[] g, float[] sq, float[] acc, int n,
                         float lr, float rho, float eps, float weightDecay) {
        Parallel.forRange(n, 8, (from, to) -> {
            for (int i = from; i < to; i++) {
                float pi = p[i];
                float gi = g[i] + weightDecay * pi;
                float si = rho * sq[i] + (1 - rho) * gi * gi;
                sq[i] = si;
                float delta = (float) Math.sqrt(acc[i] + eps) / (float) Math.sqrt(si + eps) * gi;
                acc[i] = rho * acc[i] + (1 - rho) * delta * delta;
                p[i] = pi - lr * delta;
            }
        });
    }
}
