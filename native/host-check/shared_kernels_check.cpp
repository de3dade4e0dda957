// Runs the shared OpenCL C kernels (kernels/*.cl) as CUDA sees them, through kernels/cuda_preamble.h,
// on the host (cuda_host_emulation.h), with the launch shapes the CUDA backend uses (LaunchDims:
// 256-thread blocks for element-wise kernels, one 32- or 128-thread block per row for row kernels).
// PoCL already checks these kernels under OpenCL; this checks the preamble's mapping of work-item
// functions, __local and barrier onto CUDA's model, and the launch shapes themselves.
#include "cuda_host_emulation.h"
#include "../../kernels/cuda_preamble.h"
#include "../../kernels/elementwise.cl"
#include "../../kernels/reduce.cl"
#include "../../kernels/softmax.cl"
#include "../../kernels/optim.cl"
#include "../../kernels/conv.cl"
#include "../../kernels/norm.cl"
#include "../../kernels/sequence.cl"
#include "../../kernels/recurrent.cl"
#include <cstdio>
#include <random>
#include <string>

static int failures = 0, checks = 0;

static void expect(const std::string& what, const std::vector<float>& got, const std::vector<double>& want, double tol = 1e-5) {
    checks++;
    for (size_t i = 0; i < want.size(); i++) {
        const bool bothNan = std::isnan(want[i]) && std::isnan(got[i]);
        if (!bothNan && !(std::fabs(got[i] - want[i]) <= tol * (1 + std::fabs(want[i])))) {
            failures++;
            std::printf("FAIL %s: [%zu] got %g, want %g\n", what.c_str(), i, got[i], want[i]);
            return;
        }
    }
}

static unsigned blocks(long n) { return (unsigned) ((n + 255) / 256); }          // LaunchDims.elementwise
static unsigned rowBlock(int cols) { return cols <= 32 ? 32u : 128u; }             // LaunchDims.rows

