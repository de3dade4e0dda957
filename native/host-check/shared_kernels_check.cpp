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
    std::printf("shared kernels host check (CUDA launch shapes): %d of %d checks passed\n", checks - failures, checks);
    return failures == 0 ? 0 : 1;
}
