package dev.myelin.autograd;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.ReduceOp;
import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.myelin.autograd.Recording.like;
import static dev.myelin.autograd.Recording.record;
import static dev.myelin.autograd.Recording.recording;
import static dev.myelin.autograd.Recording.requireSameBackend;

/**
 * The recurrent layers as differentiable ops (torch.nn.LSTM, GRU and RNN, batch-first, one layer).
 *
 * <p>A recurrent layer is one recorded op over a whole chunk of time steps (as cuDNN does), not a
 * graph node per step: its forward loops over the steps and keeps what the backward needs, and its
 * backward runs backpropagation through time over the chunk. The final state comes back detached,
 * so carrying it into the next chunk gives truncated BPTT.
 *
 * <p>Lifetime, as in {@link SequenceOps}: every tensor returned or saved belongs to the scope open
 * when the op runs. To carry a final state into the next chunk past that scope, call
 * {@link Tensor#keep()} on it and {@link Tensor#close()} it once the next chunk has used it.
 */
public final class RecurrentOps {
    private RecurrentOps() {
    }

    /**
     * The outputs of a recurrent layer: every step's hidden state and the detached final state.
     * finalHidden (and finalCell, LSTM only, else null) are [B, H] copies with no gradient record,
     * in the current scope.
     */
    public record RecurrentResult(Tensor output, Tensor finalHidden, Tensor finalCell) {
    }

    private static Tensor[] nonNull(Tensor... tensors) {
        return Arrays.stream(tensors).filter(t -> t != null).toArray(Tensor[]::new);
    }