int main() {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
    auto random = [&](size_t n) { std::vector<float> v(n); for (auto& x : v) x = dist(rng); return v; };

    {   // element-wise, with a partial last block
        const int n = 1000;
        auto x = random(n);
        std::vector<float> y(n, NAN);
        emulate_launch(blocks(n), 1, 256, unary_op, U_RELU, (const float*) x.data(), y.data(), n);
        std::vector<double> want(n);
        for (int i = 0; i < n; i++) want[i] = x[i] > 0 ? x[i] : 0;
        expect("unary_op relu", y, want);
        emulate_launch(blocks(n), 1, 256, unary_op, U_SIGMOID, (const float*) x.data(), y.data(), n);
        for (int i = 0; i < n; i++) want[i] = 1 / (1 + std::exp(-(double) x[i]));
        expect("unary_op sigmoid", y, want);

        std::vector<float> z(n, NAN);
        emulate_launch(blocks(n), 1, 256, axpby, 2.0f, (const float*) x.data(), 0.0f, z.data(), n);
        for (int i = 0; i < n; i++) want[i] = 2.0 * x[i];
        expect("axpby beta 0 over NaN", z, want);
    }
    for (int bc : {BC_NONE, BC_ROW, BC_COLUMN, BC_SCALAR}) {
        const int rows = 7, cols = 45;
        auto a = random(rows * cols);
        auto b = random(bc == BC_NONE ? rows * cols : bc == BC_ROW ? cols : bc == BC_COLUMN ? rows : 1);
        std::vector<float> out(rows * cols);
        emulate_launch(blocks(rows * cols), 1, 256, binary_op, B_SUB, (const float*) a.data(), (const float*) b.data(),
                       out.data(), rows, cols, bc);
        std::vector<double> want(rows * cols);
        for (int i = 0; i < rows * cols; i++) {
            const int bi = bc == BC_ROW ? i % cols : bc == BC_COLUMN ? i / cols : bc == BC_SCALAR ? 0 : i;
            want[i] = (double) a[i] - b[bi];
        }
        expect("binary_op sub broadcast " + std::to_string(bc), out, want);
    }
    {
        const int rows = 9, cols = 300;
        auto x = random(rows * cols);
        auto bias = random(cols);
        std::vector<float> y(rows * cols);
        emulate_launch(blocks(rows * cols), 1, 256, bias_activation, (const float*) x.data(), (const float*) bias.data(), 1,
                       U_RELU, y.data(), rows, cols);
        std::vector<double> want(rows * cols);
        for (int i = 0; i < rows * cols; i++) want[i] = std::max(0.0, (double) x[i] + bias[i % cols]);
        expect("bias_activation relu", y, want);
    }
    for (int cols : {1, 10, 32, 33, 300, 1000}) {   // row kernels: one block per row, 32 or 128 threads
        const int rows = 6;
        auto x = random(rows * cols);
        x[2 * cols + cols / 2] = 50; x[2 * cols + cols - 1] = 50;   // a tie in row 2: the first one wins
        for (int op : {R_SUM, R_MEAN, R_MAX}) {
            std::vector<float> out(rows, NAN);
            emulate_launch((unsigned) rows, 1, rowBlock(cols), reduce_rows, op, (const float*) x.data(), out.data(), rows, cols);
            std::vector<double> want(rows);
            for (int r = 0; r < rows; r++) {
                double acc = op == R_MAX ? -INFINITY : 0;
                for (int c = 0; c < cols; c++) acc = op == R_MAX ? std::max(acc, (double) x[r * cols + c]) : acc + x[r * cols + c];
                want[r] = op == R_MEAN ? acc / cols : acc;
            }
            expect("reduce_rows op " + std::to_string(op) + " cols " + std::to_string(cols), out, want, 1e-4);
            std::vector<float> colsOut(cols, NAN);
            emulate_launch(blocks(cols), 1, 256, reduce_cols, op, (const float*) x.data(), colsOut.data(), rows, cols);
            std::vector<double> wantCols(cols);
            for (int c = 0; c < cols; c++) {
                double acc = op == R_MAX ? -INFINITY : 0;
                for (int r = 0; r < rows; r++) acc = op == R_MAX ? std::max(acc, (double) x[r * cols + c]) : acc + x[r * cols + c];
                wantCols[c] = op == R_MEAN ? acc / rows : acc;
            }
            expect("reduce_cols op " + std::to_string(op) + " cols " + std::to_string(cols), colsOut, wantCols, 1e-4);
        }
        std::vector<float> arg(rows, NAN);
        emulate_launch((unsigned) rows, 1, rowBlock(cols), argmax_rows, (const float*) x.data(), arg.data(), rows, cols);
        std::vector<double> wantArg(rows);
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < cols; c++) if (x[r * cols + c] > x[r * cols + best]) best = c;
            wantArg[r] = best;
        }
        expect("argmax_rows cols " + std::to_string(cols), arg, wantArg, 0);

        std::vector<float> labels(rows), probs(rows * cols), losses(rows), dlogits(rows * cols);
        for (int r = 0; r < rows; r++) labels[r] = (float) ((r * 7) % cols);
        labels[rows - 1] = (float) cols;   // not a class index: NaN loss
        emulate_launch((unsigned) rows, 1, rowBlock(cols), softmax_xent, (const float*) x.data(), (const float*) labels.data(),
                       probs.data(), losses.data(), rows, cols);
        std::vector<double> wantP(rows * cols), wantL(rows), wantD(rows * cols);
        for (int r = 0; r < rows; r++) {
            double mx = -INFINITY, sum = 0;
            for (int c = 0; c < cols; c++) mx = std::max(mx, (double) x[r * cols + c]);
            for (int c = 0; c < cols; c++) sum += std::exp(x[r * cols + c] - mx);
            for (int c = 0; c < cols; c++) wantP[r * cols + c] = std::exp(x[r * cols + c] - mx) / sum;
            wantL[r] = r == rows - 1 ? NAN : mx + std::log(sum) - x[r * cols + (int) labels[r]];
        }
        expect("softmax_xent probs cols " + std::to_string(cols), probs, wantP, 1e-5);
        expect("softmax_xent losses cols " + std::to_string(cols), losses, wantL, 1e-5);
        std::vector<float> sm(rows * cols);
        emulate_launch((unsigned) rows, 1, rowBlock(cols), softmax_rows, (const float*) x.data(), sm.data(), rows, cols);
        expect("softmax_rows cols " + std::to_string(cols), sm, wantP, 1e-5);
        emulate_launch(blocks(rows * cols), 1, 256, softmax_xent_backward, (const float*) probs.data(), (const float*) labels.data(),
                       dlogits.data(), rows, cols, 0.5f);
        for (int i = 0; i < rows * cols; i++) wantD[i] = 0.5 * (probs[i] - ((float) (i % cols) == labels[i / cols] ? 1.0 : 0.0));
        expect("softmax_xent_backward cols " + std::to_string(cols), dlogits, wantD, 1e-6);
    }
    {   // SGD with Nesterov momentum and weight decay, as torch.optim.SGD
        const int n = 700;
        auto p = random(n), g = random(n), v = random(n);
        auto p0 = p, v0 = v;
        emulate_launch(blocks(n), 1, 256, sgd_update, p.data(), (const float*) g.data(), v.data(), n, 0.1f, 0.9f, 0.01f, 1);
        std::vector<double> wantP(n), wantV(n);
        for (int i = 0; i < n; i++) {
            const double gi = g[i] + 0.01 * p0[i];
            wantV[i] = 0.9 * v0[i] + gi;
            wantP[i] = p0[i] - 0.1 * (gi + 0.9 * wantV[i]);
        }
        expect("sgd_update velocity", v, wantV, 1e-5);
        expect("sgd_update param", p, wantP, 1e-5);
    }
    {   // dropout: the mask of DeviceRandom (uniform = (bits >>> 8) / 2^24) for seed 0x123456789ABCDEF0, p = 0.4
        const long long seed = 0x123456789ABCDEF0LL;
        const unsigned top24[8] = {2884257, 5102275, 5114645, 7963449, 6036201, 4137131, 12201201, 15882130};
        const int n = 8;
        std::vector<float> x(n, 2.0f), y(n, NAN), mask(n, NAN);
        emulate_launch(blocks(n), 1, 256, dropout, (const float*) x.data(), y.data(), mask.data(), n, 0.4f, 1.0f / 0.6f,
                       (int) (unsigned) seed, (int) (unsigned) (seed >> 32));
        std::vector<double> wantM(n), wantY(n);
        for (int i = 0; i < n; i++) {
            wantM[i] = (float) top24[i] * (1.0f / 16777216.0f) >= 0.4f ? 1.0f / 0.6f : 0.0f;
            wantY[i] = 2.0 * wantM[i];
        }
        expect("dropout mask (DeviceRandom)", mask, wantM, 0);
        expect("dropout y", y, wantY, 1e-7);
    }
    {   // max and avg pooling, 3x3 windows, stride 2, padding 1, over 2 planes of 5x6
        const int planes = 2, H = 5, W = 6, k = 3, s = 2, pad = 1, OH = (H + 2 * pad - k) / s + 1, OW = (W + 2 * pad - k) / s + 1;
        auto x = random(planes * H * W);
        const int total = planes * OH * OW;
        std::vector<float> y(total), idx(total), avg(total);
        emulate_launch(blocks(total), 1, 256, max_pool2d, (const float*) x.data(), y.data(), idx.data(), 1, H, W, k, s, pad, OH, OW, total);
        emulate_launch(blocks(total), 1, 256, avg_pool2d, (const float*) x.data(), avg.data(), H, W, k, s, pad, OH, OW, total);
        std::vector<double> wantY(total), wantI(total), wantA(total);
        for (int o = 0; o < total; o++) {
            const int pl = o / (OH * OW), i = (o / OW) % OH, j = o % OW;
            double best = -INFINITY, sum = 0;
            int at = -1;
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) {
                const int ih = i * s - pad + p, iw = j * s - pad + q;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const double v = x[pl * H * W + ih * W + iw];
                sum += v;
                if (v > best) { best = v; at = ih * W + iw; }
            }
            wantY[o] = best; wantI[o] = at; wantA[o] = sum / (k * k);
        }
        expect("max_pool2d", y, wantY, 0);
        expect("max_pool2d indices", idx, wantI, 0);
        expect("avg_pool2d", avg, wantA, 1e-6);
    }
    for (int S : {1, 20}) {   // batch_norm training (one block per channel), short and long rows
        const int N = 3, C = 4, m = N * S;
        auto x = random(N * C * S), gamma = random(C), beta = random(C);
        std::vector<float> y(N * C * S), mean(C), invStd(C), rm(C, 0.5f), rv(C, 2.0f);
        emulate_launch((unsigned) C, 1, rowBlock(m), batch_norm, (const float*) x.data(), (const float*) gamma.data(),
                       (const float*) beta.data(), y.data(), mean.data(), invStd.data(), rm.data(), rv.data(), 1, N, C, S, 1,
                       0.1f, 1e-5f);
        std::vector<double> wantY(N * C * S), wantRv(C);
        for (int c = 0; c < C; c++) {
            double mu = 0, var = 0;
            for (int n = 0; n < N; n++) for (int t = 0; t < S; t++) mu += x[(n * C + c) * S + t];
            mu /= m;
            for (int n = 0; n < N; n++) for (int t = 0; t < S; t++) var += std::pow(x[(n * C + c) * S + t] - mu, 2);
            wantRv[c] = 0.9 * 2.0 + 0.1 * var / (m - 1);
            var /= m;
            for (int n = 0; n < N; n++) for (int t = 0; t < S; t++) {
                const int at = (n * C + c) * S + t;
                wantY[at] = (x[at] - mu) / std::sqrt(var + 1e-5) * gamma[c] + beta[c];
            }
        }
        expect("batch_norm y S " + std::to_string(S), y, wantY, 1e-4);
        expect("batch_norm running var S " + std::to_string(S), rv, wantRv, 1e-5);
    }
    for (int cols : {1, 7, 32, 33, 300}) {   // sequence row kernels: one block per row, 32 or 128 threads
        const int blocksPerRow = 3, rows = blocksPerRow * cols;   // causal_softmax's square blocks
        auto x = random(rows * cols);
        std::vector<float> y(rows * cols, NAN);
        emulate_launch((unsigned) rows, 1, rowBlock(cols), causal_softmax, (const float*) x.data(), y.data(), rows, cols, 0.5f);
        std::vector<double> want(rows * cols, 0.0);
        for (int r = 0; r < rows; r++) {
            const int visible = r % cols + 1;
            double mx = -INFINITY, sum = 0;
            for (int j = 0; j < visible; j++) mx = std::max(mx, 0.5 * x[r * cols + j]);
            for (int j = 0; j < visible; j++) sum += std::exp(0.5 * x[r * cols + j] - mx);
            for (int j = 0; j < visible; j++) want[r * cols + j] = std::exp(0.5 * x[r * cols + j] - mx) / sum;
        }
        expect("causal_softmax cols " + std::to_string(cols), y, want, 1e-5);

        auto dy = random(rows * cols);
        std::vector<float> dx = dy;   // in place: dx aliases dy
        emulate_launch((unsigned) rows, 1, rowBlock(cols), softmax_backward, (const float*) y.data(), (const float*) dx.data(),
                       dx.data(), rows, cols, 2.0f);
        for (int r = 0; r < rows; r++) {
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += (double) dy[r * cols + j] * y[r * cols + j];
            for (int j = 0; j < cols; j++) want[r * cols + j] = 2.0 * y[r * cols + j] * (dy[r * cols + j] - dot);
        }
        expect("softmax_backward in place cols " + std::to_string(cols), dx, want, 1e-5);

        auto gamma = random(cols), beta = random(cols);
        std::vector<float> ln(rows * cols, NAN), mean(rows, NAN), invStd(rows, NAN);
        emulate_launch((unsigned) rows, 1, rowBlock(cols), layer_norm, (const float*) x.data(), (const float*) gamma.data(),
                       (const float*) beta.data(), ln.data(), mean.data(), invStd.data(), LN_SAVE_MEAN | LN_SAVE_INV_STD,
                       rows, cols, 1e-5f);
        std::vector<double> wantMean(rows), wantInv(rows), wantDx(rows * cols), wantDg(cols, 0.0), wantDb(cols, 0.0);
        for (int r = 0; r < rows; r++) {
            double mu = 0, var = 0;
            for (int j = 0; j < cols; j++) mu += x[r * cols + j];
            mu /= cols;
            for (int j = 0; j < cols; j++) var += std::pow(x[r * cols + j] - mu, 2);
            wantMean[r] = mu;
            wantInv[r] = 1 / std::sqrt(var / cols + 1e-5);
            double sumG = 0, sumGX = 0;
            for (int j = 0; j < cols; j++) {
                const double xhat = (x[r * cols + j] - mu) * wantInv[r], g = (double) dy[r * cols + j] * gamma[j];
                want[r * cols + j] = xhat * gamma[j] + beta[j];
                sumG += g;
                sumGX += g * xhat;
                wantDg[j] += dy[r * cols + j] * xhat;
                wantDb[j] += dy[r * cols + j];
            }
            for (int j = 0; j < cols; j++) {
                const double xhat = (x[r * cols + j] - mu) * wantInv[r], g = (double) dy[r * cols + j] * gamma[j];
                wantDx[r * cols + j] = wantInv[r] / cols * (cols * g - sumG - xhat * sumGX);
            }
        }
        expect("layer_norm y cols " + std::to_string(cols), ln, want, 1e-4);
        expect("layer_norm mean cols " + std::to_string(cols), mean, wantMean, 1e-5);
        expect("layer_norm invStd cols " + std::to_string(cols), invStd, wantInv, 1e-4);
        std::vector<float> lnDx(rows * cols, NAN), dg(cols, NAN), db(cols, NAN);
        emulate_launch((unsigned) rows, 1, rowBlock(cols), layer_norm_backward, (const float*) x.data(), (const float*) dy.data(),
                       (const float*) gamma.data(), (const float*) mean.data(), (const float*) invStd.data(), lnDx.data(), rows, cols);
        const int chunkRows = 16, chunks = (rows + chunkRows - 1) / chunkRows;   // ReductionChunks' smallest chunk
        std::vector<float> partial(2 * chunks * cols, NAN);
        emulate_launch(blocks(chunks * cols), 1, 256, layer_norm_params_partial, (const float*) x.data(), (const float*) dy.data(),
                       (const float*) mean.data(), (const float*) invStd.data(), partial.data(), rows, cols, chunkRows);
        emulate_launch(blocks(cols), 1, 256, layer_norm_params_sum, (const float*) partial.data(), dg.data(), db.data(),
                       LN_WANT_DGAMMA | LN_WANT_DBETA, chunks, cols);
        expect("layer_norm_backward dx cols " + std::to_string(cols), lnDx, wantDx, 1e-3);
        expect("layer_norm_params dgamma cols " + std::to_string(cols), dg, wantDg, 1e-3);
        expect("layer_norm_params dbeta cols " + std::to_string(cols), db, wantDb, 1e-4);
    }
    {   // copy_strided: a [2, 5, 3 * 4] tensor's head 1 into [2, 5, 4], then accumulated back
        const int B = 2, T = 5, H = 3, D = 4, n = B * T * D;
        auto src = random(B * T * H * D), dst = random(n);
        auto dst0 = dst;
        emulate_launch(blocks(n), 1, 256, copy_strided, (const float*) src.data(), D, T * H * D, H * D, dst.data(), 0, T * D, D,
                       B, T, D, 1);
        std::vector<double> want(n);
        for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) for (int d = 0; d < D; d++) {
            want[(b * T + t) * D + d] = (double) dst0[(b * T + t) * D + d] + src[((b * T + t) * H + 1) * D + d];
        }
        expect("copy_strided accumulate", dst, want, 1e-6);
    }
    {   // embedding gather and the deterministic scatter-add, ids repeated and one row unused
        const int n = 300, dim = 5, vocab = 17;
        auto table = random(vocab * dim), dOut = random(n * dim);
        std::vector<float> ids(n), out(n * dim, NAN), dTable(vocab * dim, NAN);
        for (int i = 0; i < n; i++) ids[i] = (float) ((i * 7 + 3) % (vocab - 1));
        emulate_launch(blocks(n * dim), 1, 256, embedding, (const float*) table.data(), (const float*) ids.data(), out.data(), n, dim);
        emulate_launch(blocks(vocab * dim), 1, 256, embedding_backward, (const float*) dOut.data(), (const float*) ids.data(),
                       dTable.data(), n, dim, vocab);
        std::vector<double> wantOut(n * dim), wantTable(vocab * dim, 0.0);
        for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) {
            wantOut[i * dim + j] = table[(int) ids[i] * dim + j];
            wantTable[(int) ids[i] * dim + j] += dOut[i * dim + j];
        }
        expect("embedding", out, wantOut, 0);
        expect("embedding_backward", dTable, wantTable, 1e-5);
    }
    {   // GELU forward and unary_backward (GELU', and SQRT' on positive inputs)
        const int n = 1000;
        auto x = random(n), dy = random(n);
        std::vector<float> y(n, NAN), dx(n, NAN), pos(n), dxs(n, NAN);
        for (int i = 0; i < n; i++) pos[i] = std::fabs(x[i]) + 0.1f;
        emulate_launch(blocks(n), 1, 256, unary_op, U_GELU, (const float*) x.data(), y.data(), n);
        emulate_launch(blocks(n), 1, 256, unary_backward, U_GELU, (const float*) x.data(), (const float*) dy.data(), dx.data(), n);
        emulate_launch(blocks(n), 1, 256, unary_backward, U_SQRT, (const float*) pos.data(), (const float*) dy.data(), dxs.data(), n);
        std::vector<double> wantY(n), wantDx(n), wantDxs(n);
        const double c = std::sqrt(2 / M_PI);
        for (int i = 0; i < n; i++) {
            const double v = x[i], t = std::tanh(c * (v + 0.044715 * v * v * v));
            wantY[i] = 0.5 * v * (1 + t);
            wantDx[i] = dy[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v));
            wantDxs[i] = dy[i] * 0.5 / std::sqrt((double) pos[i]);
        }
        expect("unary_op gelu", y, wantY, 1e-5);
        expect("unary_backward gelu", dx, wantDx, 1e-5);
        expect("unary_backward sqrt", dxs, wantDxs, 1e-5);
    }
    {   // LSTM and GRU cells, forward and backward, 3 x 70 (a partial last block)
        const int B = 3, Hd = 70, n = B * Hd;
        auto pre = random(B * 4 * Hd), cPrev = random(n), dh = random(n), dc = random(n);
        auto gates = pre;
        std::vector<float> cOut(n, NAN), h(n, NAN), dGates(B * 4 * Hd, NAN);
        emulate_launch(blocks(n), 1, 256, lstm_cell, gates.data(), (const float*) cPrev.data(), cOut.data(), h.data(), B, Hd);
        std::vector<float> dcPrev = dc;   // dcPrev aliases dc
        emulate_launch(blocks(n), 1, 256, lstm_cell_backward, (const float*) gates.data(), (const float*) cPrev.data(),
                       (const float*) cOut.data(), (const float*) dh.data(), (const float*) dcPrev.data(), 1, dGates.data(),
                       dcPrev.data(), B, Hd);
        std::vector<double> wantH(n), wantDg(B * 4 * Hd), wantDc(n);
        auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
        for (int b = 0; b < B; b++) for (int j = 0; j < Hd; j++) {
            const int base = b * 4 * Hd + j, at = b * Hd + j;
            const double i = sig(pre[base]), f = sig(pre[base + Hd]), g = std::tanh(pre[base + 2 * Hd]), o = sig(pre[base + 3 * Hd]);
            const double cv = f * cPrev[at] + i * g, tc = std::tanh(cv);
            wantH[at] = o * tc;
            const double dcTotal = dc[at] + dh[at] * o * (1 - tc * tc);
            wantDg[base] = dcTotal * g * i * (1 - i);
            wantDg[base + Hd] = dcTotal * cPrev[at] * f * (1 - f);
            wantDg[base + 2 * Hd] = dcTotal * i * (1 - g * g);
            wantDg[base + 3 * Hd] = dh[at] * tc * o * (1 - o);
            wantDc[at] = dcTotal * f;
        }
        expect("lstm_cell h", h, wantH, 1e-5);
        expect("lstm_cell_backward dGates", dGates, wantDg, 1e-5);
        expect("lstm_cell_backward dcPrev (aliasing dc)", dcPrev, wantDc, 1e-5);

        auto xg = random(B * 3 * Hd), hg = random(B * 3 * Hd), hPrev = random(n);
        std::vector<float> gh(n, NAN), saved(B * 3 * Hd, NAN), dxg(B * 3 * Hd, NAN), dhg(B * 3 * Hd, NAN), dhPrev(n, NAN);
        emulate_launch(blocks(n), 1, 256, gru_cell, (const float*) xg.data(), (const float*) hg.data(), (const float*) hPrev.data(),
                       gh.data(), saved.data(), B, Hd);
        emulate_launch(blocks(n), 1, 256, gru_cell_backward, (const float*) saved.data(), (const float*) hg.data(),
                       (const float*) hPrev.data(), (const float*) dh.data(), dxg.data(), dhg.data(), dhPrev.data(), B, Hd);
        std::vector<double> wantGh(n), wantDxg(B * 3 * Hd), wantDhg(B * 3 * Hd), wantDhPrev(n);
        for (int b = 0; b < B; b++) for (int j = 0; j < Hd; j++) {
            const int base = b * 3 * Hd + j, at = b * Hd + j;
            const double r = sig((double) xg[base] + hg[base]), z = sig((double) xg[base + Hd] + hg[base + Hd]);
            const double nv = std::tanh(xg[base + 2 * Hd] + r * hg[base + 2 * Hd]);
            wantGh[at] = (1 - z) * nv + z * hPrev[at];
            const double dn = dh[at] * (1 - z) * (1 - nv * nv), dr = dn * hg[base + 2 * Hd] * r * (1 - r);
            const double dz = dh[at] * (hPrev[at] - nv) * z * (1 - z);
            wantDxg[base] = dr; wantDxg[base + Hd] = dz; wantDxg[base + 2 * Hd] = dn;
            wantDhg[base] = dr; wantDhg[base + Hd] = dz; wantDhg[base + 2 * Hd] = dn * r;
            wantDhPrev[at] = dh[at] * z;
        }
        expect("gru_cell h", gh, wantGh, 1e-5);
        expect("gru_cell_backward dxg", dxg, wantDxg, 1e-4);
        expect("gru_cell_backward dhg", dhg, wantDhg, 1e-4);
        expect("gru_cell_backward dhPrev", dhPrev, wantDhPrev, 1e-5);
    }
    std::printf("shared kernels host check (CUDA launch shapes): %d of %d checks passed\n", checks - failures, checks);
    return failures == 0 ? 0 : 1;
}
