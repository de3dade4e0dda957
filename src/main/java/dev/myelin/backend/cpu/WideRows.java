package dev.myelin.backend.cpu;

import dev.myelin.backend.Conv2dGeometry;

/**
 * The input gradient of a unit-stride, unpadded convolution through rows as wide as the input.
 *
 * <p>col2im adds each row of the column gradient dcol [C k k, oh ow] into dx one output row at a time:
 * for the MNIST network's second layer that is 24 floats per add (a vector and a scalar tail of 8),
 * 6,912 of them per sample, and 18% of the layer's backward time. Here the output gradient is first
 * laid out with rows w apart instead of ow, the w - ow columns between them zero ({@link #widen}), so
 * the product W^T dy has the same layout: its row for (c, p, q) is then exactly the run of dx plane c
 * that starts at (p, q), junk columns included, and they add 0. Each row of dcol is one contiguous add
 * of (oh - 1) w + ow floats ({@link #addInto}). The product grows by w / ow (8% there).
 *
 * <p>The run ends at (p + oh - 1) w + q + ow - 1 = (h - 1) w + w - 1 at most (with oh = h - k + 1,
 * ow = w - k + 1), so it never leaves the plane.
 */
final class WideRows {
    private WideRows() {
    }

    /** Columns of the wide layout: oh rows w apart, the last one ow long. */
    static int columns(Conv2dGeometry g) {
        return (g.outHeight() - 1) * g.width() + g.outWidth();
    }

    /** dst [oc, columns] = dy[yo..] ([oc, oh * ow]) with rows w apart and zero between them. */
    static void widen(Conv2dGeometry g, float[] dy, int yo, float[] dst) {
        int oh = g.outHeight(), ow = g.outWidth(), w = g.width();
        int cols = columns(g);
        int plane = oh * ow;
        for (int o = 0; o < g.outChannels(); o++) {
            int src = yo + o * plane;
            int d = o * cols;
            for (int i = 0; i < oh; i++) {
                System.arraycopy(dy, src + i * ow, dst, d + i * w, ow);
                if (i < oh - 1) {
                    java.util.Arrays.fill(dst, d + i * w + ow, d + (i + 1) * w, 0f);
                }
            }
        }
    }

    /** dx[offset..] ([C, h, w], zeroed) += each wide row of dcol ([C k k, columns]) at its (c, p, q). */
    static void addInto(Conv2dGeometry g, float[] dcol, float[] dx, int offset) {
        int h = g.height(), w = g.width(), k = g.kernel();
        int cols = columns(g);
        boolean vector = VectorSupport.available();
        int row = 0;
        for (int c = 0; c < g.inChannels(); c++) {
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++, row++) {
                    int d = offset + c * h * w + p * w + q;
                    int s = row * cols;
                    if (vector) {
                        VectorConvKernels.addInto(dcol, s, dx, d, cols);
                    } else {
                        for (int j = 0; j < cols; j++) {
                            dx[d + j] += dcol[s + j];
                        }
                    }
                }
            }
        }
    }
}