    /** The gradients of {@code all} (nulls included) restricted to the non-null inputs, in order. */
    private static Tensor[] gradsFor(Tensor[] all, Tensor[] grads) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            if (all[i] != null) {
                out.add(grads[i] != null && all[i].requiresGrad() ? grads[i] : null);
            }
        }
        return out.toArray(new Tensor[0]);
    }

    // ---------------------------------------------------------------- recurrent layers

    /** Checked dimensions of a recurrent layer's operands. */
    private record RecurrentShape(int batch, int steps, int input, int hidden, int gates) {
        static RecurrentShape of(String op, int gateCount, Tensor x, Tensor h0, Tensor c0,
                                 Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
            requireSameBackend(op, x, h0, c0, wIh, wHh, bIh, bHh);
            if (x.shape().rank() != 3) {
                throw new IllegalArgumentException(op + ": input must be [batch, steps, features], got " + x.shape());
            }
            int batch = x.dim(0);
            int steps = x.dim(1);
            int input = x.dim(2);
            if (wHh.shape().rank() != 2 || wHh.dim(0) % gateCount != 0 || wHh.dim(1) * gateCount != wHh.dim(0)) {
                throw new IllegalArgumentException(op + ": weight_hh must be [" + gateCount + " * hidden, hidden], got "
                        + wHh.shape());
            }
            int hidden = wHh.dim(1);
            int gates = gateCount * hidden;
            if (wIh.shape().rank() != 2 || wIh.dim(0) != gates || wIh.dim(1) != input) {
                throw new IllegalArgumentException(op + ": weight_ih must be [" + gates + ", " + input + "] for input "
                        + x.shape() + " and weight_hh " + wHh.shape() + ", got " + wIh.shape());
            }
            for (Tensor bias : new Tensor[]{bIh, bHh}) {
                if (bias != null && (bias.shape().rank() != 1 || bias.size() != gates)) {
                    throw new IllegalArgumentException(op + ": bias must be [" + gates + "], got " + bias.shape());
                }
            }
            for (Tensor state : new Tensor[]{h0, c0}) {
                if (state != null && (state.shape().rank() != 2 || state.dim(0) != batch || state.dim(1) != hidden)) {
                    throw new IllegalArgumentException(op + ": initial state must be [" + batch + ", " + hidden
                            + "], got " + state.shape());
                }
            }
            if (steps == 0) {
                throw new IllegalArgumentException(op + ": input " + x.shape() + " has no time steps");
            }
            return new RecurrentShape(batch, steps, input, hidden, gates);
        }
    }

    /** A [batch, hidden] state: a copy of {@code init}, or zeros. */
    private static Tensor initialState(Backend be, Tensor init, int batch, int hidden) {
        Tensor s = Tensor.empty(be, batch, hidden);
        if (init == null) {
            be.fill(s.buffer(), 0, s.size(), 0f);
        } else {
            be.copy(init.buffer(), 0, s.buffer(), 0, s.size());
        }
        return s;
    }

    /** x [B*T, I] W_ih^T (+ bias) as [B, T, G]: the input projections of every step in one GEMM. */
    private static Tensor inputProjection(Backend be, RecurrentShape s, Tensor x, Tensor wIh, Tensor bias) {
        Tensor proj = Tensor.empty(be, s.batch(), s.steps(), s.gates());
        int rows = s.batch() * s.steps();
        be.gemm(false, true, rows, s.gates(), s.input(), 1f, x.buffer(), wIh.buffer(), 0f, proj.buffer());
        if (bias != null) {
            be.biasActivation(proj.buffer(), bias.buffer(), Activation.IDENTITY, proj.buffer(), rows, s.gates());
        }
        return proj;
    }

    /**
     * W^T for a [rows, cols] weight, as [cols, rows]. The per-step product h W_hh^T has only
     * batch rows, and a GEMM packs its B operand on every call: packing a row-major B is a
     * contiguous copy, packing a transposed one a strided gather that costs as much as the product
     * (measured: 32x1024x256 NN about 1.7x faster than NT on the CPU backend). So the recurrent
     * weight is transposed once per chunk instead of being gathered once per step.
     */
    private static Tensor transposed(Backend be, Tensor w) {
        int rows = w.dim(0);
        int cols = w.dim(1);
        Tensor t = Tensor.empty(be, cols, rows);
        be.copyStrided(w.buffer(), 0, 1, cols, t.buffer(), 0, rows, 1, cols, rows, 1, false);
        return t;
    }

    /**
     * Returns the forward's work buffers to the pool now rather than at the scope's end (a chunk's
     * projections are as large as its output). Safe on asynchronous backends too: a buffer may be
     * released once the last op using it is enqueued. Nulls, and the caller's own tensors in
     * {@code keep}, are skipped.
     */
    private static void releaseWork(Tensor[] keep, Tensor... work) {
        outer:
        for (Tensor t : work) {
            if (t == null) {
                continue;
            }
            for (Tensor k : keep) {
                if (k == t) {
                    continue outer;
                }
            }
            t.close();
        }
    }

    /** bIh + bHh (LSTM and RNN add both before the nonlinearity), or whichever is given, or null. */
    private static Tensor combinedBias(Backend be, Tensor bIh, Tensor bHh) {
        if (bIh == null || bHh == null) {
            return bIh != null ? bIh : bHh;
        }
        Tensor sum = like(bIh);
        be.copy(bIh.buffer(), 0, sum.buffer(), 0, sum.size());
        be.axpby(1f, bHh.buffer(), 1f, sum.buffer(), sum.size());
        return sum;
    }

    /** Copies step t of a [B, T, width] tensor to a [B, width] buffer (or back, or accumulating). */
    private static void stepToState(Backend be, Tensor seq, int t, Tensor state, int batch, int steps, int width, boolean accumulate) {
        be.copyStrided(seq.buffer(), t * width, steps * width, 0, state.buffer(), 0, width, 0, batch, 1, width, accumulate);
    }

    private static void stateToStep(Backend be, Tensor state, Tensor seq, int t, int batch, int steps, int width) {
        be.copyStrided(state.buffer(), 0, width, 0, seq.buffer(), t * width, steps * width, 0, batch, 1, width, false);
    }

    /**
     * The stacked previous states [B, T, H] of every step: h0 at t = 0, output[:, t - 1] after, so the
     * recurrent weight's gradient is one GEMM over all steps.
     */
    private static Tensor previousStates(Backend be, RecurrentShape s, Tensor h0, Tensor output) {
        int b = s.batch();
        int t = s.steps();
        int h = s.hidden();
        Tensor prev = Tensor.empty(be, b, t, h);
        stateToStep(be, h0, prev, 0, b, t, h);
        if (t > 1) {
            be.copyStrided(output.buffer(), 0, t * h, 0, prev.buffer(), h, t * h, 0, b, 1, (t - 1) * h, false);
        }
        return prev;
    }

    /**
     * The gradients of all = {x, wIh, wHh, bIh, bHh} into grads from the stacked pre-activation
     * gradients, each one GEMM or one reduction: dIn of the input projection, dRec of the recurrent one
     * (the same tensor unless biasSeparate, the GRU's case).
     */
    private static void weightGrads(Backend be, RecurrentShape s, Tensor dIn, Tensor dRec, Tensor prev,
                                    Tensor[] all, Tensor[] grads, boolean biasSeparate) {
        int rows = s.batch() * s.steps();
        Tensor x = all[0];
        Tensor wIh = all[1];
        Tensor wHh = all[2];
        Tensor bIh = all[3];
        Tensor bHh = all[4];
        if (x.requiresGrad()) {
            grads[0] = like(x);
            be.gemm(false, false, rows, s.input(), s.gates(), 1f, dIn.buffer(), wIh.buffer(), 0f, grads[0].buffer());
        }
        if (wIh.requiresGrad()) {
            grads[1] = like(wIh);
            be.gemm(true, false, s.gates(), s.input(), rows, 1f, dIn.buffer(), x.buffer(), 0f, grads[1].buffer());
        }
        if (wHh.requiresGrad()) {
            grads[2] = like(wHh);
            be.gemm(true, false, s.gates(), s.hidden(), rows, 1f, dRec.buffer(), prev.buffer(), 0f, grads[2].buffer());
        }
        Tensor dbIn = null;
        if (bIh != null && bIh.requiresGrad()) {
            dbIn = like(bIh);
            be.reduce(ReduceOp.SUM, dIn.buffer(), dbIn.buffer(), rows, s.gates(), 0);
            grads[3] = dbIn;
        }
        if (bHh != null && bHh.requiresGrad()) {
            grads[4] = like(bHh);
            if (!biasSeparate && dbIn != null) {
                be.copy(dbIn.buffer(), 0, grads[4].buffer(), 0, dbIn.size());
            } else {
                be.reduce(ReduceOp.SUM, dRec.buffer(), grads[4].buffer(), rows, s.gates(), 0);
            }
        }
    }

    /**
     * A single-layer LSTM over a chunk, as torch.nn.LSTM (batch_first): x [B, T, I], h0 and c0 [B, H]
     * (null for zeros, never differentiated), wIh [4H, I], wHh [4H, H], bIh and bHh [4H] (either may be
     * null). Returns output [B, T, H] and the detached final h and c (see the class comment for their
     * lifetime).
     */
    public static RecurrentResult lstm(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        RecurrentShape s = RecurrentShape.of("lstm", 4, x, h0, c0, wIh, wHh, bIh, bHh);
        Backend be = x.backend();
        int b = s.batch();
        int steps = s.steps();
        int hid = s.hidden();
        int g4 = s.gates();
        boolean rec = recording(x, wIh, wHh, bIh, bHh);
        Tensor bias = combinedBias(be, bIh, bHh);
        Tensor proj = inputProjection(be, s, x, wIh, bias);
        Tensor output = Tensor.empty(be, b, steps, hid);
        Tensor hInit = initialState(be, h0, b, hid);
        Tensor cInit = initialState(be, c0, b, hid);
        // Recording keeps every step's activated gates and cell state for the backward; otherwise one
        // gates buffer and two ping-pong states do.
        Tensor[] gates = new Tensor[steps];
        Tensor[] cells = new Tensor[steps];
        Tensor[] hs = {Tensor.empty(be, b, hid), Tensor.empty(be, b, hid)};
        Tensor gateWork = rec ? null : Tensor.empty(be, b, g4);
        Tensor[] cWork = rec ? null : new Tensor[]{Tensor.empty(be, b, hid), Tensor.empty(be, b, hid)};
        Tensor wHhT = transposed(be, wHh);
        Tensor hPrev = hInit;
        Tensor cPrev = cInit;
        for (int t = 0; t < steps; t++) {
            Tensor gt = rec ? Tensor.empty(be, b, g4) : gateWork;
            Tensor ct = rec ? Tensor.empty(be, b, hid) : cWork[t & 1];
            Tensor ht = hs[t & 1];
            stepToState(be, proj, t, gt, b, steps, g4, false);
            be.gemm(false, false, b, g4, hid, 1f, hPrev.buffer(), wHhT.buffer(), 1f, gt.buffer());
            be.lstmCell(gt.buffer(), cPrev.buffer(), ct.buffer(), ht.buffer(), b, hid);
            stateToStep(be, ht, output, t, b, steps, hid);
            if (rec) {
                gates[t] = gt;
                cells[t] = ct;
            }
            hPrev = ht;
            cPrev = ct;
        }
        Tensor finalH = Tensor.empty(be, b, hid);
        be.copy(hPrev.buffer(), 0, finalH.buffer(), 0, finalH.size());
        Tensor finalC = Tensor.empty(be, b, hid);
        be.copy(cPrev.buffer(), 0, finalC.buffer(), 0, finalC.size());
        // The backward reads the saved gates and cells, cInit, hInit and the output; nothing else.
        releaseWork(new Tensor[]{bIh, bHh}, bias, proj, wHhT, hs[0], hs[1], gateWork,
                cWork == null ? null : cWork[0], cWork == null ? null : cWork[1], rec ? null : hInit, rec ? null : cInit);
        if (rec) {
            Tensor[] all = {x, wIh, wHh, bIh, bHh};
            record(output, "lstm", nonNull(all), g -> {
                Tensor dGatesAll = Tensor.empty(be, b, steps, g4);
                Tensor dGates = Tensor.empty(be, b, g4);
                Tensor dh = Tensor.empty(be, b, hid);
                Tensor dc = Tensor.empty(be, b, hid);
                for (int t = steps - 1; t >= 0; t--) {
                    // dh = dL/dh_t from the output plus, after the last step, the recurrent path.
                    stepToState(be, g, t, dh, b, steps, hid, t != steps - 1);
                    Tensor cp = t == 0 ? cInit : cells[t - 1];
                    be.lstmCellBackward(gates[t].buffer(), cp.buffer(), cells[t].buffer(), dh.buffer(),
                            t == steps - 1 ? null : dc.buffer(), dGates.buffer(), dc.buffer(), b, hid);
                    stateToStep(be, dGates, dGatesAll, t, b, steps, g4);
                    if (t > 0) {
                        be.gemm(false, false, b, hid, g4, 1f, dGates.buffer(), wHh.buffer(), 0f, dh.buffer());
                    }
                }
                Tensor[] grads = new Tensor[all.length];
                Tensor prev = wHh.requiresGrad() ? previousStates(be, s, hInit, output) : null;
                weightGrads(be, s, dGatesAll, dGatesAll, prev, all, grads, false);
                releaseWork(new Tensor[0], dGatesAll, dGates, dh, dc, prev);
                return gradsFor(all, grads);
            });
        }
        return new RecurrentResult(output, finalH, finalC);
    }

    /**
     * A single-layer GRU over a chunk, as torch.nn.GRU (batch_first): x [B, T, I], h0 [B, H] (null for
     * zeros, never differentiated), wIh [3H, I], wHh [3H, H], bIh and bHh [3H] (either may be null);
     * finalCell is null.
     */
    public static RecurrentResult gru(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        RecurrentShape s = RecurrentShape.of("gru", 3, x, h0, null, wIh, wHh, bIh, bHh);
        Backend be = x.backend();
        int b = s.batch();
        int steps = s.steps();
        int hid = s.hidden();
        int g3 = s.gates();
        boolean rec = recording(x, wIh, wHh, bIh, bHh);
        Tensor proj = inputProjection(be, s, x, wIh, bIh);
        Tensor output = Tensor.empty(be, b, steps, hid);
        Tensor hInit = initialState(be, h0, b, hid);
        // Recording keeps every step's hg, (r, z, n) and h; otherwise single work buffers do.
        Tensor[] hgs = new Tensor[steps];
        Tensor[] saves = new Tensor[steps];
        Tensor[] hiddens = new Tensor[steps];
        Tensor xg = Tensor.empty(be, b, g3);
        Tensor hgWork = rec ? null : Tensor.empty(be, b, g3);
        Tensor saveWork = rec ? null : Tensor.empty(be, b, g3);
        Tensor[] hWork = rec ? null : new Tensor[]{Tensor.empty(be, b, hid), Tensor.empty(be, b, hid)};
        Tensor wHhT = transposed(be, wHh);
        Tensor hPrev = hInit;
        for (int t = 0; t < steps; t++) {
            Tensor hg = rec ? Tensor.empty(be, b, g3) : hgWork;
            Tensor saved = rec ? Tensor.empty(be, b, g3) : saveWork;
            Tensor ht = rec ? Tensor.empty(be, b, hid) : hWork[t & 1];
            stepToState(be, proj, t, xg, b, steps, g3, false);
            be.gemm(false, false, b, g3, hid, 1f, hPrev.buffer(), wHhT.buffer(), 0f, hg.buffer());
            if (bHh != null) {
                be.biasActivation(hg.buffer(), bHh.buffer(), Activation.IDENTITY, hg.buffer(), b, g3);
            }
            be.gruCell(xg.buffer(), hg.buffer(), hPrev.buffer(), ht.buffer(), saved.buffer(), b, hid);
            stateToStep(be, ht, output, t, b, steps, hid);
            if (rec) {
                hgs[t] = hg;
                saves[t] = saved;
                hiddens[t] = ht;
            }
            hPrev = ht;
        }
        Tensor finalH = Tensor.empty(be, b, hid);
        be.copy(hPrev.buffer(), 0, finalH.buffer(), 0, finalH.size());
        // The backward reads the saved hg, (r, z, n) and h of every step, hInit and the output.
        releaseWork(new Tensor[0], proj, wHhT, xg, hgWork, saveWork, hWork == null ? null : hWork[0],
                hWork == null ? null : hWork[1], rec ? null : hInit);
        if (rec) {
            Tensor[] all = {x, wIh, wHh, bIh, bHh};
            record(output, "gru", nonNull(all), g -> {
                Tensor dXgAll = Tensor.empty(be, b, steps, g3);
                Tensor dHgAll = Tensor.empty(be, b, steps, g3);
                Tensor dxg = Tensor.empty(be, b, g3);
                Tensor dhg = Tensor.empty(be, b, g3);
                Tensor[] dh = {Tensor.empty(be, b, hid), Tensor.empty(be, b, hid)};
                int cur = 0;
                for (int t = steps - 1; t >= 0; t--) {
                    Tensor dht = dh[cur];
                    Tensor dhPrev = dh[cur ^ 1];
                    stepToState(be, g, t, dht, b, steps, hid, t != steps - 1);
                    Tensor hp = t == 0 ? hInit : hiddens[t - 1];
                    be.gruCellBackward(saves[t].buffer(), hgs[t].buffer(), hp.buffer(), dht.buffer(),
                            dxg.buffer(), dhg.buffer(), dhPrev.buffer(), b, hid);
                    stateToStep(be, dxg, dXgAll, t, b, steps, g3);
                    stateToStep(be, dhg, dHgAll, t, b, steps, g3);
                    if (t > 0) {
                        be.gemm(false, false, b, hid, g3, 1f, dhg.buffer(), wHh.buffer(), 1f, dhPrev.buffer());
                    }
                    cur ^= 1;
                }
                Tensor[] grads = new Tensor[all.length];
                Tensor prev = wHh.requiresGrad() ? previousStates(be, s, hInit, output) : null;
                weightGrads(be, s, dXgAll, dHgAll, prev, all, grads, true);
                releaseWork(new Tensor[0], dXgAll, dHgAll, dxg, dhg, dh[0], dh[1], prev);
                return gradsFor(all, grads);
            });
        }
        return new RecurrentResult(output, finalH, null);
    }

    /**
     * A single-layer Elman RNN with tanh, as torch.nn.RNN (batch_first): x [B, T, I], h0 [B, H] (null
     * for zeros, never differentiated), wIh [H, I], wHh [H, H], bIh and bHh [H] (either may be null);
     * finalCell is null.
     */
    public static RecurrentResult rnn(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        RecurrentShape s = RecurrentShape.of("rnn", 1, x, h0, null, wIh, wHh, bIh, bHh);
        Backend be = x.backend();
        int b = s.batch();
        int steps = s.steps();
        int hid = s.hidden();
        boolean rec = recording(x, wIh, wHh, bIh, bHh);
        Tensor bias = combinedBias(be, bIh, bHh);
        Tensor proj = inputProjection(be, s, x, wIh, bias);
        Tensor output = Tensor.empty(be, b, steps, hid);
        Tensor hInit = initialState(be, h0, b, hid);
        Tensor[] hiddens = new Tensor[steps];
        Tensor[] hWork = rec ? null : new Tensor[]{Tensor.empty(be, b, hid), Tensor.empty(be, b, hid)};
        Tensor wHhT = transposed(be, wHh);
        Tensor hPrev = hInit;
        for (int t = 0; t < steps; t++) {
            Tensor ht = rec ? Tensor.empty(be, b, hid) : hWork[t & 1];
            stepToState(be, proj, t, ht, b, steps, hid, false);
            be.gemm(false, false, b, hid, hid, 1f, hPrev.buffer(), wHhT.buffer(), 1f, ht.buffer());
            be.biasActivation(ht.buffer(), null, Activation.TANH, ht.buffer(), b, hid);
            stateToStep(be, ht, output, t, b, steps, hid);
            if (rec) {
                hiddens[t] = ht;
            }
            hPrev = ht;
        }
        Tensor finalH = Tensor.empty(be, b, hid);
        be.copy(hPrev.buffer(), 0, finalH.buffer(), 0, finalH.size());
        // The backward reads the saved h of every step, hInit and the output.
        releaseWork(new Tensor[]{bIh, bHh}, bias, proj, wHhT, hWork == null ? null : hWork[0],
                hWork == null ? null : hWork[1], rec ? null : hInit);
        if (rec) {
            Tensor[] all = {x, wIh, wHh, bIh, bHh};
            record(output, "rnn", nonNull(all), g -> {
                Tensor dPreAll = Tensor.empty(be, b, steps, hid);
                Tensor dh = Tensor.empty(be, b, hid);
                Tensor dPre = Tensor.empty(be, b, hid);
                for (int t = steps - 1; t >= 0; t--) {
                    stepToState(be, g, t, dh, b, steps, hid, t != steps - 1);
                    be.activationBackward(Activation.TANH, hiddens[t].buffer(), dh.buffer(), dPre.buffer(), b * hid);
                    stateToStep(be, dPre, dPreAll, t, b, steps, hid);
                    if (t > 0) {
                        be.gemm(false, false, b, hid, hid, 1f, dPre.buffer(), wHh.buffer(), 0f, dh.buffer());
                    }
                }
                Tensor[] grads = new Tensor[all.length];
                Tensor prev = wHh.requiresGrad() ? previousStates(be, s, hInit, output) : null;
                weightGrads(be, s, dPreAll, dPreAll, prev, all, grads, false);
                releaseWork(new Tensor[0], dPreAll, dh, dPre, prev);
                return gradsFor(all, grads);
            });
        }
        return new RecurrentResult(output, finalH, null);
    }
}
